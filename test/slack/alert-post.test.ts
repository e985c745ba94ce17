/**
 * The jobs that write in an alert's thread (follow-ups, change notes, reply notes, SLA notes) find the alert
 * through one guard (src/slack/jobs/alert-post.ts): posted, being posted (retry later), or never started
 * (nothing to do). Its states on a real database, then the waiting seen from Slack.
 */
import test from 'ava';
import type { Sql } from '../../src/db/sql.ts';
import { abandonClaim, claimPost, completePost, releaseClaim } from '../../src/db/repositories/slack-posts.ts';
import { RetryLaterError } from '../../src/slack/delivery/errors.ts';
import { alertKey, postedAlert } from '../../src/slack/jobs/alert-post.ts';
import { api, startTestService } from '../kit/service.ts';
import { CHANNELS } from '../kit/slack.ts';
import { waitFor } from '../kit/wait.ts';
import { createTicket, startSlackService, waitForAlert } from './harness.ts';

test.serial('the guard: nothing started is null, a held or released claim means retry later, a post is found', async (t) => {
  const svc = await startTestService();
  t.teardown(svc.stop);
  const sql = svc.service.db.sql;

  t.is(await postedAlert(sql, 42, 'note'), null, 'no alert started: nothing to write in');

  const claim = await claimPost(sql, alertKey(42), 42, CHANNELS.technical, null, 30_000);
  if (claim.kind !== 'owned') return t.fail(`claim: ${claim.kind}`);
  const held = await t.throwsAsync(postedAlert(sql, 42, 'SLA first_response_breach'), { instanceOf: RetryLaterError });
  t.is(held.message, 'SLA first_response_breach: the alert of ticket 42 is being posted');

  // Slack refused the post: the claim stays (its job retries), and so does the wait.
  await releaseClaim(sql, alertKey(42), claim.token, true);
  await t.throwsAsync(postedAlert(sql, 42, 'reply 7'), { instanceOf: RetryLaterError });
  t.is(await postedAlert(sql, 4, 'note'), null, 'ticket 4 is not ticket 42');

  const again = await claimPost(sql, alertKey(42), 42, CHANNELS.technical, null, 0);
  if (again.kind !== 'owned') return t.fail(`claim after release: ${again.kind}`);
  await completePost(sql, alertKey(42), again.token, CHANNELS.billing, '1700000000.000100', 42);
  t.deepEqual(await postedAlert(sql, 42, 'note'), { channel: CHANNELS.billing, ts: '1700000000.000100' }, 'where Slack put it');

  // An alert with nothing to post any more (its ticket gone) leaves no claim behind: nothing to wait for.
  const gone = await claimPost(sql, alertKey(5), 5, CHANNELS.general, null, 30_000);
  if (gone.kind !== 'owned') return t.fail(`claim of 5: ${gone.kind}`);
  await abandonClaim(sql, alertKey(5), gone.token);
  t.is(await postedAlert(sql, 5, 'note'), null);
});

const changeJobs = (sql: Sql, ticketId: number) =>
  sql.query<{ state: string; retry_count: number; message: string | null }>(
    `select state, retry_count, output->>'message' as message from pgboss.job where name = 'slack-ticket-changed' and (data->>'ticketId')::int = $1`,
    [ticketId],
  );

test.serial('a reclassification made while Slack holds the alert waits for it, then lands in its thread once', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const sql = env.svc.service.db.sql;
  // Slack takes the alert's post and never answers, until the test lets it.
  let holding = true;
  env.fake.failNext('chat.postMessage', { kind: 'hang' }, 100, () => holding);
  const id = await createTicket(env.svc, { body: 'Exports time out since Monday [cat=technical conf=0.9]' });
  await waitFor(() => env.fake.callsTo('chat.postMessage').length > 0, { what: 'the alert post under way' });

  const put = await api(env.svc.baseUrl, `/api/v1/requests/${id}/classification`, { method: 'PUT', json: { category: 'billing', note: 'invoice export' } });
  t.is(put.status, 200);
  const [waiting] = await waitFor(async () => {
    const jobs = await changeJobs(sql, id);
    return jobs.some((j) => j.message?.includes('is being posted')) ? jobs : undefined;
  }, { timeoutMs: 60_000, what: 'the note job waiting for the alert' });
  t.is(waiting!.message, `change of ticket ${id}: the alert of ticket ${id} is being posted`);
  t.is(env.fake.messages.length, 0, 'nothing in Slack yet');

  holding = false;
  env.fake.releaseHanging();
  const alert = await waitForAlert(env.fake, id, 60_000);
  const notes = await waitFor(() => {
    const replies = env.fake.threadReplies(alert.channel, alert.ts);
    return replies.length ? replies : undefined;
  }, { timeoutMs: 60_000, what: 'the note in the alert thread' });
  t.is(alert.channel, CHANNELS.technical, 'the alert stays where it was routed');
  t.is(notes.length, 1);
  t.true(notes[0]!.text.includes('Reclassified as *billing*'), notes[0]!.text);
  await waitFor(async () => (await changeJobs(sql, id)).every((j) => j.state === 'completed'), { what: 'the note job done' });
  t.is(env.fake.messages.filter((m) => m.metadata?.event_type === 'support_ticket_note').length, 1, 'one note, not one per retry');
});

test.serial('a change to a ticket that has no alert (no channel for it) is done at once: no retries, nothing posted', async (t) => {
  const env = await startSlackService({ SLACK_CHANNEL_TRIAGE: '' });
  t.teardown(env.stop);
  const sql = env.svc.service.db.sql;
  // Unsure, and no triage channel: no alert.
  const id = await createTicket(env.svc, { body: 'Something about my account [cat=general conf=0.1]' });
  await waitFor(async () => (await sql.query(`select 1 from tickets where id = $1 and category is not null`, [id])).length > 0, { what: 'classified' });

  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${id}/classification`, { method: 'PUT', json: { category: 'billing' } })).status, 200);
  const [job] = await waitFor(async () => {
    const jobs = await changeJobs(sql, id);
    return jobs.length && jobs.every((j) => j.state === 'completed') ? jobs : undefined;
  }, { what: 'the note job done' });
  t.is(job!.retry_count, 0, 'not retried: there is nothing to wait for');
  t.is(env.fake.callsTo('chat.postMessage').length, 0);
});
