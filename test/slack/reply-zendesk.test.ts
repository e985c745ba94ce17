/**
 * An agent works a Zendesk ticket from Slack, end to end through the real service: a signed Zendesk
 * delivery becomes a ticket and an alert; the agent claims it (Assign to me), replies from the modal (the
 * comment reaches a fake Zendesk API with the documented call, once), and the customer's next comment
 * (a delivery) reopens it; Resolve closes it. A Zendesk that refuses for good (404) shows on the card.
 */
import test from 'ava';
import { startFakeHelpdesk, type FakeHelpdesk } from '../kit/fake-helpdesk.ts';
import { api } from '../kit/service.ts';
import { SECRETS, sign, signSlack } from '../kit/signing.ts';
import { waitFor } from '../kit/wait.ts';
import { zendeskCommentAdded, zendeskTicketCreated } from '../webhooks/fixtures.ts';
import { blockActionBody, postToSlackEvents, startSlackService, viewSubmissionBody, waitForAlert, type SlackTestEnv } from './harness.ts';

const COMMENT_PATH = /^\/api\/v2\/tickets\/(\d+)$/;

interface Env extends SlackTestEnv { zendesk: FakeHelpdesk }

async function start(t: { teardown(fn: () => Promise<void>): void }): Promise<Env> {
  const zendesk = await startFakeHelpdesk();
  zendesk.route('PUT', COMMENT_PATH, { status: 200, json: { ticket: { id: 1 }, audit: { id: 991, events: [{ id: 992, type: 'Comment' }] } } });
  const env = await startSlackService(
    {
      ZENDESK_WEBHOOK_SECRET: SECRETS.ZENDESK_WEBHOOK_SECRET,
      ZENDESK_SUBDOMAIN: 'acme',
      ZENDESK_API_EMAIL: 'agent@acme.example',
      ZENDESK_API_TOKEN: 'zd-api-token',
      ZENDESK_API_URL: zendesk.url,
    },
    { replyRetry: { retryLimit: 3, retryDelay: 1 } },
  );
  t.teardown(async () => {
    await env.stop();
    await zendesk.close();
  });
  return { ...env, zendesk };
}

async function deliver(env: Env, payload: unknown) {
  const body = JSON.stringify(payload);
  const res = await fetch(`${env.svc.baseUrl}/webhooks/zendesk`, { method: 'POST', headers: { 'content-type': 'application/json', ...sign.zendesk(body) }, body });
  return { status: res.status, json: (await res.json()) as { ticket_id: number; status: string } };
}

type Alert = Awaited<ReturnType<typeof waitForAlert>>;

async function click(env: Env, alert: Alert, actionId: string, value: string, user = 'UAGENT001') {
  const body = blockActionBody({ actionId, value, channel: alert.channel, messageTs: alert.ts, blocks: alert.blocks ?? [], responseUrl: `${env.fake.url}/response/x`, user });
  const res = await postToSlackEvents(env.svc.baseUrl, body, signSlack(body));
  if (res.status !== 200) throw new Error(`${actionId}: ${res.status}`);
}

async function replyFromCard(env: Env, alert: Alert, ticketId: number, text: string) {
  const before = env.fake.views.length;
  await click(env, alert, 'ticket_reply', String(ticketId));
  const { view } = await waitFor(() => env.fake.views[before], { what: 'views.open' });
  const body = viewSubmissionBody({ view, text });
  return postToSlackEvents(env.svc.baseUrl, body, signSlack(body));
}

const ticket = async (env: Env, id: number) => (await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).json;

test('a Zendesk ticket: claimed, answered and resolved from Slack; the customer\'s next comment reopens it', async (t) => {
  const env = await start(t);
  const created = await deliver(env, zendeskTicketCreated({ id: '4711', subject: 'Charged twice', html: '<p>My card was charged twice for March [cat=billing conf=0.9]</p>' }));
  t.is(created.status, 200, JSON.stringify(created.json));
  const id = created.json.ticket_id;
  const alert = await waitForAlert(env.fake, id, 20_000);
  const actions = (alert.blocks ?? []).filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements.map((e: any) => e.action_id));
  t.true(actions.includes('ticket_reply'), 'Reply is offered: Zendesk can answer this ticket');
  t.true(actions.includes('ticket_assign_me'));

  // Claim.
  await click(env, alert, 'ticket_assign_me', String(id));
  await waitFor(async () => (await ticket(env, id)).assignee?.slack_user_id === 'UAGENT001', { what: 'assigned' });

  // Reply: one documented Zendesk call, a public comment, with the reply's idempotency key.
  const submitted = await replyFromCard(env, alert, id, 'Hello Ana,\nthe second charge is refunded today.\nBest, Support');
  t.is(submitted.status, 200);
  const [call] = await waitFor(() => (env.zendesk.callsTo('PUT', COMMENT_PATH).length ? env.zendesk.callsTo('PUT', COMMENT_PATH) : null), { what: 'the Zendesk API call' });
  t.is(call!.path, '/api/v2/tickets/4711', 'the Zendesk ticket id, not ours');
  t.is(call!.headers.authorization, `Basic ${Buffer.from('agent@acme.example/token:zd-api-token').toString('base64')}`);
  t.like(call!.json, { ticket: { comment: { public: true } } });
  t.true(String(call!.json.ticket.comment.body).includes('the second charge is refunded today'));
  t.truthy(call!.headers['idempotency-key']);
  const replied = await waitFor(async () => {
    const now = await ticket(env, id);
    return now.replies?.[0]?.state === 'sent' ? now : null;
  }, { what: 'the reply marked sent' });
  t.is(replied.status, 'waiting_on_customer');
  t.like(replied.replies[0], { agent: { slack_user_id: 'UAGENT001' }, state: 'sent', attempts: 1 });
  const note = await waitFor(() => env.fake.threadReplies(alert.channel, alert.ts).find((m) => m.metadata?.event_type === 'support_ticket_reply'), { what: 'replied-by in the thread' });
  t.true(note.text.includes('<@UAGENT001>'));

  // The customer answers in Zendesk: a comment delivery, a follow-up, the ticket is open again.
  const comment = await deliver(env, zendeskCommentAdded({ ticketId: '4711', commentId: '5001', text: 'Thanks, I still see both charges.' }));
  t.is(comment.status, 200, JSON.stringify(comment.json));
  await waitFor(async () => (await ticket(env, id)).status === 'open', { what: 'reopened by the customer' });

  // Resolve from the card.
  await click(env, alert, 'ticket_resolve', String(id));
  await waitFor(async () => (await ticket(env, id)).status === 'resolved', { what: 'resolved' });
  t.is(env.zendesk.callsTo('PUT', COMMENT_PATH).length, 1, 'the comment was sent once');
});

test('Zendesk answering 404 (ticket gone): the reply fails at once, without retries, and the card offers Retry', async (t) => {
  const env = await start(t);
  env.zendesk.answer('PUT', COMMENT_PATH, { status: 404, json: { error: 'RecordNotFound' } });
  const created = await deliver(env, zendeskTicketCreated({ id: '4712', html: '<p>Where is my refund? [cat=billing conf=0.9]</p>' }));
  const id = created.json.ticket_id;
  const alert = await waitForAlert(env.fake, id, 20_000);
  t.is((await replyFromCard(env, alert, id, 'We are on it.')).status, 200);
  const failed = await waitFor(async () => {
    const now = await ticket(env, id);
    return now.replies?.[0]?.state === 'failed' ? now.replies[0] : null;
  }, { what: 'the reply marked failed' });
  t.is(failed.attempts, 1, 'a permanent refusal is not retried');
  await waitFor(() => JSON.stringify(alert.blocks).includes('ticket_reply_retry'), { what: 'Retry on the card' });
  t.is(env.zendesk.callsTo('PUT', COMMENT_PATH).length, 1);
});

test('a Zendesk answering 429 with Retry-After: the reply waits as long as asked, then goes out once', async (t) => {
  const env = await start(t);
  env.zendesk.answer('PUT', COMMENT_PATH,
    { status: 429, json: { error: 'TooManyRequests' }, headers: { 'retry-after': '3' } },
    { status: 200, json: { ticket: { id: 1 }, audit: { id: 993, events: [{ id: 994, type: 'Comment' }] } } });
  const created = await deliver(env, zendeskTicketCreated({ id: '4712', subject: 'Refund', html: '<p>Where is my refund? [cat=billing conf=0.9]</p>' }));
  const id = created.json.ticket_id;
  const alert = await waitForAlert(env.fake, id, 20_000);
  t.is((await replyFromCard(env, alert, id, 'The refund is on its way.')).status, 200);
  await waitFor(async () => (await env.svc.service.db.sql.query(`select 1 from ticket_replies where ticket_id = $1 and state = 'sent'`, [id])).length === 1, { timeoutMs: 30_000, what: 'the reply sent' });
  const calls = env.zendesk.callsTo('PUT', COMMENT_PATH);
  t.is(calls.length, 2, 'one refused call, one that went through: the backoff did not ask again in between');
  t.true(calls[1]!.at - calls[0]!.at >= 2900, `asked again after ${calls[1]!.at - calls[0]!.at} ms`);
  t.is(calls[0]!.headers['idempotency-key'], calls[1]!.headers['idempotency-key'], 'the same reply, the same key');
});
