/**
 * OAuth2 that renews itself, against a real Dovecot asking a fake identity provider whose access tokens
 * live 4 s and whose refresh tokens rotate on every use: mail keeps flowing across token lifetimes, the
 * rotated token survives a restart (stored encrypted), a revoked grant or a changed key is reported in
 * /health, and an endpoint outage or a failed store loses neither mail nor the rotation.
 */
import { randomBytes } from 'node:crypto';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { decryptToken, keyIdOf } from '../../src/inbound/imap/oauth/token-store.ts';
import { durableDatabase } from '../kit/database.ts';
import { serveForTest, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { events, folder, mail, newMailbox, tickets } from './harness.ts';
import { inboxHealth, KEY, oauthEnv, storedTokens, useOAuthDovecot } from './oauth-harness.ts';

const suite = useOAuthDovecot();
const serial = suite.serial;
const classifier = createKeywordClassifier();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const customerMail = (tag: string) => mail({ from: `${tag}@customer.example`, subject: `Question ${tag}`, body: `Please help with ${tag}.`, messageId: `<${tag}@customer.example>` });
const connected = (svc: TestService) => waitFor(async () => (await inboxHealth(svc)).status === 'connected', { what: 'inbox connected', timeoutMs: 30_000 });

serial('mail keeps being read across more than three token lifetimes without a restart, each login with a renewed token', async (t) => {
  const fake = suite.fake;
  const box = await newMailbox(suite.dovecot);
  const env = oauthEnv(fake, box);
  const original = env.IMAP_OAUTH_REFRESH_TOKEN!;
  const before = { refreshes: fake.stats.refreshes, accepted: fake.stats.accepted.size, rejected: fake.stats.rejected.length };
  const svc = await serveForTest(t, env, { classifier });
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < 3.5 * fake.ttlSeconds * 1000) {
    await suite.dovecot.append(box.user, box.password, 'INBOX', [customerMail(`life-${randomBytes(3).toString('hex')}-${sent}`)]);
    const want = ++sent;
    await waitFor(async () => (await tickets(svc)).length === want, { what: `mail ${want} read`, timeoutMs: 30_000 });
    await sleep(700);
  }
  const rows = await tickets(svc);
  t.is(new Set(rows.map((r) => r.external_id)).size, sent, 'every mail once');
  t.is((await events(svc)).filter((e) => e.verdict === 'duplicate').length, 0, 'no mail read twice across the re-logins');
  await waitFor(async () => (await folder(suite.dovecot, box)).every((m) => m.seen), { what: 'all \\Seen' });
  t.true(fake.stats.refreshes - before.refreshes >= 3, `renewed ${fake.stats.refreshes - before.refreshes} times`);
  t.true(fake.stats.accepted.size - before.accepted >= 3, 'Dovecot accepted at least three different access tokens');
  t.false(fake.isValid(original), 'the original refresh token was rotated away');
  t.is(fake.stats.rejected.length, before.rejected, 'never a spent refresh token');
  const h = await inboxHealth(svc);
  t.true(['connected', 'connecting'].includes(h.status));
  t.true(h.oauth!.renewals >= 3);
});

serial('the rotated refresh token is stored encrypted, and a restarted service uses it instead of the spent original', async (t) => {
  const fake = suite.fake;
  fake.ttlSeconds = 60; // one renewal per service start: the row can be checked against the fake
  t.teardown(() => void (fake.ttlSeconds = 4));
  const dbEnv = await durableDatabase(t);
  const box = await newMailbox(suite.dovecot);
  const env = { ...oauthEnv(fake, box), ...dbEnv };
  const original = env.IMAP_OAUTH_REFRESH_TOKEN!;

  const first = await serveForTest(t, env, { classifier });
  await connected(first);
  const [row] = await storedTokens(first);
  t.truthy(row, 'a row for the mailbox');
  t.is(row!.account, `${box.user}@127.0.0.1`);
  t.regex(row!.refresh_token, /^v1\./);
  t.is(row!.key_id, keyIdOf(KEY));
  const stored = decryptToken(KEY, row!.account, row!.refresh_token);
  t.false(row!.refresh_token.includes(stored), 'the row is not the plaintext');
  t.not(stored, original);
  t.true(fake.isValid(stored), 'the stored token is the one the provider handed out last');
  t.false(fake.isValid(original));
  await first.stop();

  // Same environment (IMAP_OAUTH_REFRESH_TOKEN still names the spent original), same database.
  const second = await serveForTest(t, env, { classifier });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [customerMail(`restart-${box.user}`)]);
  await waitFor(async () => (await tickets(second)).length === 1, { what: 'mail read after the restart', timeoutMs: 30_000 });
  t.false(fake.stats.rejected.includes(original), 'the spent original was never tried again');
  const [after] = await storedTokens(second);
  t.is(after!.version, row!.version + 1, 'the restart rotated once more and stored it');
  t.true(fake.isValid(decryptToken(KEY, after!.account, after!.refresh_token)));
});

serial('a revoked grant: /health shows the inbox failing with kind auth and says to run imap:authorize; retried slowly', async (t) => {
  const fake = suite.fake;
  const box = await newMailbox(suite.dovecot);
  const svc = await serveForTest(t, oauthEnv(fake, box), { classifier });
  await connected(svc);
  fake.revokeAll();
  const h = await waitFor(async () => {
    const x = await inboxHealth(svc);
    return x.status === 'failing' ? x : null;
  }, { what: 'auth failure in /health', timeoutMs: 30_000 });
  t.is(h.last_error!.kind, 'auth');
  t.regex(h.last_error!.message, /invalid_grant/);
  t.regex(h.last_error!.message, /npm run imap:authorize/);
  t.is(h.overall, 'degraded');
  const attempts = fake.stats.rejected.length;
  await suite.dovecot.append(box.user, box.password, 'INBOX', [customerMail(`revoked-${box.user}`)]);
  await sleep(3_000);
  t.is(fake.stats.rejected.length, attempts, 'no hammering of the token endpoint with a dead token');
  t.is((await tickets(svc)).length, 0);
  t.is((await inboxHealth(svc)).last_error!.kind, 'auth');
});

serial('a changed TOKEN_ENCRYPTION_KEY is reported clearly; the stored token is neither used nor overwritten', async (t) => {
  const fake = suite.fake;
  fake.ttlSeconds = 60;
  t.teardown(() => void (fake.ttlSeconds = 4));
  const dbEnv = await durableDatabase(t);
  const box = await newMailbox(suite.dovecot);
  const env = { ...oauthEnv(fake, box), ...dbEnv };
  const first = await serveForTest(t, env, { classifier });
  await connected(first);
  const [row] = await storedTokens(first);
  await first.stop();

  const refreshes = fake.stats.refreshes;
  const other = randomBytes(32);
  const second = await serveForTest(t, { ...env, TOKEN_ENCRYPTION_KEY: other.toString('hex') }, { classifier });
  const h = await waitFor(async () => {
    const x = await inboxHealth(second);
    return x.status === 'failing' ? x : null;
  }, { what: 'key error in /health', timeoutMs: 30_000 });
  t.is(h.last_error!.kind, 'config');
  t.regex(h.last_error!.message, new RegExp(`TOKEN_ENCRYPTION_KEY changed.*encrypted with key ${keyIdOf(KEY)}, the configured key is ${keyIdOf(other)}`));
  t.regex(h.last_error!.message, /imap:authorize/);
  t.is(fake.stats.refreshes, refreshes, 'nothing was sent to the provider');
  t.deepEqual(await storedTokens(second), [row!], 'the row is untouched');
  t.true(fake.isValid(decryptToken(KEY, row!.account, row!.refresh_token)), 'and still good with the right key');
});

serial('client credentials (Entra ID app-only): tokens without a refresh token, renewed each lifetime, nothing stored', async (t) => {
  const fake = suite.fake;
  const box = await newMailbox(suite.dovecot);
  fake.user = box.user;
  const { IMAP_OAUTH_REFRESH_TOKEN: _rt, TOKEN_ENCRYPTION_KEY: _key, ...env } = oauthEnv(fake, box, { IMAP_OAUTH_GRANT: 'client_credentials', IMAP_OAUTH_SCOPE: 'https://outlook.office365.com/.default' });
  const before = fake.stats.clientCredentials;
  const svc = await serveForTest(t, env, { classifier });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [customerMail(`app-1-${box.user}`)]);
  await waitFor(async () => (await tickets(svc)).length === 1, { what: 'first mail', timeoutMs: 30_000 });
  await waitFor(() => fake.stats.clientCredentials - before >= 2, { what: 'a renewal', timeoutMs: 30_000 });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [customerMail(`app-2-${box.user}`)]);
  await waitFor(async () => (await tickets(svc)).length === 2, { what: 'mail after the renewal', timeoutMs: 30_000 });
  t.deepEqual(await storedTokens(svc), []);
  t.is((await inboxHealth(svc)).oauth!.grant, 'client_credentials');
});

serial('the token endpoint down at start and again mid-way: transient in /health, then every mail read once', async (t) => {
  const fake = suite.fake;
  const box = await newMailbox(suite.dovecot);
  const rejected = fake.stats.rejected.length;
  fake.down = true;
  t.teardown(() => void (fake.down = false));
  const svc = await serveForTest(t, oauthEnv(fake, box), { classifier });
  const h = await waitFor(async () => {
    const x = await inboxHealth(svc);
    return x.status === 'failing' ? x : null;
  }, { what: 'endpoint down in /health', timeoutMs: 30_000 });
  t.is(h.last_error!.kind, 'transient');
  t.regex(h.last_error!.message, /token endpoint .* could not be reached/);
  await suite.dovecot.append(box.user, box.password, 'INBOX', [customerMail(`down-1-${box.user}`)]);
  fake.down = false;
  await waitFor(async () => (await tickets(svc)).length === 1, { what: 'mail once the endpoint is back', timeoutMs: 60_000 });

  fake.down = true; // mid-way: the next renewal fails
  await waitFor(async () => (await inboxHealth(svc)).status === 'failing', { what: 'renewal failing', timeoutMs: 30_000 });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [customerMail(`down-2-${box.user}`), customerMail(`down-3-${box.user}`)]);
  fake.down = false;
  await waitFor(async () => (await tickets(svc)).length === 3, { what: 'mail after the second outage', timeoutMs: 60_000 });
  t.is((await events(svc)).filter((e) => e.verdict === 'duplicate').length, 0);
  t.is(fake.stats.rejected.length, rejected, 'no rotation lost to the outages');
});

serial('the rotated token cannot be stored: its access token is not used, and it is stored first once the database works', async (t) => {
  const fake = suite.fake;
  const box = await newMailbox(suite.dovecot);
  const svc = await serveForTest(t, oauthEnv(fake, box), { classifier });
  await connected(svc);
  const rejected = fake.stats.rejected.length;
  // The disk is full (or the database read-only): reads work, writes of the token table fail.
  const sql = svc.service.db.sql;
  await sql.query(`create function oauth_tokens_refuse() returns trigger language plpgsql as $$ begin raise exception 'could not extend file: No space left on device'; end $$`);
  await sql.query('create trigger oauth_tokens_refuse before insert or update on oauth_tokens for each row execute function oauth_tokens_refuse()');
  let restored = false;
  const restore = async () => {
    restored = true;
    await sql.query('drop trigger oauth_tokens_refuse on oauth_tokens');
  };
  t.teardown(async () => {
    if (!restored) await restore().catch(() => {});
  });
  const h = await waitFor(async () => {
    const x = await inboxHealth(svc);
    return x.status === 'failing' ? x : null;
  }, { what: 'store failure in /health', timeoutMs: 30_000 });
  t.is(h.last_error!.kind, 'transient');
  t.regex(h.last_error!.message, /rotated OAuth2 refresh token could not be stored .*No space left/);
  const refreshes = fake.stats.refreshes;
  const accepted = fake.stats.accepted.size;
  await sleep(2_500);
  t.is(fake.stats.refreshes, refreshes, 'retries store the rotated token first instead of spending it');
  t.is(fake.stats.accepted.size, accepted, 'no login with the unstored rotation\'s access token');
  await suite.dovecot.append(box.user, box.password, 'INBOX', [customerMail(`store-${box.user}`)]);
  await restore();
  await waitFor(async () => (await tickets(svc)).length === 1, { what: 'mail once the token is stored', timeoutMs: 60_000 });
  t.is(fake.stats.rejected.length, rejected, 'the rotation was not lost: the next refresh used it');
  // The row holds the provider's current token (unless a renewal rotated it again in between: then a newer row).
  const [row] = await storedTokens(svc);
  if (!fake.isValid(decryptToken(KEY, row!.account, row!.refresh_token))) t.true((await storedTokens(svc))[0]!.version > row!.version);
  else t.pass();
});
