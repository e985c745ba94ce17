/**
 * Shared setup of the OAuth2 inbox tests: a fake identity provider (test/kit/fake-oauth.ts) that
 * Dovecot's oauth2 passdb asks at every XOAUTH2 login, the environment of a mailbox that signs in through
 * it, and /health read in either of its shapes.
 */
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { startFakeOAuth, type FakeOAuth } from '../kit/fake-oauth.ts';
import { api, type TestService } from '../kit/service.ts';
import { useDovecot, type Mailbox } from './harness.ts';

export const KEY = randomBytes(32);

/** One fake provider + one Dovecot trusting it, for the calling test file. */
export function useOAuthDovecot(): { serial: typeof test.serial; readonly dovecot: ReturnType<typeof useDovecot>['dovecot']; readonly fake: FakeOAuth } {
  let fake: FakeOAuth | undefined;
  const suite = useDovecot(async () => {
    fake = await startFakeOAuth({ ttlSeconds: 4 });
    return { oauth2IntrospectionUrl: fake.introspectionUrl };
  });
  test.after.always(async () => fake?.close());
  return {
    serial: suite.serial,
    get dovecot() {
      return suite.dovecot;
    },
    get fake() {
      return fake!;
    },
  };
}

/** The mailbox signing in with OAuth2 (refresh-token grant) at the fake, with a freshly authorised token. */
export function oauthEnv(fake: FakeOAuth, box: Mailbox, extra: Record<string, string> = {}): Record<string, string> {
  const { IMAP_PASSWORD: _password, ...env } = box.env;
  return {
    ...env,
    IMAP_OAUTH_PROVIDER: 'generic',
    IMAP_OAUTH_TOKEN_URL: fake.tokenUrl,
    IMAP_OAUTH_AUTHORIZE_URL: fake.authorizeUrl,
    IMAP_OAUTH_CLIENT_ID: fake.clientId,
    IMAP_OAUTH_CLIENT_SECRET: fake.clientSecret,
    IMAP_OAUTH_REFRESH_TOKEN: fake.issueRefreshToken(box.user),
    TOKEN_ENCRYPTION_KEY: KEY.toString('base64'),
    ...extra,
  };
}

export interface ImapHealthJson {
  status: string;
  last_error: { message: string; kind: string } | null;
  oauth?: { renewals: number; provider: string; grant: string; refresh_token_stored_at: string | null };
}

/** /health's inbox details (`services.imap` is the plain word, `checks.imap` the details). */
export function imapHealth(json: { checks: { imap: ImapHealthJson } }): ImapHealthJson {
  return json.checks.imap;
}

export async function inboxHealth(svc: TestService): Promise<ImapHealthJson & { overall: string }> {
  const json = (await api(svc.baseUrl, '/health')).json;
  return { ...imapHealth(json), overall: json.status };
}

export async function storedTokens(svc: TestService): Promise<{ account: string; refresh_token: string; key_id: string; version: number }[]> {
  return svc.service.db.sql.query('select account, refresh_token, key_id, version from oauth_tokens order by account');
}
