/**
 * What one IMAP login presents, per the mailbox's `auth`: a password, a fixed access token
 * (IMAP_ACCESS_TOKEN), or an OAuth2 access token that renews itself (oauth/token-provider.ts).
 */
import type { ImapFlowOptions } from 'imapflow';
import type { Logger } from 'pino';
import type { ImapMailbox } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import { createTokenProvider, type AccessTokenProvider, type OAuthHealth } from './oauth/token-provider.ts';

export interface Login {
  auth: NonNullable<ImapFlowOptions['auth']>;
  /** OAuth2: when a session opened with this token should log in again with the next one. */
  renewAt?: number;
}

export interface ImapCredentials {
  login(): Promise<Login>;
  /** After the server refused `login`: a fresh token worth one more try, or null (nothing new to offer). */
  afterRefusal(login: Login): Promise<Login | null>;
  health(): OAuthHealth | undefined;
}

/**
 * The identity a stored token belongs to: the login at that server, so each mailbox (account) has its own
 * row in oauth_tokens, and renaming a configured mailbox keeps its token.
 */
export function accountOf(cfg: Pick<ImapMailbox, 'user' | 'host'>): string {
  return `${cfg.user}@${cfg.host}`.toLowerCase().slice(0, 512);
}

export function createImapCredentials(cfg: ImapMailbox, deps: { db: Database; logger: Logger; timeoutMs: number }): ImapCredentials {
  const auth = cfg.auth;
  if (auth.kind !== 'oauth2') {
    const login: Login = { auth: auth.kind === 'token' ? { user: cfg.user, accessToken: auth.accessToken } : { user: cfg.user, pass: auth.password } };
    return { login: async () => login, afterRefusal: async () => null, health: () => undefined };
  }
  const tokens: AccessTokenProvider = createTokenProvider({ auth, account: accountOf(cfg), db: deps.db, logger: deps.logger, timeoutMs: deps.timeoutMs });
  const toLogin = (t: { token: string; renewAt: number }): Login => ({ auth: { user: cfg.user, accessToken: t.token }, renewAt: t.renewAt });
  return {
    login: async () => toLogin(await tokens.accessToken()),
    afterRefusal: async (refused) => toLogin(await tokens.renew(refused.auth.accessToken ?? '')),
    health: () => tokens.health(),
  };
}
