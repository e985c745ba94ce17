/**
 * The way back for Slack tickets: the card's Reply posts into the customer's own thread exactly once (Slack
 * timing out after it took the post too), a teammate answering in that thread is a reply that stops the
 * first-response clock, and resolving reacts on the customer's message.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { signSlack as sign } from '../kit/signing.ts';
import { callback, INTAKE, messageEvent, OUR_TEAM, sendEvent } from '../kit/slack-events.ts';
import { waitFor } from '../kit/wait.ts';
import { blockActionBody, postToSlackEvents, startSlackService, viewSubmissionBody, waitForAlert } from './harness.ts';

const ENV = {
  SLACK_INTAKE_CHANNELS: `${INTAKE.all}:all`,
  SLA_FIRST_RESPONSE_MINUTES: 'urgent=30,high=60,medium=240,low=480',
  SLA_BUSINESS_HOURS: '24/7',
};

type Env = Awaited<ReturnType<typeof startSlackService>>;

async function customerAsks(env: Env, text: string) {
  const question = messageEvent({ text });
  // In Slack's channel too (the thread a reply goes into; read back when a post's outcome is unknown).
  env.fake.seedMessage({ channel: INTAKE.all, ts: question.ts, text, user: question.user, bot_id: undefined, user_team: question.user_team, user_profile: question.user_profile });
  {
    const res = await sendEvent(env.svc.baseUrl, callback(question));
    if (res.status !== 200) throw new Error(`event: ${res.status}`);
  }
  const [row] = await env.svc.service.db.sql.query<{ id: number }>(`select id from tickets where external_id = $1`, [`${INTAKE.all}/${question.ts}`]);
  const alert = await waitForAlert(env.fake, row!.id, 30_000);
  return { ticketId: row!.id, question, alert };
}

async function replyFromCard(env: Env, alert: Awaited<ReturnType<typeof customerAsks>>['alert'], ticketId: number, text: string) {
  const click = blockActionBody({ actionId: 'ticket_reply', value: String(ticketId), channel: alert.channel, messageTs: alert.ts, blocks: alert.blocks ?? [], responseUrl: `${env.fake.url}/response/x` });
  const before = env.fake.views.length;
  if ((await postToSlackEvents(env.svc.baseUrl, click, sign(click))).status !== 200) throw new Error('reply click');
  const { view } = await waitFor(() => env.fake.views[before], { what: 'views.open' });
  const body = viewSubmissionBody({ view, text });
  return postToSlackEvents(env.svc.baseUrl, body, sign(body));
}

const answersInThread = (env: Env, ts: string) => env.fake.threadReplies(INTAKE.all, ts).filter((m) => m.metadata?.event_type === 'support_ticket_answer');

test.serial('Reply on the card lands once in the customer\'s thread, also when Slack took the post and timed out', async (t) => {
  t.timeout(300_000);
  const env = await startSlackService({ ...ENV, SLACK_REPLY_AS_AGENT: 'true' }, { replyRetry: { retryLimit: 4, retryDelay: 1 } });
  t.teardown(env.stop);
  const { ticketId, question, alert } = await customerAsks(env, 'How do I rotate our API key?');
  t.true(JSON.stringify(alert.blocks).includes('ticket_reply'), 'the card offers Reply for a Slack ticket');
  // Slack stores the first post but the answer never comes (timeout): the retry must find it, not post again.
  env.fake.failNext('chat.postMessage', { kind: 'post_then_hang' }, 1, (p) => p.channel === INTAKE.all);
  t.is((await replyFromCard(env, alert, ticketId, 'Settings → API → Rotate. The old key works for 24 h.')).status, 200);
  setTimeout(() => env.fake.releaseHanging(), 2_000);
  await waitFor(async () => (await env.svc.service.db.sql.query<{ state: string }>(`select state from ticket_replies where ticket_id = $1`, [ticketId]))[0]?.state === 'sent', { timeoutMs: 90_000, what: 'reply sent' });
  const posts = answersInThread(env, question.ts);
  t.is(posts.length, 1, 'exactly one post in the customer\'s thread');
  t.is(posts[0]!.text, 'Settings → API → Rotate. The old key works for 24 h.');
  t.is(posts[0]!.thread_ts, question.ts);
  t.true(env.fake.callsTo('chat.postMessage').filter((c) => c.params.channel === INTAKE.all).every((c) => c.params.username === 'ann.agent'), 'under the agent\'s name (SLACK_REPLY_AS_AGENT)');
  // Our own post comes back as an event: no follow-up, no answer.
  await sendEvent(env.svc.baseUrl, callback({ type: 'message', channel: INTAKE.all, user: 'UFAKEBOT1', bot_id: 'BFAKEBOT1', text: posts[0]!.text, ts: posts[0]!.ts, thread_ts: question.ts }));
  t.is((await env.svc.service.db.sql.query(`select 1 from ticket_messages where ticket_id = $1`, [ticketId])).length, 0);
  t.is((await env.svc.service.db.sql.query(`select 1 from ticket_replies where ticket_id = $1`, [ticketId])).length, 1);
});

test.serial('a teammate answering in the customer\'s thread is a reply: stored as sent, the first-response clock stops; resolve reacts', async (t) => {
  t.timeout(300_000);
  const env = await startSlackService(ENV);
  t.teardown(env.stop);
  const { ticketId, question } = await customerAsks(env, 'Our SSO login loops back to the start page');
  const before = (await api(env.svc.baseUrl, `/api/v1/requests/${ticketId}`)).json;
  t.is(before.sla?.first_response?.responded_at ?? null, null);
  const answer = messageEvent({ text: 'Clearing the IdP session fixes it; we are patching the redirect.', user: 'UTEAMMATE1', team: OUR_TEAM, thread_ts: question.ts });
  for (const n of [0, 1]) t.is((await sendEvent(env.svc.baseUrl, callback(answer), n ? { retryNum: n } : {})).status, 200);
  const replies = await env.svc.service.db.sql.query<{ state: string; agent_slack_id: string; body: string }>(`select state, agent_slack_id, body from ticket_replies where ticket_id = $1`, [ticketId]);
  t.is(replies.length, 1, 'one reply however often Slack delivers it');
  t.like(replies[0], { state: 'sent', agent_slack_id: 'UTEAMMATE1' });
  const sla = await env.svc.service.db.sql.query<{ first_responded_at: Date | null }>(`select first_responded_at from ticket_slas where ticket_id = $1`, [ticketId]);
  t.truthy(sla[0]?.first_responded_at, 'the first-response clock stopped');
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${ticketId}`)).json.status, 'waiting_on_customer');
  t.is(answersInThread(env, question.ts).length, 0, 'nothing posted for it');

  // The customer answers in the thread: a follow-up that reopens the ticket.
  await sendEvent(env.svc.baseUrl, callback(messageEvent({ text: 'That worked, but it comes back after a day', thread_ts: question.ts })));
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${ticketId}`)).json.status, 'open');

  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${ticketId}`, { method: 'PATCH', json: { status: 'resolved' } })).status, 200);
  await waitFor(() => env.fake.reactions.find((r) => r.ts === question.ts && r.name === 'white_check_mark'), { timeoutMs: 30_000, what: 'resolve reaction' });
  t.truthy(env.fake.reactions.find((r) => r.ts === question.ts && r.name === 'eyes'));
});
