/**
 * Several instances, one mailbox: each mail becomes one ticket, one instance reads and the others stand
 * by and take over when it stops. And a replay of a period re-creates only what is missing.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { parseReplayArgs, replayMailbox } from '../../src/inbound/imap/replay.ts';
import { type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { events, fixture, folder, joinInbox, mail, openInbox, tickets, useDovecot } from './harness.ts';

const suite = useDovecot();
const serial = suite.serial;

const batch = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => mail({ from: `p${i}@customer.example`, subject: `${prefix} ${i}`, body: `Question ${i} about my account.`, messageId: `<${prefix}-${i}@customer.example>` }));

async function count(svc: TestService): Promise<{ total: number; distinct: number }> {
  const [row] = await svc.service.db.sql.query<{ total: number; distinct: number }>(
    `select count(*)::int as total, count(distinct external_id)::int as distinct from tickets where source = 'email'`,
  );
  return row!;
}

serial('two service instances on one PostgreSQL database: each mail once, one reader active, the other takes over', async (t) => {
  const first = await openInbox(t, suite.dovecot, { service: { database: 'postgres' } });
  const second = await joinInbox(t, first);
  const { svc: a, box, reader: readerA } = first;
  const { svc: b, reader: readerB } = second;
  await suite.dovecot.append(box.user, box.password, 'INBOX', batch(60, 'pair'));
  readerA.start();
  readerB.start();
  await waitFor(async () => (await count(a)).total === 60, { what: '60 tickets', timeoutMs: 30_000 });
  await waitFor(async () => (await folder(suite.dovecot, box)).every((m) => m.seen), { what: 'all \\Seen' });
  t.deepEqual(await count(b), { total: 60, distinct: 60 });
  const statuses = [readerA.health().status, readerB.health().status].sort();
  t.deepEqual(statuses, ['connected', 'standby']);

  const [active, standby] = readerA.health().status === 'connected' ? [readerA, readerB] : [readerB, readerA];
  await active.stop();
  await suite.dovecot.append(box.user, box.password, 'INBOX', batch(5, 'takeover'));
  await waitFor(async () => (await count(a)).total === 65, { what: 'standby took over', timeoutMs: 30_000 });
  t.is(standby.health().status, 'connected');
  t.deepEqual(await count(a), { total: 65, distinct: 65 });
});

serial('two readers sharing one embedded database exclude each other too', async (t) => {
  const { svc, box, reader: one, addReader } = await openInbox(t, suite.dovecot);
  const two = addReader();
  await suite.dovecot.append(box.user, box.password, 'INBOX', batch(30, 'shared'));
  one.start();
  two.start();
  await waitFor(async () => (await folder(suite.dovecot, box)).every((m) => m.seen) && (await count(svc)).total === 30, { what: '30 handled', timeoutMs: 30_000 });
  t.deepEqual(await count(svc), { total: 30, distinct: 30 });
  t.deepEqual([one.health().status, two.health().status].sort(), ['connected', 'standby']);
  t.is((await events(svc)).filter((e) => e.verdict === 'duplicate').length, 0);
});

serial('replay of a period restores mail missing from the database and skips what is stored', async (t) => {
  const { svc, box, reader } = await openInbox(t, suite.dovecot, { env: { IMAP_PROCESSED_MAILBOX: 'Done' } });
  await suite.dovecot.append(box.user, box.password, 'INBOX', [fixture('plain.eml'), fixture('html-only.eml'), fixture('windows-1252.eml')]);
  reader.start();
  await waitFor(async () => (await folder(suite.dovecot, box, 'Done')).length === 3, { what: 'three moved to Done' });
  await reader.stop();
  // A database restored from an older backup lost one ticket.
  await svc.service.db.sql.query(`delete from tickets where external_id = '<html-only-0001@customer.example>'`);
  const config = loadConfig({ ...box.env, LOG_LEVEL: 'silent' }).mailboxes[0]!;
  const counts = await replayMailbox({ config, db: svc.service.db, ingest: svc.service.ingest, logger: svc.service.logger, since: new Date(Date.now() - 86_400_000) });
  t.is(counts.created, 1);
  t.is(counts.duplicate, 2);
  const rows = await tickets(svc);
  t.is(rows.length, 3);
  t.truthy(rows.find((r) => r.external_id === '<html-only-0001@customer.example>'));
  // Replay only reads: nothing flagged, moved or back in the inbox.
  t.is((await folder(suite.dovecot, box, 'Done')).length, 3);
  t.is((await folder(suite.dovecot, box)).length, 0);
});

test('replay arguments: a date is required and checked, folders are optional', (t) => {
  t.deepEqual(parseReplayArgs(['--since', '2026-11-01']), { since: new Date('2026-11-01T00:00:00Z') });
  t.deepEqual(parseReplayArgs(['--since=2026-11-01T12:00:00+01:00', '--mailbox', 'Archive']), { since: new Date('2026-11-01T11:00:00Z'), mailboxes: ['Archive'] });
  t.throws(() => parseReplayArgs([]), { message: /usage: npm run imap:replay -- --since DATE/ });
  t.throws(() => parseReplayArgs(['--since', 'last tuesday']), { message: /--since needs a date/ });
  t.throws(() => parseReplayArgs(['--since', '2026-11-01', '--force']), { message: /unknown argument --force/ });
});

test('the replay command refuses bad arguments with a clear message before touching anything', (t) => {
  const cli = new URL('../../src/cli/imap-replay.ts', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [cli, '--since', 'yesterday-ish'], { encoding: 'utf8', cwd: tmpdir(), env: { ...process.env, IMAP_HOST: '' }, timeout: 30_000 });
  t.is(r.status, 2);
  t.regex(r.stderr, /--since needs a date/);
  const r2 = spawnSync(process.execPath, [cli, '--since', '2026-11-01'], { encoding: 'utf8', cwd: tmpdir(), env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 });
  t.is(r2.status, 2);
  t.regex(r2.stderr, /IMAP is not configured/);
});
