/**
 * Exactly-once and ordering of alert delivery when Slack misbehaves: 429 with Retry-After, 500, ok:false,
 * a timeout after Slack accepted the post, and a crash between posting and storing the ts.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, createTicket, startSlackService, waitForAlert } from './harness.ts';
import { CHANNELS } from '../kit/slack.ts';

const jobsOf = (env: Awaited<ReturnType<typeof startSlackService>>, name: string) =>
  env.svc.service.db.sql.query<{ ticket_id: string; state: string }>(
    `select data->>'ticketId' as ticket_id, state from pgboss.job where name = $1`,
    [name],
  );

test.serial('429 with Retry-After: the alert waits, the channel keeps its order and its pace, nothing is doubled', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  env.fake.failNext('chat.postMessage', { kind: 'rate_limited', retryAfter: 3 });
  const ids: number[] = [];
  ids.push(await createTicket(env.svc, { body: 'First: the API returns 502 [cat=technical conf=0.9]' }));
  await waitFor(() => env.fake.callsTo('chat.postMessage').length === 1, { what: 'the rate-limited call' });
  // The next two are enqueued while the first still waits for its Retry-After.
  for (const n of ['Second', 'Third']) {
    const id = await createTicket(env.svc, { body: `${n}: the API returns 502 [cat=technical conf=0.9]` });
    ids.push(id);
    await waitFor(async () => (await jobsOf(env, 'slack-alert')).some((j) => Number(j.ticket_id) === id), { what: `job of ${n}` });
  }
  for (const id of ids) await waitForAlert(env.fake, id);

  const posted = env.fake.channelMessages(CHANNELS.technical).map((m) => m.metadata!.event_payload.ticket_id);
  t.deepEqual(posted, ids, 'posted in classification order');
  const calls = env.fake.callsTo('chat.postMessage');
  t.is(calls.length, 4, 'one rejected call and three posts');
  t.true(calls[1]!.at - calls[0]!.at >= 2900, 'waited for Retry-After');
  // One post per second per channel. The fake times a call when its handler runs, so under the suite's load one
  // gap can look short by the lag of the call before it (469 ms was seen with a second test run beside CI): no
  // two posts come in a burst, and over the run the pace cannot beat 1/s by more than one lag.
  for (let i = 2; i < calls.length; i += 1) t.true(calls[i]!.at - calls[i - 1]!.at >= 250, `gap ${calls[i]!.at - calls[i - 1]!.at} ms`);
  const paced = calls.length - 2;
  t.true(calls.at(-1)!.at - calls[1]!.at >= paced * 1000 - 300, `${paced} posts after the wait took ${calls.at(-1)!.at - calls[1]!.at} ms`);
});

test.serial('a Retry-After longer than a quarter of the claim lease: the claim is renewed, the alert posted once', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  env.fake.failNext('chat.postMessage', { kind: 'rate_limited', retryAfter: 16 });
  const id = await createTicket(env.svc, { body: 'Sync is stuck at 99% [cat=technical conf=0.9]' });
  await waitForAlert(env.fake, id, 60_000);
  const calls = env.fake.callsTo('chat.postMessage');
  t.is(calls.length, 2);
  t.true(calls[1]!.at - calls[0]!.at >= 15_900);
  t.is(alertsFor(env.fake, id).length, 1);
  // The ts is stored after Slack answered, a moment after the fake saw the post.
  const row = await waitFor(async () => {
    const [r] = await env.svc.service.db.sql.query<{ ts: string }>('select ts from slack_posts where key = $1', [`alert:${id}`]);
    return r?.ts ? r : undefined;
  }, { what: 'stored ts' });
  t.is(row.ts, alertsFor(env.fake, id)[0]!.ts);
});

test.serial('Slack answering 500 twice: the alert is retried and posted once', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  env.fake.failNext('chat.postMessage', { kind: 'http_500' }, 2);
  const id = await createTicket(env.svc, { body: 'Cannot export CSV files [cat=technical conf=0.9]' });
  await waitForAlert(env.fake, id);
  await new Promise((r) => setTimeout(r, 1000));
  t.is(alertsFor(env.fake, id).length, 1);
  t.is(env.fake.callsTo('chat.postMessage').length, 3);
});

test.serial('a Slack error is reported on /health and the alert is delivered once the cause is gone', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  env.fake.failNext('chat.postMessage', { kind: 'not_ok', error: 'not_in_channel' });
  const id = await createTicket(env.svc, { body: 'Invoice address is wrong [cat=billing conf=0.9]' });
  const health = await waitFor(async () => {
    const h = await api(env.svc.baseUrl, '/health');
    return h.json.checks.slack.status === 'failing' ? h : undefined;
  }, { what: 'slack failing on /health' });
  t.is(health.json.checks.slack.last_error, 'slack error: not_in_channel');
  t.is(health.json.status, 'degraded');
  // The job is retried by the queue (pg-boss picks retries up on its next poll, up to 30 s with LISTEN/NOTIFY on).
  await waitForAlert(env.fake, id, 60_000);
  await waitFor(async () => (await api(env.svc.baseUrl, '/health')).json.checks.slack.status === 'ok', { what: 'slack ok again' });
  t.is(alertsFor(env.fake, id).length, 1);
});

test.serial('Slack hanging without accepting the post: after the timeout the alert is posted once', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  env.fake.failNext('chat.postMessage', { kind: 'hang' });
  const id = await createTicket(env.svc, { body: 'Search returns nothing [cat=general conf=0.9]' });
  await waitForAlert(env.fake, id, 60_000);
  t.is(env.fake.callsTo('chat.postMessage').length, 2, 'the hung call and one retry');
  t.is(alertsFor(env.fake, id).length, 1);
  t.is((await waitForAlert(env.fake, id)).channel, CHANNELS.general);
});

test.serial('a post that Slack accepted but never answered (timeout) is found again, not posted twice', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  env.fake.failNext('chat.postMessage', { kind: 'post_then_hang' });
  const id = await createTicket(env.svc, { body: 'Two-factor codes never arrive [cat=technical conf=0.9]' });
  const [row] = await waitFor(async () => {
    const rows = await env.svc.service.db.sql.query<{ ts: string }>(`select ts from slack_posts where key = $1 and ts <> ''`, [`alert:${id}`]);
    return rows.length ? rows : undefined;
  }, { timeoutMs: 60_000, what: 'stored ts' });
  const alerts = alertsFor(env.fake, id);
  t.is(alerts.length, 1);
  t.is(row!.ts, alerts[0]!.ts);
  t.true(env.fake.callsTo('conversations.history').some((c) => c.params.include_all_metadata === 'true' || c.params.include_all_metadata === true));
});

async function crashedPosterState(env: Awaited<ReturnType<typeof startSlackService>>, alreadyPosted: boolean) {
  // A ticket whose alert job was running when the process died: the claim row is there (ts still empty,
  // lease long expired), the job is still queued, and Slack may or may not have the message.
  const sql = env.svc.service.db.sql;
  const id = await createTicket(env.svc, { body: 'Dashboard is blank after login [cat=technical conf=0.9]' });
  await waitFor(async () => (await sql.query(`select 1 from tickets where id = $1 and category is not null`, [id])).length > 0, { what: 'classified' });
  await sql.query(`insert into slack_posts (key, ticket_id, channel, ts, created_at) values ($1, $2, $3, '', now() - interval '10 minutes')`, [`alert:${id}`, id, CHANNELS.technical]);
  const seeded = alreadyPosted
    ? env.fake.seedMessage({ channel: CHANNELS.technical, text: 'alert', metadata: { event_type: 'support_ticket_alert', event_payload: { key: `alert:${id}`, ticket_id: id } } })
    : undefined;
  await env.svc.service.queue.send('slack-alert', { ticketId: id, channel: CHANNELS.technical });
  return { id, seeded };
}

test.serial('crash between post and store: the retried job finds the message in Slack and does not post again', async (t) => {
  // No channels configured, so the normal flow posts nothing; the test recreates what a crash leaves behind.
  const env = await startSlackService({ SLACK_CHANNEL_TECHNICAL: '', SLACK_CHANNEL_BILLING: '', SLACK_CHANNEL_GENERAL: '', SLACK_CHANNEL_TRIAGE: '' });
  t.teardown(env.stop);
  const { id, seeded } = await crashedPosterState(env, true);
  const [row] = await waitFor(async () => {
    const rows = await env.svc.service.db.sql.query<{ ts: string }>(`select ts from slack_posts where key = $1 and ts <> ''`, [`alert:${id}`]);
    return rows.length ? rows : undefined;
  }, { what: 'stored ts' });
  t.is(row!.ts, seeded!.ts);
  t.is(env.fake.callsTo('chat.postMessage').length, 0);
  t.is(alertsFor(env.fake, id).length, 1);
});

test.serial('crash after claiming but before posting: the retried job posts the alert once', async (t) => {
  const env = await startSlackService({ SLACK_CHANNEL_TECHNICAL: '', SLACK_CHANNEL_BILLING: '', SLACK_CHANNEL_GENERAL: '', SLACK_CHANNEL_TRIAGE: '' });
  t.teardown(env.stop);
  const { id } = await crashedPosterState(env, false);
  const alert = await waitForAlert(env.fake, id);
  t.is(alert.channel, CHANNELS.technical);
  // A duplicate job (a second instance, a redelivery) changes nothing.
  await env.svc.service.queue.send('slack-alert', { ticketId: id, channel: CHANNELS.technical });
  await waitFor(async () => (await jobsOf(env, 'slack-alert')).every((j) => j.state === 'completed'), { what: 'jobs done' });
  t.is(alertsFor(env.fake, id).length, 1);
  t.is(env.fake.callsTo('chat.postMessage').length, 1);
});
