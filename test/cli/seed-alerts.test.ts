/**
 * Seeding history floods nothing: tickets loaded by `seed` are classified by the service but alert nobody in
 * Slack, while a new ticket is alerted as usual; with `seed --alert` they are alerted. Real processes (seed,
 * then `node src/main.ts` with Slack configured) against a fake Slack; on PostgreSQL when TEST_DATABASE_URL
 * is set, else on an embedded data directory (seed runs with the service stopped: the directory is locked).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { durableDatabase } from '../kit/database.ts';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { slackEnv as slackSettings } from '../kit/slack.ts';
import { run, startService, START_TIMEOUT_MS } from './harness.ts';

const alertedIds = (fake: Awaited<ReturnType<typeof startFakeSlack>>) =>
  new Set(fake.messages.filter((m) => m.metadata?.event_type === 'support_ticket_alert').map((m) => Number(m.metadata!.event_payload.ticket_id)));

test('seeded tickets are classified without Slack alerts; a new ticket is alerted; seed --alert alerts', async (t) => {
  t.timeout(900_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'st-seed-alerts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dbEnv = await durableDatabase(t);
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const slackEnv = slackSettings(fake);
  const history = path.join(dir, 'history.csv');
  writeFileSync(history, 'subject,body\n' +
    'Old invoice,"Last year my invoice was charged twice"\n' +
    'Old crash,"The app crashed on startup back in March"\n' +
    'Old question,"What were your opening hours at Christmas?"\n');

  // Seed runs with the same Slack configuration as the service: the flag, not a missing token, keeps it quiet.
  const seeded = await run(['src/cli/seed.ts', '--file', history], { ...dbEnv, ...slackEnv });
  t.is(seeded.code, 0, seeded.stderr);
  t.regex(seeded.stdout, /3 created.*\n.*no Slack alerts for them \(--alert to send them\)/);

  let service = await startService({ ...dbEnv, ...slackEnv });
  t.teardown(() => void service.process.kill('SIGKILL'));
  const classified = async (count: number) => {
    const list = await api(service.baseUrl, '/api/v1/requests?limit=50');
    const items = list.json.items as { id: number; source: string; classification: unknown }[];
    return items.length === count && items.every((i) => i.classification !== null) ? items : undefined;
  };
  const seededItems = await waitFor(() => classified(3), { timeoutMs: START_TIMEOUT_MS, what: 'the seeded tickets to be classified' });
  const seededIds = seededItems.map((i) => i.id);

  const fresh = await api(service.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'New today', body: 'The checkout page shows error 500 since this morning' } });
  t.is(fresh.status, 201);
  await waitFor(() => alertedIds(fake).has(fresh.json.id), { timeoutMs: START_TIMEOUT_MS, what: 'the alert of the new ticket' });
  t.is((await service.stop()).code, 0);
  t.deepEqual([...alertedIds(fake)], [fresh.json.id], 'only the new ticket was alerted');
  // Not merely late: no alert job was ever queued for a seeded ticket.
  t.deepEqual(await alertJobTicketIds(dbEnv), [fresh.json.id]);

  const more = path.join(dir, 'more.csv');
  writeFileSync(more, 'subject,body\nAsked for,"Please alert this seeded refund request"\nAlso asked,"And this seeded login problem too"\n');
  const loud = await run(['src/cli/seed.ts', '--file', more, '--alert'], { ...dbEnv, ...slackEnv });
  t.is(loud.code, 0, loud.stderr);
  t.regex(loud.stdout, /2 created.*\n.*and alerts Slack for each/);

  service = await startService({ ...dbEnv, ...slackEnv });
  const all = await waitFor(() => classified(6), { timeoutMs: START_TIMEOUT_MS, what: 'the --alert tickets to be classified' });
  const loudIds = all.filter((i) => i.source === 'seed' && !seededIds.includes(i.id)).map((i) => i.id);
  t.is(loudIds.length, 2);
  await waitFor(() => loudIds.every((id) => alertedIds(fake).has(id)), { timeoutMs: START_TIMEOUT_MS, what: 'alerts of the --alert tickets' });
  t.is((await service.stop()).code, 0);
  t.deepEqual([...alertedIds(fake)].sort((a, b) => a - b), [fresh.json.id, ...loudIds].sort((a, b) => a - b));
  t.deepEqual(seededIds.filter((id) => alertedIds(fake).has(id)), [], 'the history seeded without --alert stays quiet');
});

/** The ticket ids of every Slack alert job pg-boss holds (read with the service stopped: PGlite is locked). */
async function alertJobTicketIds(dbEnv: Record<string, string>): Promise<number[]> {
  const config = loadConfig({ LOG_LEVEL: 'silent', MIGRATE_ON_START: 'false', ...dbEnv });
  const db = await openDatabase(config.database, createLogger('silent'));
  try {
    const rows = await db.sql.query<{ ticket_id: number }>("select (data->>'ticketId')::int as ticket_id from pgboss.job where name = 'slack-alert' order by 1");
    return rows.map((r) => r.ticket_id);
  } finally {
    await db.close();
  }
}

test('quiet and alerting tickets written in one group commit keep their own flags', async (t) => {
  t.timeout(300_000);
  const { startSlackService, waitForAlert, alertsFor } = await import('../slack/harness.ts');
  const env = await startSlackService();
  t.teardown(env.stop);
  const { service } = env.svc;
  // Issued together, so the group commit writes them in one statement (and, before the fix, one job).
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      service.ingest({ source: 'seed', externalId: `mixed-${i}`, subject: `Mixed ${i}`, body: `Ticket number ${i} of a mixed group` }, { alert: i % 2 === 0 }),
    ),
  );
  const loud = results.filter((_, i) => i % 2 === 0).map((r) => r.ticketId);
  const quiet = results.filter((_, i) => i % 2 === 1).map((r) => r.ticketId);
  for (const id of loud) await waitForAlert(env.fake, id, 60_000);
  await waitFor(async () => {
    const rows = await service.db.sql.query<{ n: number }>('select count(*)::int as n from tickets where id = any($1::int[]) and category is not null', [quiet]);
    return rows[0]!.n === quiet.length;
  }, { timeoutMs: 60_000, what: 'the quiet tickets to be classified' });
  const jobs = await service.db.sql.query<{ ticket_id: number }>("select (data->>'ticketId')::int as ticket_id from pgboss.job where name = 'slack-alert'");
  t.deepEqual(jobs.map((j) => j.ticket_id).sort((a, b) => a - b), [...loud].sort((a, b) => a - b));
  for (const id of quiet) t.is(alertsFor(env.fake, id).length, 0);
});
