/**
 * The first authorisation of a delegated mailbox (npm run imap:authorize): a consent URL with PKCE and
 * state, the authorization-code exchange, and the refresh token stored encrypted where the reader finds it.
 */
import * as oidc from 'openid-client';
import type { ImapOAuth2 } from '../../../config.ts';
import type { Sql } from '../../../db/sql.ts';
import { openidConfiguration } from './token-provider.ts';
import { hashOf, keyIdOf, writeStoredToken } from './token-store.ts';

export interface Consent {
  url: URL;
  redirectUri: string;
  /** Turns what the operator brings back (the redirect URL, or only the code) into tokens. */
  exchange(returned: string | URL): Promise<{ refreshToken: string; accessToken: string; expiresIn: number | undefined }>;
}

export class AuthorizeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthorizeError';
  }
}

export async function startConsent(auth: ImapOAuth2, o: { redirectUri: string; loginHint?: string; timeoutMs?: number }): Promise<Consent> {
  if (auth.grant !== 'refresh_token') throw new AuthorizeError('IMAP_OAUTH_GRANT=client_credentials needs no sign-in: the service gets its tokens with the client secret');
  if (!auth.authorizeUrl) throw new AuthorizeError('IMAP_OAUTH_AUTHORIZE_URL is required for IMAP_OAUTH_PROVIDER=generic (the provider\'s authorization endpoint)');
  const config = openidConfiguration(auth, o.timeoutMs ?? 30_000);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: o.redirectUri,
    ...(auth.scope ? { scope: auth.scope } : {}),
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(o.loginHint ? { login_hint: o.loginHint } : {}),
    ...auth.authorizeParams,
  });
  return {
    url,
    redirectUri: o.redirectUri,
    async exchange(returned) {
      const text = String(returned).trim();
      let callback: URL;
      if (/^https?:\/\//i.test(text)) {
        callback = new URL(text);
      } else if (/^[\w.~\-/+=%]+$/.test(text) && text.length >= 8) {
        // Only the code was pasted.
        callback = new URL(o.redirectUri);
        callback.searchParams.set('code', decodeURIComponent(text));
        callback.searchParams.set('state', state);
      } else {
        throw new AuthorizeError('that is neither the URL the browser was sent to nor an authorization code');
      }
      const denied = callback.searchParams.get('error');
      if (denied) throw new AuthorizeError(`the provider did not authorise: ${denied}${callback.searchParams.get('error_description') ? ` (${callback.searchParams.get('error_description')})` : ''}`);
      let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
      } catch (error) {
        const e = error as { message?: string; error?: string; error_description?: string };
        throw new AuthorizeError(`the code exchange failed: ${e.error ? `${e.error}${e.error_description ? `: ${e.error_description}` : ''}` : e.message}`, { cause: error });
      }
      if (!tokens.refresh_token) {
        throw new AuthorizeError('the provider returned no refresh token (Google: the consent must ask for offline access; Entra ID: the scope must include offline_access)');
      }
      return { refreshToken: tokens.refresh_token, accessToken: tokens.access_token, expiresIn: tokens.expiresIn() };
    },
  };
}

/** Stores a freshly authorised refresh token (replacing any older one) for the reader; returns the key id. */
export async function storeAuthorizedToken(sql: Sql, auth: ImapOAuth2, account: string, refreshToken: string): Promise<string> {
  if (!auth.encryptionKey) throw new AuthorizeError('TOKEN_ENCRYPTION_KEY is required to store the refresh token');
  // Recorded as superseding the IMAP_OAUTH_REFRESH_TOKEN in this environment, so that one does not win later.
  const seedHash = auth.refreshToken ? hashOf(auth.refreshToken) : null;
  await writeStoredToken(sql, auth.encryptionKey, { account, provider: auth.provider, clientId: auth.clientId, refreshToken, seedHash }, 'any');
  return keyIdOf(auth.encryptionKey);
}
