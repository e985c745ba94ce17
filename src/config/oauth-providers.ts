/**
 * Where each identity provider mints IMAP tokens, and which scope it wants. Pure data: config.ts resolves
 * IMAP_OAUTH_PROVIDER (+ tenant, grant) to endpoints here; IMAP_OAUTH_TOKEN_URL / _AUTHORIZE_URL / _SCOPE
 * override any of it (sovereign clouds, other providers, tests).
 */
export type OAuthProviderName = 'google' | 'microsoft' | 'generic';
export type OAuthGrant = 'refresh_token' | 'client_credentials';

export interface OAuthPreset {
  issuer: string;
  tokenUrl: string;
  authorizeUrl: string | undefined;
  scope: string;
  /** Extra parameters of the consent request. */
  authorizeParams: Record<string, string>;
}

export const GOOGLE_SCOPE = 'https://mail.google.com/';
export const MICROSOFT_DELEGATED_SCOPE = 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access';
export const MICROSOFT_APP_SCOPE = 'https://outlook.office365.com/.default';

export function oauthPreset(provider: OAuthProviderName, grant: OAuthGrant, tenant: string, tokenUrl: string | undefined): OAuthPreset {
  switch (provider) {
    case 'google':
      return {
        issuer: 'https://accounts.google.com',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
        scope: GOOGLE_SCOPE,
        // Google hands out a refresh token only for offline access, and again only when consent is shown.
        authorizeParams: { access_type: 'offline', prompt: 'consent' },
      };
    case 'microsoft': {
      const base = `https://login.microsoftonline.com/${encodeURIComponent(tenant)}`;
      return {
        issuer: `${base}/v2.0`,
        tokenUrl: `${base}/oauth2/v2.0/token`,
        authorizeUrl: `${base}/oauth2/v2.0/authorize`,
        scope: grant === 'client_credentials' ? MICROSOFT_APP_SCOPE : MICROSOFT_DELEGATED_SCOPE,
        authorizeParams: { prompt: 'select_account' },
      };
    }
    case 'generic': {
      // config.ts requires IMAP_OAUTH_TOKEN_URL for generic; the issuer is its origin.
      const origin = tokenUrl ? new URL(tokenUrl).origin : 'https://invalid.example';
      return { issuer: origin, tokenUrl: tokenUrl ?? `${origin}/token`, authorizeUrl: undefined, scope: '', authorizeParams: {} };
    }
  }
}
