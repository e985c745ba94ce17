/**
 * The mailbox list (IMAP_MAILBOXES_FILE / IMAP_MAILBOXES): what an operator writes becomes the mailboxes
 * the service reads, and every mistake is named by its place in the list, all at once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ConfigError, loadConfig } from '../../src/config.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');

const support = { id: 'support', host: 'imap.example.com', user: 'support@example.com', passwordEnv: 'SUPPORT_IMAP_PASSWORD' };
const billing = {
  id: 'billing', host: 'imap.example.com', port: 143, tls: false, user: 'billing@example.com', password: 'inline-secret',
  folder: 'Billing', processedFolder: 'Done', defaultCategory: 'billing', slackChannel: 'CBILLING1', pollCron: '*/5 * * * *',
};

/** The problems loadConfig names (it must refuse the environment). */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

test('a list in a file: each entry becomes a mailbox, secrets come from the variables it names', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'st-mailboxes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mailboxes.json');
  writeFileSync(file, JSON.stringify([support, billing], null, 2));
  const c = loadConfig({ IMAP_MAILBOXES_FILE: file, SUPPORT_IMAP_PASSWORD: ' from-env ', IMAP_POLL_CRON: '*/2 * * * *', IMAP_ATTACHMENT_MAX_BYTES: '1000' });
  t.deepEqual(c.mailboxes.map((m) => m.id), ['support', 'billing']);
  const [s, b] = c.mailboxes;
  t.deepEqual(s, {
    id: 'support', host: 'imap.example.com', port: 993, secure: true, user: 'support@example.com',
    auth: { kind: 'password', password: 'from-env' }, mailbox: 'INBOX', processedMailbox: undefined, failedMailbox: undefined,
    pollCron: '*/2 * * * *', supportAddress: 'support@example.com', attachmentMaxBytes: 1000, defaultCategory: undefined, slackChannel: undefined, smtp: undefined,
  });
  t.like(b, {
    port: 143, secure: false, auth: { kind: 'password', password: 'inline-secret' }, mailbox: 'Billing', processedMailbox: 'Done',
    pollCron: '*/5 * * * *', defaultCategory: 'billing', slackChannel: 'CBILLING1',
  });
});

test('the same list inline in IMAP_MAILBOXES; access tokens and OAuth2 per mailbox', (t) => {
  const list = [
    { id: 'brand-b', host: 'outlook.office365.com', user: 'help@brand-b.example', oauth2: { provider: 'microsoft', tenant: 'brand-b.example', clientId: 'app-1', refreshTokenEnv: 'BRAND_B_REFRESH' } },
    { id: 'gmail', host: 'imap.gmail.com', user: 'x@gmail.example', accessTokenEnv: 'GMAIL_TOKEN' },
  ];
  const c = loadConfig({ IMAP_MAILBOXES: JSON.stringify(list), TOKEN_ENCRYPTION_KEY: KEY, BRAND_B_REFRESH: 'rt-1', GMAIL_TOKEN: 'ya29.t' });
  const oauth = c.mailboxes[0]!.auth;
  t.is(oauth.kind, 'oauth2');
  if (oauth.kind !== 'oauth2') return;
  t.is(oauth.tokenUrl, 'https://login.microsoftonline.com/brand-b.example/oauth2/v2.0/token');
  t.is(oauth.refreshToken, 'rt-1');
  t.is(oauth.grant, 'refresh_token');
  t.deepEqual(oauth.encryptionKey, Buffer.alloc(32, 7));
  t.deepEqual(c.mailboxes[1]!.auth, { kind: 'token', accessToken: 'ya29.t' });
});

test('the single-mailbox IMAP_* variables are the one-mailbox case, id "default"', (t) => {
  const c = loadConfig({ IMAP_HOST: 'imap.example.com', IMAP_USER: 'support@example.com', IMAP_PASSWORD: 'pw' });
  t.is(c.mailboxes.length, 1);
  t.like(c.mailboxes[0], { id: 'default', host: 'imap.example.com', port: 993, secure: true, mailbox: 'INBOX', supportAddress: 'support@example.com', auth: { kind: 'password', password: 'pw' } });
  t.deepEqual(loadConfig({}).mailboxes, []);
});

test('every mistake in the list is named by its place, all in one error', (t) => {
  const list = [
    { ...support, port: '993', pasword: 'typo' },
    { id: 'Billing Team', host: '', user: 'b@example.com', password: 'x', passwordEnv: 'B_PW', defaultCategory: 'sales' },
    { id: 'brand', host: 'h', user: 'u', passwordEnv: 'UNSET_VARIABLE', accessToken: 't', slackChannel: 42 },
    { id: 'oauth', host: 'h', user: 'o', oauth2: { provider: 'generic', clientId: 'c', tokenUrl: 'http://tokens.example/token' } },
    { id: 'cc', host: 'h', user: 'c', oauth2: { provider: 'google', grant: 'client_credentials', clientId: 'c' } },
    'not an object',
  ];
  const p = problems({ IMAP_MAILBOXES: JSON.stringify(list), SUPPORT_IMAP_PASSWORD: 'x', B_PW: 'y' });
  const expect = [
    /^IMAP_MAILBOXES\[0\] \(support\)\.port: must be a number$/,
    /^IMAP_MAILBOXES\[0\] \(support\)\.pasword: unknown field$/,
    /^IMAP_MAILBOXES\[1\] \(Billing Team\)\.id: must be 1 to 40 lowercase/,
    /^IMAP_MAILBOXES\[1\] \(Billing Team\)\.host: must not be empty$/,
    /^IMAP_MAILBOXES\[1\] \(Billing Team\)\.defaultCategory: must be one of technical, billing, general$/,
    /^IMAP_MAILBOXES\[2\] \(brand\)\.slackChannel: /,
    /^IMAP_MAILBOXES\[3\] \(oauth\)\.oauth2\.tokenUrl: must be an https:\/\/ URL/,
    /^IMAP_MAILBOXES\[5\]: /,
  ];
  for (const re of expect) t.true(p.some((line) => re.test(line)), `${re} not in:\n${p.join('\n')}`);

  // Rules across fields (checked once an entry's fields are well-formed).
  const cross = problems({
    IMAP_MAILBOXES: JSON.stringify([
      { id: 'a', host: 'h', user: 'a', password: 'hunter2-inline', passwordEnv: 'A_PW' },
      { id: 'b', host: 'h', user: 'b', passwordEnv: 'UNSET_VARIABLE' },
      { id: 'c', host: 'h', user: 'c', password: 'x', accessToken: 't' },
      { id: 'd', host: 'h', user: 'd' },
      { id: 'e', host: 'h', user: 'e', oauth2: { provider: 'microsoft', clientId: 'c' } },
      { id: 'f', host: 'h', user: 'f', oauth2: { provider: 'google', grant: 'client_credentials', clientId: 'c' } },
    ]),
    A_PW: 'hunter2-from-env',
  });
  const expectCross = [
    /^IMAP_MAILBOXES\[0\] \(a\)\.password: set password or passwordEnv, not both$/,
    /^IMAP_MAILBOXES\[1\] \(b\)\.passwordEnv: the environment variable UNSET_VARIABLE is not set$/,
    /^IMAP_MAILBOXES\[2\] \(c\)\.accessToken: set only one of password, accessToken/,
    /^IMAP_MAILBOXES\[3\] \(d\)\.password: one of password, passwordEnv, accessToken, accessTokenEnv or oauth2 is required$/,
    /^IMAP_MAILBOXES\[4\] \(e\)\.oauth2\.tenant: required with provider microsoft/,
    /^IMAP_MAILBOXES\[4\] \(e\)\.oauth2: TOKEN_ENCRYPTION_KEY is required/,
    /^IMAP_MAILBOXES\[5\] \(f\)\.oauth2\.grant: Google has no client-credentials grant/,
    /^IMAP_MAILBOXES\[5\] \(f\)\.oauth2\.clientSecret: required with grant client_credentials/,
  ];
  for (const re of expectCross) t.true(cross.some((line) => re.test(line)), `${re} not in:\n${cross.join('\n')}`);
  // A secret's value never appears in a message.
  t.false(cross.join('\n').includes('hunter2'));
});

test('the same mailbox twice, a repeated id, two sources and leftover single-mailbox variables are refused', (t) => {
  const twice = problems({
    IMAP_MAILBOXES: JSON.stringify([
      { id: 'one', host: 'IMAP.example.com', user: 'Support@example.com', password: 'x' },
      { id: 'two', host: 'imap.example.com', user: 'support@example.com', password: 'x' },
      { id: 'one', host: 'imap.example.com', user: 'other@example.com', password: 'x' },
      // Same account, another folder: a different mailbox, accepted.
      { id: 'archive', host: 'imap.example.com', user: 'support@example.com', password: 'x', folder: 'Archive' },
    ]),
  });
  t.deepEqual(twice, [
    'IMAP_MAILBOXES: "two" reads the same folder of the same account as "one" (support@example.com@imap.example.com:993/INBOX)',
    'IMAP_MAILBOXES: id "one" is used twice; every mailbox needs its own',
  ]);
  const list = JSON.stringify([support]);
  const both = problems({ IMAP_MAILBOXES: list, IMAP_MAILBOXES_FILE: '/nonexistent.json', SUPPORT_IMAP_PASSWORD: 'x' });
  t.true(both.includes('IMAP_MAILBOXES: set IMAP_MAILBOXES_FILE or IMAP_MAILBOXES, not both'), both.join('\n'));
  const leftovers = problems({ IMAP_MAILBOXES: list, SUPPORT_IMAP_PASSWORD: 'x', IMAP_HOST: 'imap.example.com', IMAP_PASSWORD: 'pw' });
  t.deepEqual(leftovers, [
    'IMAP_HOST: not used with IMAP_MAILBOXES; describe that mailbox as an entry of the list instead',
    'IMAP_PASSWORD: not used with IMAP_MAILBOXES; describe that mailbox as an entry of the list instead',
  ]);
});

test('a file that is missing, is not JSON, or is not a list is named with the reason', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'st-mailboxes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const missing = path.join(dir, 'nope.json');
  t.deepEqual(problems({ IMAP_MAILBOXES_FILE: missing }), [`IMAP_MAILBOXES_FILE: cannot read ${missing} (ENOENT)`]);
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, '[{"id": "support",}]');
  t.regex(problems({ IMAP_MAILBOXES_FILE: bad })[0]!, /^IMAP_MAILBOXES_FILE: not valid JSON \(/);
  for (const value of ['{"id": "support"}', '[]', '"support"']) {
    t.regex(problems({ IMAP_MAILBOXES: value })[0]!, /^IMAP_MAILBOXES: must be a JSON array with one object per mailbox/);
  }
  // Problems elsewhere are still listed beside the list's.
  const mixed = problems({ IMAP_MAILBOXES: '[]', PORT: 'x', TOKEN_ENCRYPTION_KEY: 'short' });
  t.true(mixed.some((p) => p.startsWith('PORT:')) && mixed.some((p) => p.startsWith('TOKEN_ENCRYPTION_KEY:')) && mixed.some((p) => p.startsWith('IMAP_MAILBOXES:')), mixed.join('\n'));
});

test('an invalid TOKEN_ENCRYPTION_KEY is reported once, not also as missing for each OAuth2 mailbox', (t) => {
  const list = [{ id: 'o', host: 'h', user: 'u', oauth2: { provider: 'google', clientId: 'c' } }];
  const p = problems({ IMAP_MAILBOXES: JSON.stringify(list), TOKEN_ENCRYPTION_KEY: 'short' });
  t.is(p.length, 1, p.join('\n'));
  t.regex(p[0]!, /^TOKEN_ENCRYPTION_KEY: must be 32 random bytes/);
});

test('imap:authorize and imap:replay with several mailboxes: --id chooses, an unknown or missing choice is refused', (t) => {
  const list = JSON.stringify([
    { id: 'a', host: '127.0.0.1', user: 'a', oauth2: { provider: 'google', clientId: 'c' } },
    { id: 'b', host: '127.0.0.1', user: 'b', oauth2: { provider: 'google', clientId: 'c' } },
  ]);
  const env = { PATH: process.env.PATH ?? '', IMAP_MAILBOXES: list, TOKEN_ENCRYPTION_KEY: KEY, PGLITE_DATA_DIR: 'memory://' };
  const run = (script: string, args: string[]) =>
    spawnSync(process.execPath, [new URL(`../../src/${script}`, import.meta.url).pathname, ...args], { encoding: 'utf8', cwd: tmpdir(), env, timeout: 30_000 });
  const none = run('cli/imap-authorize.ts', ['--no-listen', '--redirect-uri', 'https://triage.example.com/oauth/callback']);
  t.is(none.status, 2);
  t.regex(none.stderr, /several mailboxes are configured: choose one with --id \(a, b\)/);
  const unknown = run('cli/imap-authorize.ts', ['--id', 'c']);
  t.is(unknown.status, 2);
  t.regex(unknown.stderr, /no configured mailbox "c" \(configured: a, b\)/);
  const replay = run('cli/imap-replay.ts', ['--since', '2026-11-01', '--id', 'x']);
  t.is(replay.status, 2);
  t.regex(replay.stderr, /no configured mailbox x \(configured: a, b\)/);
});
