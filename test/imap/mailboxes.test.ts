/**
 * Several mailboxes on one Dovecot, wired as production wires them (IMAP_MAILBOXES_FILE / IMAP_MAILBOXES,
 * createService): each reads its own mail onto tickets that say where they came from, a mailbox's default
 * category and Slack channel apply, one failing mailbox neither stops nor delays the others and /health and
 * /metrics say which one fails, and two instances read each mailbox once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { loadConfig } from '../../src/config.ts';
import { createMailboxReaders } from '../../src/inbound/imap/mailboxes.ts';
import { freePort } from '../kit/net.ts';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { SLACK_SIGNING_SECRET as SIGNING_SECRET } from '../kit/signing.ts';
import { CHANNELS } from '../kit/slack.ts';
import { FAST, mail, newMailbox, useDovecot, type Mailbox } from './harness.ts';

const suite = useDovecot();
const serial = suite.serial;

/** A list entry for a Dovecot user; its password is read from the variable `<ID>_PW`. */
const entry = (id: string, box: Mailbox, extra: Record<string, unknown> = {}) => ({
  id, host: suite.dovecot.host, port: suite.dovecot.port, tls: false, user: box.user, passwordEnv: `${id.toUpperCase().replace(/-/g, '_')}_PW`,
  supportAddress: `${id}@triage.test`, pollCron: '*/1 * * * * *', ...extra,
});
const secrets = (pairs: [string, Mailbox][]) => Object.fromEntries(pairs.map(([id, b]) => [`${id.toUpperCase().replace(/-/g, '_')}_PW`, b.password]));

interface Row { id: number; subject: string; category: string | null; mailbox_id: string | null; status: string }
const rows = (svc: TestService) =>
  svc.service.db.sql.query<Row>(`select id, subject, category, status, metadata->>'mailbox_id' as mailbox_id from tickets where source = 'email' order by id`);

const metric = (text: string, name: string, mailbox: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`mailbox="${mailbox}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

serial('three mailboxes from a file: each reads its own mail, tickets say which, default category and channel apply', async (t) => {
  const [support, billing, brand] = [await newMailbox(suite.dovecot), await newMailbox(suite.dovecot), await newMailbox(suite.dovecot)];
  const dir = mkdtempSync(path.join(tmpdir(), 'st-mailboxes-'));
  const file = path.join(dir, 'mailboxes.json');
  writeFileSync(file, JSON.stringify([
    entry('support', support),
    entry('billing', billing, { defaultCategory: 'billing' }),
    entry('brand-b', brand, { slackChannel: 'CBRANDB01' }),
  ]));
  const fake = await startFakeSlack();
  const svc = await startTestService({
    IMAP_MAILBOXES_FILE: file, ...secrets([['support', support], ['billing', billing], ['brand-b', brand]]),
    SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl,
    SLACK_CHANNEL_TECHNICAL: CHANNELS.technical, SLACK_CHANNEL_BILLING: CHANNELS.billing, SLACK_CHANNEL_GENERAL: CHANNELS.general, SLACK_CHANNEL_TRIAGE: CHANNELS.triage,
  }, { classifier: createKeywordClassifier() });
  t.teardown(async () => {
    await svc.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // The keyword classifier is unsure (0.5) about mail without keywords, sure about "crash"/"invoice".
  await suite.dovecot.append(support.user, support.password, 'INBOX', [mail({ from: 'ann@customer.example', to: 'support@triage.test', subject: 'support: a question', body: 'Hello, what are your opening hours?' })]);
  await suite.dovecot.append(billing.user, billing.password, 'INBOX', [
    mail({ from: 'bob@customer.example', to: 'billing@triage.test', subject: 'billing: a question', body: 'Hello, what are your opening hours?' }),
    mail({ from: 'cy@customer.example', to: 'billing@triage.test', subject: 'billing: app crash', body: 'The app crashes with an error and a bug on startup.' }),
  ]);
  await suite.dovecot.append(brand.user, brand.password, 'INBOX', [
    mail({ from: 'dee@customer.example', to: 'brand-b@triage.test', subject: 'brand-b: invoice', body: 'My invoice was charged twice, please refund.' }),
    // Our own address writing to itself: loop protection per mailbox (its support address).
    mail({ from: 'brand-b@triage.test', to: 'brand-b@triage.test', subject: 'brand-b: loop', body: 'Auto-reply from ourselves' }),
  ]);

  const all = await waitFor(async () => {
    const r = await rows(svc);
    return r.length === 4 && r.every((x) => x.status !== 'processing') ? r : null;
  }, { what: 'four classified tickets', timeoutMs: 30_000 });
  const by = Object.fromEntries(all.map((r) => [r.subject, r]));
  t.like(by['support: a question'], { mailbox_id: 'support', category: 'general' });
  t.like(by['billing: a question'], { mailbox_id: 'billing', category: 'billing' }, 'the mailbox category wins over an unsure classifier');
  t.like(by['billing: app crash'], { mailbox_id: 'billing', category: 'technical' }, 'a confident classifier wins over the mailbox category');
  t.like(by['brand-b: invoice'], { mailbox_id: 'brand-b', category: 'billing' });
  t.falsy(by['brand-b: loop']);
  // The API shows the mailbox on each ticket and lists one mailbox's tickets.
  t.is((await api(svc.baseUrl, `/api/v1/requests/${by['brand-b: invoice']!.id}`)).json.origin.mailbox_id, 'brand-b');
  const billingList = (await api(svc.baseUrl, '/api/v1/requests?mailbox=billing')).json;
  t.deepEqual(billingList.items.map((i: { subject: string }) => i.subject).sort(), ['billing: a question', 'billing: app crash']);
  t.is((await api(svc.baseUrl, '/api/v1/requests?mailbox=nowhere')).json.total, 0);
  const loop = await svc.service.db.sql.query<{ metadata: { mailbox_id?: string } }>(`select metadata from inbound_events where source = 'email' and verdict = 'ignored'`);
  t.deepEqual(loop.map((e) => e.metadata.mailbox_id), ['brand-b']);

  // Alerts: unsure without a mailbox category -> triage; the mailbox's category -> its channel; the brand's channel for all of its tickets.
  const alerts = await waitFor(() => {
    const posted = fake.messages.filter((m) => m.metadata?.event_type === 'support_ticket_alert');
    return posted.length === 4 ? posted : null;
  }, { what: 'four alerts', timeoutMs: 30_000 });
  const channelOf = (subject: string) => alerts.find((m) => Number(m.metadata!.event_payload.ticket_id) === by[subject]!.id)?.channel;
  t.is(channelOf('support: a question'), CHANNELS.triage);
  t.is(channelOf('billing: a question'), CHANNELS.billing);
  t.is(channelOf('billing: app crash'), CHANNELS.technical);
  t.is(channelOf('brand-b: invoice'), 'CBRANDB01');

  // One cursor per mailbox (same server, same folder name, different accounts).
  const cursors = await svc.service.db.sql.query<{ mailbox: string; last_uid: number }>('select mailbox, last_uid from mailbox_cursors order by mailbox');
  t.is(cursors.length, 3);
  t.true(cursors.every((c) => c.mailbox.endsWith('/INBOX')));

  const health = (await api(svc.baseUrl, '/health')).json;
  t.is(health.services.imap, 'healthy');
  t.is(health.checks.imap.status, 'connected');
  t.deepEqual(Object.keys(health.checks.imap.mailboxes).sort(), ['billing', 'brand-b', 'support']);
  t.is(health.checks.imap.mailboxes['brand-b'].status, 'connected');
  t.is(health.checks.imap.mailboxes['brand-b'].mailbox_id, 'brand-b');
  t.deepEqual(health.checks.imap.failing, []);
  const metrics = (await api(svc.baseUrl, '/metrics')).text;
  for (const id of ['support', 'billing', 'brand-b']) t.is(metric(metrics, 'imap_mailbox_up', id), 1, id);
  // docs/imap.md promises the backlog per mailbox: all read, none left.
  for (const id of ['support', 'billing', 'brand-b']) t.is(metric(metrics, 'imap_mailbox_backlog', id), 0, id);
  t.is(metric(metrics, 'imap_mail_total', 'billing'), 2);
  t.true(metrics.includes('imap_mail_total{mailbox="brand-b",outcome="ignored"} 1'));
  t.true((metric(metrics, 'imap_mailbox_last_fetch_timestamp_seconds', 'support') ?? 0) > Date.now() / 1000 - 60);
});

serial('a mailbox with a wrong password and one whose server is down never stop the others; /health and /metrics say which', async (t) => {
  const good = await newMailbox(suite.dovecot);
  const wrong = await newMailbox(suite.dovecot);
  const closedPort = await freePort();
  const list = [
    entry('wrong', wrong),
    entry('down', good, { port: closedPort }),
    entry('good', good),
  ];
  const svc = await startTestService({ IMAP_MAILBOXES: JSON.stringify(list), WRONG_PW: 'not-the-password', DOWN_PW: good.password, GOOD_PW: good.password }, { classifier: createKeywordClassifier() });
  t.teardown(() => svc.stop());
  const health = await waitFor(async () => {
    const h = (await api(svc.baseUrl, '/health')).json;
    const m = h.checks.imap.mailboxes;
    return m.wrong.status === 'failing' && m.down.status === 'failing' && m.good.status === 'connected' ? h : null;
  }, { what: 'two failing, one reading', timeoutMs: 20_000 });
  t.is(health.status, 'degraded');
  t.is(health.services.imap, 'failing');
  t.deepEqual(health.checks.imap.failing.sort(), ['down', 'wrong']);
  t.is(health.checks.imap.mailboxes.wrong.last_error.kind, 'auth');
  t.regex(health.checks.imap.mailboxes.wrong.last_error.message, /authenticat|login|credentials/i);
  t.is(health.checks.imap.mailboxes.down.last_error.kind, 'transient');
  t.is(health.checks.imap.mailboxes.good.last_error, null);
  t.truthy(['wrong', 'down'].includes(health.checks.imap.last_error.mailbox_id));

  // The good one keeps reading, promptly, while the others keep failing (several rounds of mail).
  for (let round = 1; round <= 3; round++) {
    const started = Date.now();
    await suite.dovecot.append(good.user, good.password, 'INBOX', [mail({ from: `r${round}@customer.example`, subject: `round ${round}`, body: 'Hello' })]);
    await waitFor(async () => (await rows(svc)).length === round, { what: `ticket of round ${round}`, timeoutMs: 15_000 });
    t.true(Date.now() - started < 10_000, `round ${round} took ${Date.now() - started} ms`);
  }
  t.true((await rows(svc)).every((r) => r.mailbox_id === 'good'));
  const metrics = (await api(svc.baseUrl, '/metrics')).text;
  t.is(metric(metrics, 'imap_mailbox_up', 'good'), 1);
  t.is(metric(metrics, 'imap_mailbox_up', 'wrong'), 0);
  t.is(metric(metrics, 'imap_mailbox_up', 'down'), 0);
});

serial('two service instances on one PostgreSQL database, two mailboxes: each mailbox read by one instance, each mail once', async (t) => {
  const a = await newMailbox(suite.dovecot);
  const b = await newMailbox(suite.dovecot);
  const env = { IMAP_MAILBOXES: JSON.stringify([entry('alpha', a), entry('beta', b)]), ...secrets([['alpha', a], ['beta', b]]) };
  const one = await startTestService(env, { classifier: createKeywordClassifier(), database: 'postgres' });
  const two = await startTestService(env, { classifier: createKeywordClassifier(), databaseUrl: one.databaseUrl });
  t.teardown(async () => {
    await two.stop();
    await one.stop();
  });
  const batch = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => mail({ from: `p${i}@customer.example`, subject: `${prefix} ${i}`, body: 'Hello', messageId: `<${prefix}-${i}@customer.example>` }));
  await suite.dovecot.append(a.user, a.password, 'INBOX', batch('alpha', 20));
  await suite.dovecot.append(b.user, b.password, 'INBOX', batch('beta', 20));
  const counted = async () => (await one.service.db.sql.query<{ id: string; n: number; distinct: number }>(
    `select metadata->>'mailbox_id' as id, count(*)::int as n, count(distinct external_id)::int as distinct from tickets where source = 'email' group by 1 order by 1`,
  ));
  await waitFor(async () => (await counted()).reduce((s, r) => s + r.n, 0) === 40, { what: '40 tickets', timeoutMs: 30_000 });
  t.deepEqual(await counted(), [{ id: 'alpha', n: 20, distinct: 20 }, { id: 'beta', n: 20, distinct: 20 }]);
  const [h1, h2] = [(await api(one.baseUrl, '/health')).json, (await api(two.baseUrl, '/health')).json];
  for (const id of ['alpha', 'beta']) {
    t.deepEqual([h1.checks.imap.mailboxes[id].status, h2.checks.imap.mailboxes[id].status].sort(), ['connected', 'standby'], id);
  }
  t.is((await one.service.db.sql.query(`select 1 from inbound_events where source = 'email' and verdict = 'duplicate'`)).length, 0);
});

serial('two reader groups in one process on one database (in-process exclusion on PGlite, advisory locks on PostgreSQL) read each mailbox once', async (t) => {
  const a = await newMailbox(suite.dovecot);
  const b = await newMailbox(suite.dovecot);
  const svc = await startTestService({}, { classifier: createKeywordClassifier() });
  const config = loadConfig({ LOG_LEVEL: 'silent', IMAP_MAILBOXES: JSON.stringify([entry('alpha', a), entry('beta', b)]), ...secrets([['alpha', a], ['beta', b]]) });
  const group = () => createMailboxReaders({
    mailboxes: config.mailboxes, db: svc.service.db, ingest: svc.service.ingest, logger: svc.service.logger,
    health: { register: () => undefined }, tuning: FAST,
  });
  const [g1, g2] = [group(), group()];
  t.teardown(async () => {
    await g1.stop();
    await g2.stop();
    await svc.stop();
  });
  g1.start();
  g2.start();
  await suite.dovecot.append(a.user, a.password, 'INBOX', [mail({ from: 'x@customer.example', subject: 'alpha 1', body: 'Hello' })]);
  await suite.dovecot.append(b.user, b.password, 'INBOX', [mail({ from: 'y@customer.example', subject: 'beta 1', body: 'Hello' })]);
  await waitFor(async () => (await rows(svc)).length === 2, { what: 'two tickets' });
  const statuses = (id: string) => [g1.readers.get(id)!.health().status, g2.readers.get(id)!.health().status].sort();
  await waitFor(() => statuses('alpha').join() === 'connected,standby' && statuses('beta').join() === 'connected,standby', { what: 'one reader per mailbox' });
  t.deepEqual((await rows(svc)).map((r) => r.mailbox_id).sort(), ['alpha', 'beta']);
});
