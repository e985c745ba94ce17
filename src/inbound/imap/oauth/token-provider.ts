/**
 * Access tokens for one mailbox that renew themselves: refresh-token grant (Google, Entra ID delegated,
 * generic) or client credentials (Entra ID app-only), through openid-client. A token is renewed at 80 % of
 * its lifetime, or at once when the server refused it. A refresh token the provider rotates is stored
 * (encrypted, compare-and-set) BEFORE the new access token is handed out, so a restart never goes back to a
 * revoked token; if storing fails, the rotated token is kept in memory and stored first on the next try.
 * Only the instance holding the mailbox lock asks for tokens, so only it refreshes.
 */
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import type { ImapOAuth2 } from '../../../config.ts';
import type { Database } from '../../../db/database.ts';
import { ImapCredentialError } from '../errors.ts';
import { hashOf, readStoredToken, TokenKeyError, writeStoredToken } from './token-store.ts';

export interface AccessToken {
  token: string;
  expiresAt: number;
  /** When to stop using it for new sessions and get the next one. */
  renewAt: number;
}

export interface OAuthHealth {
  provider: string;
  grant: string;
  access_token_expires_at: string | null;
  last_renewed_at: string | null;
  renewals: number;
  refresh_token_stored_at: string | null;
}

export interface AccessTokenProvider {
  /** A usable access token, renewed first when due. Throws ImapCredentialError (kind auth/config/transient). */
  accessToken(): Promise<AccessToken>;
  /** Renews now because the server refused `rejected` (no-op if a newer token is already there). */
  renew(rejected: string): Promise<AccessToken>;
  health(): OAuthHealth;
}

/** Renew at this share of the lifetime the provider announced. */
const RENEW_AT = 0.8;
/** RFC 6749 leaves expires_in optional; Google and Entra ID tokens last an hour. */
const DEFAULT_LIFETIME_S = 3600;

export function openidConfiguration(auth: ImapOAuth2, timeoutMs: number): oidc.Configuration {
  const server: oidc.ServerMetadata = { issuer: auth.issuer, token_endpoint: auth.tokenUrl, ...(auth.authorizeUrl ? { authorization_endpoint: auth.authorizeUrl } : {}) };
  const config = auth.clientSecret
    ? new oidc.Configuration(server, auth.clientId, auth.clientSecret, oidc.ClientSecretPost(auth.clientSecret))
    : new oidc.Configuration(server, auth.clientId, undefined, oidc.None());
  config.timeout = Math.max(1, Math.ceil(timeoutMs / 1000));
  // config.ts admits http:// only for loopback endpoints (a local token broker, the tests' fake).
  if (new URL(auth.tokenUrl).protocol === 'http:') oidc.allowInsecureRequests(config);
  return config;
}

/** Turns a token-endpoint failure into what an operator must do about it. */
export function tokenFailure(error: unknown, auth: ImapOAuth2, account: string): ImapCredentialError {
  if (error instanceof ImapCredentialError) return error;
  if (error instanceof TokenKeyError) return new ImapCredentialError(error.message, 'config', { cause: error });
  if (error instanceof oidc.ResponseBodyError) {
    const said = `${error.error}${error.error_description ? `: ${error.error_description.slice(0, 200)}` : ''}`;
    if (error.status >= 500 || ['temporarily_unavailable', 'server_error'].includes(error.error)) {
      return new ImapCredentialError(`the token endpoint is failing (HTTP ${error.status}, ${said}); retrying`, 'transient', { cause: error });
    }
    if (error.error === 'invalid_grant' && auth.grant === 'refresh_token') {
      return new ImapCredentialError(
        `OAuth2 refresh token for ${account} refused by ${auth.provider} (${said}): it was revoked or has expired. Run \`npm run imap:authorize\` to sign the mailbox in again.`,
        'auth', { cause: error },
      );
    }
    return new ImapCredentialError(
      `the token endpoint refused the request for ${account} (${said}); check IMAP_OAUTH_CLIENT_ID, IMAP_OAUTH_CLIENT_SECRET, IMAP_OAUTH_TENANT and IMAP_OAUTH_SCOPE`,
      'auth', { cause: error },
    );
  }
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  const detail = e.cause?.code ?? e.cause?.message ?? '';
  return new ImapCredentialError(`the token endpoint ${auth.tokenUrl} could not be reached (${e.message ?? String(error)}${detail ? `: ${detail}` : ''}); retrying`, 'transient', { cause: error });
}

export function createTokenProvider(o: { auth: ImapOAuth2; account: string; db: Database; logger: Logger; timeoutMs: number }): AccessTokenProvider {
  const { auth, account, db } = o;
  const logger = o.logger.child({ component: 'imap-oauth', account });
  const oidcConfig = openidConfiguration(auth, o.timeoutMs);
  const scope = auth.scope ? { scope: auth.scope } : undefined;
  const envSeed = auth.refreshToken ? hashOf(auth.refreshToken) : null;
  let current: AccessToken | undefined;
  let inflight: Promise<AccessToken> | undefined;
  // A rotated refresh token the provider gave us that is not stored yet (the database was unreachable).
  let unsaved: { refreshToken: string; baseVersion: number | null } | undefined;
  const h: OAuthHealth = { provider: auth.provider, grant: auth.grant, access_token_expires_at: null, last_renewed_at: null, renewals: 0, refresh_token_stored_at: null };

  const key = () => {
    if (!auth.encryptionKey) throw new ImapCredentialError('TOKEN_ENCRYPTION_KEY is required with OAuth2 refresh tokens', 'config');
    return auth.encryptionKey;
  };

  /** The refresh token to use: the stored (rotated) one, unless IMAP_OAUTH_REFRESH_TOKEN changed since. */
  const currentRefreshToken = async (): Promise<{ refreshToken: string; version: number | null }> => {
    const stored = await readStoredToken(db.sql, account, key()).catch((error: unknown) => {
      if (error instanceof TokenKeyError) throw error;
      throw new ImapCredentialError(`the stored OAuth2 refresh token could not be read (${(error as Error).message}); retrying`, 'transient', { cause: error });
    });
    if (stored && stored.clientId === auth.clientId && (envSeed === null || stored.seedHash === envSeed)) {
      return { refreshToken: stored.refreshToken, version: stored.version };
    }
    if (auth.refreshToken) return { refreshToken: auth.refreshToken, version: stored?.version ?? null };
    if (stored) {
      throw new ImapCredentialError(`the stored refresh token for ${account} belongs to OAuth client ${stored.clientId}, not IMAP_OAUTH_CLIENT_ID; run \`npm run imap:authorize\``, 'auth');
    }
    throw new ImapCredentialError(`no OAuth2 refresh token for ${account} yet: run \`npm run imap:authorize\` (or set IMAP_OAUTH_REFRESH_TOKEN)`, 'auth');
  };

  /** Stores the rotated token; false when someone else (a new authorisation) wrote a newer one first. */
  const store = async (pending: { refreshToken: string; baseVersion: number | null }): Promise<boolean> => {
    let version: number | null;
    try {
      version = await writeStoredToken(db.sql, key(), { account, provider: auth.provider, clientId: auth.clientId, refreshToken: pending.refreshToken, seedHash: envSeed }, pending.baseVersion);
    } catch (error) {
      throw new ImapCredentialError(`the rotated OAuth2 refresh token could not be stored (${(error as Error).message}); the new access token is not used until it is`, 'transient', { cause: error });
    }
    unsaved = undefined;
    if (version === null) {
      logger.warn('a newer refresh token was stored meanwhile (imap:authorize?): it is used from now on');
      return false;
    }
    h.refresh_token_stored_at = new Date().toISOString();
    return true;
  };

  const mint = async (): Promise<AccessToken> => {
    let response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      if (auth.grant === 'client_credentials') {
        response = await oidc.clientCredentialsGrant(oidcConfig, scope);
      } else {
        if (unsaved) await store(unsaved);
        let base = await currentRefreshToken();
        try {
          response = await oidc.refreshTokenGrant(oidcConfig, base.refreshToken, scope);
        } catch (error) {
          // Another process (imap:replay, a new authorisation) may have rotated it a moment ago: use its token.
          const again = error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant' ? await currentRefreshToken() : base;
          if (again.refreshToken === base.refreshToken) throw error;
          base = again;
          response = await oidc.refreshTokenGrant(oidcConfig, base.refreshToken, scope);
        }
        if (response.refresh_token && response.refresh_token !== base.refreshToken) {
          unsaved = { refreshToken: response.refresh_token, baseVersion: base.version };
          await store(unsaved);
          logger.info('the provider rotated the refresh token; the new one is stored');
        }
      }
    } catch (error) {
      throw tokenFailure(error, auth, account);
    }
    const lifetimeMs = (response.expiresIn() ?? DEFAULT_LIFETIME_S) * 1000;
    const now = Date.now();
    current = { token: response.access_token, expiresAt: now + lifetimeMs, renewAt: now + lifetimeMs * RENEW_AT };
    h.renewals++;
    h.last_renewed_at = new Date(now).toISOString();
    h.access_token_expires_at = new Date(current.expiresAt).toISOString();
    logger.debug({ expiresInMs: lifetimeMs }, 'OAuth2 access token renewed');
    return current;
  };

  // One request at a time: concurrent callers share it (and so never spend the same refresh token twice).
  const renewOnce = () => (inflight ??= mint().finally(() => (inflight = undefined)));

  return {
    async accessToken() {
      if (current && Date.now() < current.renewAt) return current;
      return renewOnce();
    },
    async renew(rejected) {
      if (inflight) return inflight;
      if (current && current.token !== rejected && Date.now() < current.renewAt) return current;
      current = undefined;
      return renewOnce();
    },
    health: () => ({ ...h }),
  };
}
