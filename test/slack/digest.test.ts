/**
 * The digest: exactly once per period with two instances on one PostgreSQL, caught up once after a missed
 * run, skipped when the period is empty. The cron job enqueues 'slack-digest' jobs; the tests send the same
 * jobs directly for chosen periods.
 */
import test from 'ava';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { waitFor } from '../kit/wait.ts';
import { createTicket, startSlackService, waitForAlert } from './harness.ts';
import { CHANNELS } from '../kit/slack.ts';

const digestEnv = (extra: Record<string, string> = {}) => ({
  SLACK_DIGEST_CHANNEL: CHANNELS.digest,
  // Hourly: the last scheduled time is always less than an hour ago, and the period is "today so far".
  SLACK_DIGEST_CRON: '0 * * * *',
  SLACK_DIGEST_TZ: 'Europe/Berlin',
  ...extra,
});

const digestsIn = (fake: Awaited<ReturnType<typeof startFakeSlack>>) =>
  fake.channelMessages(CHANNELS.digest).filter((m) => m.metadata?.event_type === 'support_digest');

const lastHourMark = () => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);

test('two instances on one database post each period once, and a missed run is caught up once at start', async (t) => {
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const a = await startSlackService(digestEnv({ SLACK_DIGEST_POST_EMPTY: 'true' }), { database: 'postgres', fake });
  t.teardown(a.stop);
  // A started after the last scheduled time with no digest for it: the missed run is caught up.
  const caughtUp = await waitFor(() => digestsIn(fake)[0], { timeoutMs: 20_000, what: 'caught-up digest' });
  t.true(caughtUp.metadata!.event_payload.key === `digest:${lastHourMark().toISOString().slice(0, 16)}Z`);

  const b = await startSlackService(digestEnv({ SLACK_DIGEST_POST_EMPTY: 'true' }), { databaseUrl: a.svc.databaseUrl!, fake });
  t.teardown(b.stop);

  // Both instances' schedules fire for the same period at the same moment.
  const scheduledAt = new Date(Date.UTC(2026, 0, 5, 8, 0)).toISOString();
  await Promise.all([
    a.svc.service.queue.send('slack-digest', { scheduledAt }),
    b.svc.service.queue.send('slack-digest', { scheduledAt }),
    a.svc.service.queue.send('slack-digest', { scheduledAt }),
  ]);
  const rows = await waitFor(async () => {
    const r = await a.svc.service.db.sql.query<{ period_key: string; state: string }>(`select period_key, state from digest_runs order by period_key`);
    return r.length >= 2 && r.every((x) => x.state === 'posted') ? r : undefined;
  }, { timeoutMs: 30_000, what: 'digest rows' });
  await waitFor(async () => {
    const jobs = await a.svc.service.db.sql.query<{ state: string }>(`select state from pgboss.job where name = 'slack-digest'`);
    return jobs.every((j) => j.state === 'completed');
  }, { timeoutMs: 60_000, what: 'all digest jobs done' });

  const keys = digestsIn(fake).map((m) => m.metadata!.event_payload.key as string);
  t.deepEqual(keys.sort(), [...new Set(keys)].sort(), 'no period posted twice');
  t.true(keys.includes('digest:2026-01-05T08:00Z'));
  t.is(rows.length, keys.length);
  t.true(digestsIn(fake).every((m) => JSON.stringify(m.blocks).includes('*Tickets*')));
});

test('a restart after the caught-up run posts nothing more for that period', async (t) => {
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const first = await startSlackService(digestEnv({ SLACK_DIGEST_POST_EMPTY: 'true' }), { database: 'postgres', fake });
  const url = first.svc.databaseUrl!;
  await waitFor(() => digestsIn(fake)[0], { timeoutMs: 20_000, what: 'caught-up digest' });
  await first.svc.service.stop(); // keep the database: stop() of the harness would drop it

  const second = await startSlackService(digestEnv({ SLACK_DIGEST_POST_EMPTY: 'true' }), { databaseUrl: url, fake });
  t.teardown(async () => {
    await second.stop();
    await first.stop();
  });
  await waitFor(async () => {
    const jobs = await second.svc.service.db.sql.query<{ state: string }>(`select state from pgboss.job where name = 'slack-digest'`);
    return jobs.length >= 2 && jobs.every((j) => j.state === 'completed');
  }, { timeoutMs: 30_000, what: 'second catch-up job done' });
  const keys = digestsIn(fake).map((m) => m.metadata!.event_payload.key);
  t.is(keys.filter((k) => k === keys[0]).length, 1);
});

test('an empty period posts nothing; a period with tickets posts its stats', async (t) => {
  const env = await startSlackService(digestEnv());
  t.teardown(env.stop);
  const sql = env.svc.service.db.sql;
  // The run claims the period first and records its outcome after the stats: wait for the outcome.
  const skipped = await waitFor(async () => (await sql.query<{ state: string }>(`select state from digest_runs where state <> 'claimed'`))[0], { timeoutMs: 20_000, what: 'catch-up outcome' });
  t.is(skipped.state, 'skipped');
  t.is(digestsIn(env.fake).length, 0);

  const id = await createTicket(env.svc, { body: 'The mobile app crashes on start [cat=technical conf=0.9]' });
  await waitForAlert(env.fake, id);
  // The period ends at the next minute: the ticket is inside it whatever second it was made at (a period ending at
  // this minute's start left out a ticket made since, and then nothing was posted), and its key is never the
  // caught-up hour's.
  await env.svc.service.queue.send('slack-digest', { scheduledAt: new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000).toISOString() });
  const digest = await waitFor(() => digestsIn(env.fake)[0], { timeoutMs: 20_000, what: 'digest' });
  const text = JSON.stringify(digest.blocks);
  t.true(text.includes('*Tickets*\\n1'));
  t.true(text.includes('technical*: 1 (100%)'));
});

test('a period with a flood posts the incident it opened and the tickets it holds', async (t) => {
  const env = await startSlackService(digestEnv({ INCIDENTS_ENABLED: 'true', INCIDENT_MIN_TICKETS: '3' }));
  t.teardown(env.stop);
  const sql = env.svc.service.db.sql;
  await waitFor(async () => (await sql.query<{ state: string }>(`select state from digest_runs where state <> 'claimed'`))[0], { timeoutMs: 20_000, what: 'catch-up outcome' });
  const ids: number[] = [];
  for (const who of ['a', 'b', 'c']) {
    ids.push(await createTicket(env.svc, { body: 'Every payment page of our store returns an error since the deploy an hour ago [cat=billing conf=0.9]', requester_email: `${who}@customer.example` }));
  }
  await waitFor(async () => (await sql.query<{ n: number }>(`select count(*)::int as n from tickets where id = any($1::int[]) and incident_id is not null`, [ids]))[0]!.n === 3 || undefined, { timeoutMs: 20_000, what: 'the incident' });
  await env.svc.service.queue.send('slack-digest', { scheduledAt: new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000).toISOString() });
  const digest = await waitFor(() => digestsIn(env.fake)[0], { timeoutMs: 20_000, what: 'digest' });
  t.true(JSON.stringify(digest.blocks).includes('*Incidents opened*\\n1 incident (3 tickets)'), JSON.stringify(digest.blocks));
  t.true(String(digest.text).includes('3 tickets, 1 incident (3 tickets)'), String(digest.text));
});
