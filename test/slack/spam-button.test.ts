/**
 * The card's Spam button (behind Slack's confirmation dialog): the click blocks the requester's address and
 * resolves the ticket, the card says who marked it, the sender's next message makes no ticket and no alert; a
 * ticket without a sender address shows no Spam button, and a forged click on one changes nothing; through the
 * Slack door, a blocked customer's message is spam too.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { signSlack } from '../kit/signing.ts';
import { callback, customerProfile, INTAKE, messageEvent, sendEvent } from '../kit/slack-events.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, blockActionBody, createTicket, postToSlackEvents, startSlackService, waitForAlert } from './harness.ts';

type Env = Awaited<ReturnType<typeof startSlackService>>;
const actions = (m: { blocks?: any[] | undefined }) => (m.blocks!.find((b) => b.type === 'actions')?.elements ?? []) as any[];

async function clickSpam(env: Env, ticketId: number) {
  const alert = await waitForAlert(env.fake, ticketId);
  const body = blockActionBody({ actionId: 'ticket_spam', value: String(ticketId), user: 'USPAM0001', channel: alert.channel, messageTs: alert.ts, blocks: alert.blocks ?? [], responseUrl: `${env.fake.url}/response/${ticketId}` });
  const edits = alert.edited;
  const res = await postToSlackEvents(env.svc.baseUrl, body, signSlack(body));
  return { res, alert, edits };
}

test('Spam on a card blocks the sender and resolves the ticket; their next message makes no ticket and no alert', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { subject: 'Guaranteed SEO', body: 'We rank your site first on Google [cat=general conf=0.9]', requester_email: 'seo@spam-card.example' });
  const alert = await waitForAlert(env.fake, id, 30_000);
  const spam = actions(alert).find((e) => e.action_id === 'ticket_spam');
  t.truthy(spam, 'a Spam button');
  t.like(spam.confirm, { title: { text: 'Mark as spam?' }, style: 'danger' });

  const click = await clickSpam(env, id);
  t.is(click.res.status, 200);
  await waitFor(() => click.alert.edited > click.edits, { what: 'the card edited' });
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).json.status, 'resolved');
  t.true(JSON.stringify(click.alert.blocks).includes('Marked as spam: the sender is blocked by <@USPAM0001>'));
  t.false(actions(click.alert).some((e) => e.action_id === 'ticket_spam'), 'no Spam button on a resolved ticket');
  const blocks = (await api(env.svc.baseUrl, '/api/v1/sender-blocks')).json.items as { value: string; blocked_by: string; ticket_id: number }[];
  t.deepEqual(blocks.map((b) => [b.value, b.blocked_by, b.ticket_id]), [['seo@spam-card.example', 'slack:USPAM0001', id]]);

  const next = await api(env.svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Last chance', body: 'Our SEO offer ends today, reply now', requester_email: 'seo@spam-card.example' } });
  t.is(next.status, 202);
  await new Promise((r) => setTimeout(r, 1500));
  t.is(env.fake.calls.filter((c) => c.method === 'chat.postMessage' && !c.params.thread_ts).length, 1, 'only the first ticket\'s alert');
  t.is(alertsFor(env.fake, id).length, 1);
});

test('no Spam button without a sender address; a forged click on such a ticket changes nothing', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { text: 'Anonymous: the export page is blank [cat=technical conf=0.9]' });
  const alert = await waitForAlert(env.fake, id, 30_000);
  t.false(actions(alert).some((e) => e.action_id === 'ticket_spam'));
  const click = await clickSpam(env, id);
  t.is(click.res.status, 200);
  await waitFor(() => env.fake.responseUrlCalls.some((c) => c.path === `/response/${id}`), { what: 'the answer to the click' });
  t.regex(JSON.stringify(env.fake.responseUrlCalls.find((c) => c.path === `/response/${id}`)!.body), /no sender address to block/);
  t.not((await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).json.status, 'resolved');
  t.deepEqual((await api(env.svc.baseUrl, '/api/v1/sender-blocks')).json.items, []);
});

test('the Slack door: a blocked Slack Connect customer\'s message is kept as spam, makes no ticket and gets no receipt', async (t) => {
  const env = await startSlackService({ SLACK_INTAKE_CHANNELS: `${INTAKE.all}:all` });
  t.teardown(env.stop);
  t.is((await api(env.svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json: { kind: 'email', value: 'bulk@slack-spam.example' } })).status, 201);
  const event = messageEvent({ user: 'USPAMMER01', text: 'Buy followers now, cheap', profile: customerProfile('Bulk Seller', 'bulk@slack-spam.example') });
  t.is((await sendEvent(env.svc.baseUrl, callback(event))).status, 200);
  const sql = env.svc.service.db.sql;
  await waitFor(async () => (await sql.query(`select 1 from inbound_events where source = 'slack' and verdict = 'suppressed'`)).length === 1, { what: 'the message kept as spam' });
  t.deepEqual(await sql.query(`select id from tickets where source = 'slack'`), []);
  t.false(env.fake.calls.some((c) => c.method === 'reactions.add'), 'no receipt reaction');
  // Someone else in the channel still opens a ticket.
  const other = messageEvent({ user: 'UCUSTOMER2', text: 'The export page is blank since this morning', profile: customerProfile('Cora', 'cora@slack-ok.example') });
  await sendEvent(env.svc.baseUrl, callback(other));
  await waitFor(async () => (await sql.query(`select id from tickets where source = 'slack'`)).length === 1, { what: 'the other customer\'s ticket' });
});
