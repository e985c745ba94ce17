/**
 * Replying to an e-mail ticket from its Slack card, end to end with real parts: the customer's mail in
 * Dovecot becomes a ticket and an alert; the agent claims it; Reply opens the modal (views.open), its signed view_submission
 * stores the reply; the send job delivers it to a real SMTP server (smtp-server on loopback) with the
 * threading headers; the customer's answer, delivered to Dovecot, threads back onto the same ticket and
 * reopens it; our own copy coming back is ignored. Outages: 421 retried and sent once; 550 failed on the
 * card with Retry, which sends the same Message-ID. Hostile modal input and thread messages send nothing.
 */
import { useDovecot, mail, newMailbox, SUPPORT, type Mailbox } from '../imap/harness.ts';
import { freePort } from '../kit/net.ts';
import { startFakeSmtp, type FakeSmtp } from '../kit/smtp.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { blockActionBody, postToSlackEvents, startSlackService, viewSubmissionBody, waitForAlert, type SlackTestEnv } from './harness.ts';
import { signSlack as sign } from '../kit/signing.ts';
import { CHANNELS } from '../kit/slack.ts';

const imap = useDovecot();
const serial = imap.serial;

interface Env extends SlackTestEnv { smtp: FakeSmtp; box: Mailbox }

async function start(t: { teardown(fn: () => Promise<void>): void }, replyRetry = { retryLimit: 4, retryDelay: 1 }): Promise<Env> {
  const smtp = await startFakeSmtp();
  const box = await newMailbox(imap.dovecot, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SECURE: 'false' });
  const env = await startSlackService(box.env, { replyRetry });
  t.teardown(async () => {
    await env.stop();
    await smtp.close();
  });
  return { ...env, smtp, box };
}

const CUSTOMER = 'ann@customer.example';
let seq = 0;

/** The customer writes; resolves with the ticket id once its alert is posted. */
async function customerWrites(env: Env, subject: string, body: string) {
  seq += 1;
  const messageId = `<m${seq}.${Date.now()}@customer.example>`;
  await imap.dovecot.append(env.box.user, env.box.password, 'INBOX', [mail({ from: `Ann <${CUSTOMER}>`, to: SUPPORT, subject, body, messageId })]);
  const row = await waitFor(async () => (await env.svc.service.db.sql.query<{ id: number }>(`select id from tickets where external_id = $1`, [messageId]))[0], { timeoutMs: 20_000, what: 'ticket from the mail' });
  const alert = await waitForAlert(env.fake, row.id, 20_000);
  return { ticketId: row.id, messageId, alert };
}

const actionIds = (m: { blocks?: any[] | undefined }) => (m.blocks!.find((b) => b.type === 'actions')?.elements ?? []).map((e: any) => e.action_id);

async function clickButton(env: Env, alert: Awaited<ReturnType<typeof customerWrites>>['alert'], actionId: string, value: string) {
  const body = blockActionBody({ actionId, value, channel: alert.channel, messageTs: alert.ts, blocks: alert.blocks ?? [], responseUrl: `${env.fake.url}/response/x`, user: 'UAGENT001' });
  return postToSlackEvents(env.svc.baseUrl, body, sign(body));
}

/** Reply -> the modal opened by views.open. */
async function openModal(env: Env, alert: Awaited<ReturnType<typeof customerWrites>>['alert'], ticketId: number) {
  const before = env.fake.views.length;
  const res = await clickButton(env, alert, 'ticket_reply', String(ticketId));
  if (res.status !== 200) throw new Error(`reply click: ${res.status}`);
  return (await waitFor(() => env.fake.views[before], { what: 'views.open' })).view;
}

async function submit(env: Env, view: Record<string, any>, text: unknown, extra: { privateMetadata?: string } = {}) {
  const body = viewSubmissionBody({ view, text, ...extra });
  return postToSlackEvents(env.svc.baseUrl, body, sign(body));
}

const replies = (env: Env, ticketId: number) =>
  env.svc.service.db.sql.query<{ id: number; state: string; message_id: string; body: string; attempts: number; agent_slack_id: string; agent_name: string | null; draft_origin: string; last_error: string | null }>(
    `select id, state, message_id, body, attempts, agent_slack_id, agent_name, draft_origin, last_error from ticket_replies where ticket_id = $1 order by id`, [ticketId]);
const status = async (env: Env, id: number) => (await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).json.status;

serial('claim, reply and resolve from the card: SMTP delivery with threading headers, the answer threads back and reopens the ticket, our copy is ignored', async (t) => {
  const env = await start(t);
  const { ticketId, messageId, alert } = await customerWrites(env, 'Invoice total is wrong', 'You charged me twice this month [cat=billing conf=0.9]');
  t.is(alert.channel, CHANNELS.billing);
  t.true(actionIds(alert).includes('ticket_reply'), 'Reply is offered for a mail ticket with SMTP');
  // The agent claims it first.
  t.is((await clickButton(env, alert, 'ticket_assign_me', String(ticketId))).status, 200);
  await waitFor(async () => (await api(env.svc.baseUrl, `/api/v1/requests/${ticketId}`)).json.assignee?.slack_user_id === 'UAGENT001', { what: 'claimed' });

  const view = await openModal(env, alert, ticketId);
  t.is(view.callback_id, 'ticket_reply_modal');
  t.is(env.fake.views.at(-1)!.triggerId, '1.2.3', 'opened with the interaction\'s trigger_id');
  const res = await submit(env, view, 'Hello Ann,\n\nsorry for that: the second charge is refunded.\n\nBest, Support');
  t.is(res.status, 200);
  t.falsy(res.json?.response_action, 'the modal closes');

  const sent = await waitFor(() => env.smtp.received[0], { timeoutMs: 20_000, what: 'mail at the SMTP server' });
  const [stored] = await replies(env, ticketId);
  t.is(stored!.agent_slack_id, 'UAGENT001');
  t.is(stored!.agent_name, 'ann.agent');
  t.is(stored!.draft_origin, 'none');
  t.deepEqual(sent.to, [CUSTOMER]);
  t.is(sent.from, SUPPORT);
  t.regex(sent.headers.from!, new RegExp(SUPPORT.replace('.', '\\.')));
  t.is(sent.headers['message-id'], stored!.message_id, 'the Message-ID fixed at store time');
  t.is(sent.headers['in-reply-to'], messageId);
  t.true(sent.headers.references!.includes(messageId));
  t.regex(sent.headers.subject!, new RegExp(`^Re: Invoice total is wrong \\[#${ticketId}\\]$`));
  t.is(sent.headers['auto-submitted'], undefined, 'a person\'s reply is not auto-submitted');
  t.true(sent.raw.includes('the second charge is refunded'));

  await waitFor(async () => (await replies(env, ticketId))[0]!.state === 'sent', { what: 'reply marked sent' });
  t.is(await status(env, ticketId), 'waiting_on_customer');
  const detail = (await api(env.svc.baseUrl, `/api/v1/requests/${ticketId}`)).json;
  t.like(detail.replies[0], { agent: { slack_user_id: 'UAGENT001', name: 'ann.agent' }, state: 'sent', message_id: stored!.message_id, draft_origin: 'none', attempts: 1 });
  t.truthy(detail.replies[0].sent_at);
  t.is((await api(env.svc.baseUrl, `/api/v1/requests?status=waiting_on_customer`)).json.total, 1, 'the status is filterable');
  const note = await waitFor(() => env.fake.threadReplies(alert.channel, alert.ts).find((m) => m.metadata?.event_type === 'support_ticket_reply'), { what: 'replied-by in the thread' });
  t.true(note.text.includes('<@UAGENT001>'));
  t.true(JSON.stringify(note.blocks).includes('second charge is refunded'));
  await waitFor(() => JSON.stringify(alert.blocks).includes('Replied to the customer'), { what: 'card says replied' });

  // Our own copy coming back to the mailbox (a server that files sent mail in the inbox) is a loop: ignored.
  await imap.dovecot.append(env.box.user, env.box.password, 'INBOX', [Buffer.from(sent.raw)]);
  // The customer answers as mail clients do: Re: our subject, In-Reply-To our Message-ID, References kept.
  const answerId = `<answer.${Date.now()}@customer.example>`;
  await imap.dovecot.append(env.box.user, env.box.password, 'INBOX', [
    mail({ from: `Ann <${CUSTOMER}>`, to: SUPPORT, subject: `Re: ${sent.headers.subject!.replace(/^Re: /, '')}`, body: 'Thanks, but I still see both charges.', messageId: answerId, inReplyTo: stored!.message_id, headers: { References: `${messageId} ${stored!.message_id}` } }),
  ]);
  const followup = await waitFor(async () => (await env.svc.service.db.sql.query<{ ticket_id: number }>(`select ticket_id from ticket_messages where external_id = $1`, [answerId]))[0], { timeoutMs: 20_000, what: 'the answer stored' });
  t.is(followup.ticket_id, ticketId, 'threaded onto the same ticket');
  await waitFor(async () => (await status(env, ticketId)) === 'open', { what: 'reopened' });
  const events = await env.svc.service.db.sql.query<{ verdict: string; reason: string }>(`select verdict, reason from inbound_events where source = 'email' order by id`);
  t.true(events.some((e) => /loop|support address/.test(`${e.verdict} ${e.reason}`)), JSON.stringify(events));
  t.is((await env.svc.service.db.sql.query(`select 1 from tickets where source = 'email'`)).length, 1, 'no ticket from our own copy');
  t.is((await env.svc.service.db.sql.query(`select 1 from ticket_messages`)).length, 1, 'only the customer\'s answer is a follow-up');
  t.is(env.smtp.received.length, 1, 'sent once');
  // And resolves it from the card.
  t.is((await clickButton(env, alert, 'ticket_resolve', String(ticketId))).status, 200);
  await waitFor(async () => (await status(env, ticketId)) === 'resolved', { what: 'resolved from the card' });
  // The status history: waiting after the reply, open again by the customer's answer, resolved from the card.
  const history = await env.svc.service.db.sql.query<{ to_status: string; actor: string }>(`select to_status, actor from ticket_status_changes where ticket_id = $1 order by id`, [ticketId]);
  t.deepEqual(history.map((h) => h.to_status), ['waiting_on_customer', 'open', 'resolved']);
  t.is(history[1]!.actor, 'customer');
  t.regex(history[2]!.actor, /^slack:U/);
});

serial('SMTP down (421) is retried, then the reply is sent exactly once', async (t) => {
  const env = await start(t);
  const { ticketId, alert } = await customerWrites(env, 'Cannot log in', 'Password reset fails [cat=technical conf=0.9]');
  env.smtp.refuseNext(421, 2);
  await submit(env, await openModal(env, alert, ticketId), 'Please try the link again now.');
  await waitFor(async () => (await replies(env, ticketId))[0]?.state === 'sent', { timeoutMs: 30_000, what: 'sent after retries' }).catch(async (e) => { console.log(JSON.stringify(await replies(env, ticketId)), env.smtp.attempts, JSON.stringify(await env.svc.service.db.sql.query("select state, retry_count, retry_limit, retry_delay, start_after, output from pgboss.job where name = 'reply-send'"))); throw e; });
  t.is(env.smtp.attempts, 3);
  t.is(env.smtp.received.length, 1);
  t.is((await replies(env, ticketId))[0]!.attempts, 3);
  t.is(env.fake.threadReplies(alert.channel, alert.ts).filter((m) => m.metadata?.event_type === 'support_ticket_reply').length <= 1, true);
});

serial('SMTP server unreachable (connection refused) is retried until it is back, then sent once', async (t) => {
  const port = await freePort();
  const box = await newMailbox(imap.dovecot, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_SECURE: 'false' });
  const slackEnv = await startSlackService(box.env, { replyRetry: { retryLimit: 6, retryDelay: 1 } });
  let smtp: FakeSmtp | undefined;
  t.teardown(async () => {
    await slackEnv.stop();
    await smtp?.close();
  });
  const env: Env = { ...slackEnv, box, smtp: undefined as never };
  const { ticketId, alert } = await customerWrites(env, 'Export broken', 'CSV export is empty [cat=technical conf=0.9]');
  await submit(env, await openModal(env, alert, ticketId), 'Fixed, please try again.');
  await waitFor(async () => ((await replies(env, ticketId))[0]?.last_error ?? '').includes('ECONNREFUSED'), { timeoutMs: 20_000, what: 'a refused attempt' });
  t.is((await replies(env, ticketId))[0]!.state, 'queued', 'still queued, not failed');
  smtp = await startFakeSmtp(port);
  await waitFor(async () => (await replies(env, ticketId))[0]?.state === 'sent', { timeoutMs: 40_000, what: 'sent once the server is back' });
  t.is(smtp.received.length, 1);
  t.true((await replies(env, ticketId))[0]!.attempts >= 2);
});

serial('SMTP 550 fails at once: the card shows it with Retry; Retry sends the same Message-ID', async (t) => {
  const env = await start(t);
  const { ticketId, alert } = await customerWrites(env, 'Refund please', 'I want my money back [cat=billing conf=0.9]');
  env.smtp.refuseNext(550);
  await submit(env, await openModal(env, alert, ticketId), 'We have refunded you.');
  await waitFor(async () => (await replies(env, ticketId))[0]?.state === 'failed', { timeoutMs: 20_000, what: 'failed' });
  t.is(env.smtp.attempts, 1, 'no retry after a permanent refusal');
  await waitFor(() => actionIds(alert).includes('ticket_reply_retry'), { what: 'Retry on the card' });
  t.true(JSON.stringify(alert.blocks).includes('could not be sent'));
  t.regex((await replies(env, ticketId))[0]!.last_error ?? '', /550|unavailable/);

  const [failed] = await replies(env, ticketId);
  const res = await clickButton(env, alert, 'ticket_reply_retry', String(failed!.id));
  t.is(res.status, 200);
  const sent = await waitFor(() => env.smtp.received[0], { timeoutMs: 20_000, what: 'sent on retry' });
  t.is(sent.headers['message-id'], failed!.message_id);
  await waitFor(async () => (await replies(env, ticketId))[0]?.state === 'sent', { what: 'sent' });
  await waitFor(() => !actionIds(alert).includes('ticket_reply_retry'), { what: 'Retry gone' });
  // A second Retry click (a stale card) sends nothing.
  await clickButton(env, alert, 'ticket_reply_retry', String(failed!.id));
  await new Promise((r) => setTimeout(r, 1500));
  t.is(env.smtp.received.length, 1);
});

serial('hostile modal input: empty, 100k characters, forged state are refused; NUL is removed; thread messages are never sent', async (t) => {
  const env = await start(t);
  const { ticketId, alert } = await customerWrites(env, 'Question', 'How do I export? [cat=general conf=0.9]');
  const view = await openModal(env, alert, ticketId);
  for (const text of ['', '   \n\t ', null, 'x'.repeat(100_000)]) {
    const res = await submit(env, view, text);
    t.is(res.status, 200);
    t.is(res.json?.response_action, 'errors', `refused: ${String(text).slice(0, 20)}`);
    t.truthy(res.json.errors.reply_text);
  }
  for (const privateMetadata of ['not json', JSON.stringify({ ticketId: -1 }), JSON.stringify({ ticketId: 999999 }), JSON.stringify({ ticketId: '1 or 1=1' })]) {
    const res = await submit(env, view, 'hello', { privateMetadata });
    t.is(res.json?.response_action, 'errors', privateMetadata);
  }
  t.is((await replies(env, ticketId)).length, 0, 'nothing stored');

  // An agent's plain message in the alert's thread: internal, never sent.
  const event = JSON.stringify({
    token: 'legacy', team_id: 'TFAKE', api_app_id: 'AFAKE', type: 'event_callback', event_id: 'Ev1', event_time: Math.floor(Date.now() / 1000),
    event: { type: 'message', channel: alert.channel, user: 'UAGENT001', text: 'internal: she was charged twice, refund it', ts: `${Math.floor(Date.now() / 1000)}.000100`, thread_ts: alert.ts },
  });
  const res = await fetch(`${env.svc.baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(event) }, body: event });
  t.true(res.status < 500);

  const ok = await submit(env, view, 'Use Settings \u0000→ Export.\u0007');
  t.falsy(ok.json?.response_action);
  await waitFor(() => env.smtp.received[0], { timeoutMs: 20_000, what: 'the one real reply' });
  const [stored] = await replies(env, ticketId);
  t.is(stored!.body, 'Use Settings → Export.');
  // Send pressed again on the same modal (Slack slow to hear our answer): still one reply.
  t.falsy((await submit(env, view, 'Use Settings → Export.')).json?.response_action);
  t.is((await replies(env, ticketId)).length, 1, 'one modal, one reply');
  await new Promise((r) => setTimeout(r, 1500));
  t.is(env.smtp.received.length, 1, 'only the modal\'s reply reached the customer');
  t.false(env.smtp.received[0]!.raw.includes('internal'));
});
