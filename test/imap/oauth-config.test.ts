/**
 * OAuth2 inbox configuration and the token vault, without a mail server: presets resolve to the real
 * endpoints, every missing or contradictory setting is named at start, and the stored token is sealed
 * (not readable, not movable to another mailbox, not openable with another key).
 */
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { ConfigError, loadConfig, type ImapOAuth2 } from '../../src/config.ts';
import { decryptToken, encryptToken, keyIdOf, TokenKeyError } from '../../src/inbound/imap/oauth/token-store.ts';

const KEY = randomBytes(32);
const base = { IMAP_HOST: 'imap.example.com', IMAP_USER: 'support@example.com' };
const oauth = (env: Record<string, string>): ImapOAuth2 => {
  const auth = loadConfig({ ...base, ...env }).mailboxes[0]!.auth;
  if (auth.kind !== 'oauth2') throw new Error(`expected oauth2, got ${auth.kind}`);
  return auth;
};
const problems = (env: Record<string, string>): string => {
  const err = (() => {
    try {
      loadConfig({ ...base, ...env });
    } catch (e) {
      return e;
    }
    throw new Error('expected a ConfigError');
  })();
  if (!(err instanceof ConfigError)) throw err;
  return err.message;
};

test('Google preset: Google\'s token endpoint and the Gmail IMAP scope, offline consent', (t) => {
  const a = oauth({ IMAP_OAUTH_PROVIDER: 'google', IMAP_OAUTH_CLIENT_ID: 'id.apps.googleusercontent.com', IMAP_OAUTH_CLIENT_SECRET: 's', TOKEN_ENCRYPTION_KEY: KEY.toString('base64') });
  t.is(a.tokenUrl, 'https://oauth2.googleapis.com/token');
  t.is(a.authorizeUrl, 'https://accounts.google.com/o/oauth2/v2/auth');
  t.is(a.scope, 'https://mail.google.com/');
  t.is(a.grant, 'refresh_token');
  t.is(a.authorizeParams.access_type, 'offline');
  t.deepEqual(a.encryptionKey, KEY);
});

test('Microsoft preset: tenant endpoints, delegated IMAP.AccessAsUser.All + offline_access, app-only .default', (t) => {
  const delegated = oauth({ IMAP_OAUTH_PROVIDER: 'microsoft', IMAP_OAUTH_TENANT: 'contoso.onmicrosoft.com', IMAP_OAUTH_CLIENT_ID: 'app', TOKEN_ENCRYPTION_KEY: KEY.toString('hex') });
  t.is(delegated.tokenUrl, 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token');
  t.is(delegated.scope, 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access');
  t.is(delegated.clientSecret, undefined, 'a public client (desktop platform) has no secret');
  const app = oauth({ IMAP_OAUTH_PROVIDER: 'microsoft', IMAP_OAUTH_TENANT: 'tid', IMAP_OAUTH_GRANT: 'client_credentials', IMAP_OAUTH_CLIENT_ID: 'app', IMAP_OAUTH_CLIENT_SECRET: 'secret' });
  t.is(app.scope, 'https://outlook.office365.com/.default');
  t.is(app.encryptionKey, undefined, 'client credentials store nothing, so need no key');
  t.is(oauth({ IMAP_OAUTH_PROVIDER: 'microsoft', IMAP_OAUTH_TENANT: 'tid', IMAP_OAUTH_CLIENT_ID: 'a', TOKEN_ENCRYPTION_KEY: KEY.toString('hex'), IMAP_OAUTH_SCOPE: 'custom' }).scope, 'custom');
});

test('a fixed IMAP_ACCESS_TOKEN and a password keep working as before', (t) => {
  t.deepEqual(loadConfig({ ...base, IMAP_ACCESS_TOKEN: 'ya29.x' }).mailboxes[0]!.auth, { kind: 'token', accessToken: 'ya29.x' });
  t.deepEqual(loadConfig({ ...base, IMAP_PASSWORD: 'pw' }).mailboxes[0]!.auth, { kind: 'password', password: 'pw' });
});

test('every missing or contradictory OAuth2 setting is named at start', (t) => {
  t.regex(problems({ IMAP_OAUTH_PROVIDER: 'google', IMAP_OAUTH_CLIENT_ID: 'x' }), /TOKEN_ENCRYPTION_KEY: required with OAuth2 refresh tokens.*openssl rand -base64 32/);
  t.regex(problems({ IMAP_OAUTH_PROVIDER: 'google', IMAP_OAUTH_CLIENT_ID: 'x', TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' }), /TOKEN_ENCRYPTION_KEY: must be 32 random bytes/);
  t.regex(problems({ IMAP_OAUTH_PROVIDER: 'google', IMAP_OAUTH_CLIENT_ID: 'x', TOKEN_ENCRYPTION_KEY: 'not a key at all!' }), /TOKEN_ENCRYPTION_KEY: must be 32 random bytes/);
  const many = problems({ IMAP_OAUTH_PROVIDER: 'microsoft' });
  for (const name of ['IMAP_OAUTH_CLIENT_ID', 'IMAP_OAUTH_TENANT', 'TOKEN_ENCRYPTION_KEY']) t.true(many.includes(name), `${name} in: ${many}`);
  t.regex(problems({ IMAP_OAUTH_PROVIDER: 'generic', IMAP_OAUTH_CLIENT_ID: 'x', TOKEN_ENCRYPTION_KEY: KEY.toString('hex') }), /IMAP_OAUTH_TOKEN_URL: required/);
  t.regex(problems({ IMAP_OAUTH_PROVIDER: 'google', IMAP_OAUTH_GRANT: 'client_credentials', IMAP_OAUTH_CLIENT_ID: 'x', IMAP_OAUTH_CLIENT_SECRET: 's' }), /Google has no client-credentials grant/);
  t.regex(problems({ IMAP_OAUTH_PROVIDER: 'microsoft', IMAP_OAUTH_TENANT: 't', IMAP_OAUTH_GRANT: 'client_credentials', IMAP_OAUTH_CLIENT_ID: 'x' }), /IMAP_OAUTH_CLIENT_SECRET: required/);
  t.regex(problems({ IMAP_OAUTH_PROVIDER: 'google', IMAP_PASSWORD: 'pw', IMAP_OAUTH_CLIENT_ID: 'x', TOKEN_ENCRYPTION_KEY: KEY.toString('hex') }), /set only one of IMAP_PASSWORD, IMAP_OAUTH_PROVIDER/);
  t.regex(problems({ IMAP_OAUTH_PROVIDER: 'Google' }), /IMAP_OAUTH_PROVIDER: must be google, microsoft or generic/);
  t.regex(problems({ IMAP_OAUTH_PROVIDER: 'google', IMAP_OAUTH_GRANT: 'password' }), /IMAP_OAUTH_GRANT: must be refresh_token or client_credentials/);
  t.regex(problems({}), /IMAP_PASSWORD, IMAP_ACCESS_TOKEN or IMAP_OAUTH_PROVIDER is required/);
});

test('token endpoints must be HTTPS; plain HTTP only to this machine', (t) => {
  const env = { IMAP_OAUTH_PROVIDER: 'generic', IMAP_OAUTH_CLIENT_ID: 'x', TOKEN_ENCRYPTION_KEY: KEY.toString('hex') };
  t.regex(problems({ ...env, IMAP_OAUTH_TOKEN_URL: 'http://idp.example.com/token' }), /IMAP_OAUTH_TOKEN_URL: must be an https:\/\/ URL/);
  t.regex(problems({ ...env, IMAP_OAUTH_TOKEN_URL: 'ftp://127.0.0.1/token' }), /IMAP_OAUTH_TOKEN_URL/);
  t.is(oauth({ ...env, IMAP_OAUTH_TOKEN_URL: 'http://127.0.0.1:9/token' }).tokenUrl, 'http://127.0.0.1:9/token');
  t.is(oauth({ ...env, IMAP_OAUTH_TOKEN_URL: 'https://idp.example.com/oauth/token' }).issuer, 'https://idp.example.com');
});

test('the sealed token is not the plaintext, opens only with its key and only for its mailbox', (t) => {
  const token = `1//0g${randomBytes(40).toString('base64url')}`;
  const sealed = encryptToken(KEY, 'support@example.com@imap.example.com', token);
  t.false(sealed.includes(token));
  t.not(encryptToken(KEY, 'support@example.com@imap.example.com', token), sealed, 'a fresh IV every time');
  t.is(decryptToken(KEY, 'support@example.com@imap.example.com', sealed), token);
  t.throws(() => decryptToken(randomBytes(32), 'support@example.com@imap.example.com', sealed), { instanceOf: TokenKeyError });
  t.throws(() => decryptToken(KEY, 'other@example.com@imap.example.com', sealed), { instanceOf: TokenKeyError });
  const [v, iv, tag, ct] = sealed.split('.');
  const flipped = Buffer.from(ct!, 'base64url');
  flipped[0]! ^= 1;
  t.throws(() => decryptToken(KEY, 'support@example.com@imap.example.com', [v, iv, tag, flipped.toString('base64url')].join('.')), { instanceOf: TokenKeyError });
  t.throws(() => decryptToken(KEY, 'support@example.com@imap.example.com', 'garbage'), { instanceOf: TokenKeyError });
  t.not(keyIdOf(KEY), keyIdOf(randomBytes(32)));
  t.false(keyIdOf(KEY).includes(KEY.toString('hex').slice(0, 8)));
});
