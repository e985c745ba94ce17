/**
 * Buttons and the slash command, POSTed to /slack/events of the real service and signed exactly as Slack
 * signs them; unsigned, badly signed and stale requests are rejected and change nothing.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { blockActionBody, createTicket, postToSlackEvents, slashCommandBody, startSlackService, waitForAlert } from './harness.ts';
import { signSlack } from '../kit/signing.ts';
import { CHANNELS } from '../kit/slack.ts';

type Env = Awaited<ReturnType<typeof startSlackService>>;

async function click(env: Env, ticketId: number, actionId: string, opts: { value?: string; selected?: string; user?: string } = {}) {
  const alert = await waitForAlert(env.fake, ticketId);
  const body = blockActionBody({
    actionId,
    ...(opts.selected !== undefined ? { selected: opts.selected } : { value: opts.value ?? String(ticketId) }),
    ...(opts.user ? { user: opts.user } : {}),
    channel: alert.channel,
    messageTs: alert.ts,
    blocks: alert.blocks ?? [],
    responseUrl: `${env.fake.url}/response/${ticketId}`,
  });
  const edits = alert.edited;
  const res = await postToSlackEvents(env.svc.baseUrl, body, signSlack(body));
  return { res, alert, edits };
}

const ticketOf = async (env: Env, id: number) => (await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).json;
const cardText = (m: { blocks?: unknown[] | undefined }) => JSON.stringify(m.blocks);
const actionIds = (m: { blocks?: any[] | undefined }) => (m.blocks!.find((b) => b.type === 'actions')?.elements ?? []).map((e: any) => e.action_id);

test.serial('Acknowledge, then Resolve: the ticket changes, the card is edited in place, a second click changes nothing', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Our SSO login loops forever [cat=technical conf=0.9]' });

  const first = await click(env, id, 'ticket_acknowledge', { user: 'UANN00001' });
  t.is(first.res.status, 200);
  await waitFor(() => first.alert.edited > first.edits, { what: 'card edited' });
  t.is((await ticketOf(env, id)).status, 'acknowledged');
  t.true(cardText(first.alert).includes('Acknowledged by <@UANN00001>'));
  t.deepEqual(actionIds(first.alert), ['ticket_reclassify', 'ticket_resolve', 'ticket_merge']);
  t.is(env.fake.channelMessages(CHANNELS.technical).length, 1, 'edited, not reposted');

  const again = await click(env, id, 'ticket_acknowledge', { user: 'UBOB00001' });
  t.is(again.res.status, 200);
  await waitFor(() => again.alert.edited > again.edits, { what: 'card re-rendered' });
  t.false(cardText(again.alert).includes('UBOB00001'), 'no activity for a click that changed nothing');
  t.is(cardText(again.alert).match(/Acknowledged by/g)?.length, 1);

  const resolve = await click(env, id, 'ticket_resolve', { user: 'UBOB00001' });
  await waitFor(() => resolve.alert.edited > resolve.edits, { what: 'card edited' });
  t.is((await ticketOf(env, id)).status, 'resolved');
  t.true(cardText(resolve.alert).includes('Resolved by <@UBOB00001>'));
  t.true(cardText(resolve.alert).includes('Acknowledged by <@UANN00001>'), 'earlier activity kept');
  t.deepEqual(actionIds(resolve.alert), ['ticket_reclassify']);
});

test.serial('Reclassify: a human correction, the card shows it, the thread notes it once, the alert does not move', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Why was my card declined twice? [cat=technical conf=0.7]' });
  const alert = await waitForAlert(env.fake, id);
  t.is(alert.channel, CHANNELS.technical);

  const first = await click(env, id, 'ticket_reclassify', { selected: `${id}:billing`, user: 'UANN00001' });
  t.is(first.res.status, 200);
  await waitFor(() => first.alert.edited > first.edits, { what: 'card edited' });
  const ticket = await ticketOf(env, id);
  t.is(ticket.classification.category, 'billing');
  t.is(ticket.classification.model_name, 'human');
  t.true(cardText(alert).includes('billing · set by a person'));
  t.true(cardText(alert).includes('Reclassified as *billing* by <@UANN00001>'));
  const note = await waitFor(() => env.fake.threadReplies(alert.channel, alert.ts)[0], { what: 'thread note' });
  t.true(note.text.includes('Reclassified as *billing*'));
  t.true(note.text.includes('<@UANN00001>'));

  const again = await click(env, id, 'ticket_reclassify', { selected: `${id}:billing`, user: 'UANN00001' });
  await waitFor(() => again.alert.edited > again.edits, { what: 'card re-rendered' });
  await new Promise((r) => setTimeout(r, 1500));
  t.is(env.fake.threadReplies(alert.channel, alert.ts).length, 1, 'one note');
  const history = (await api(env.svc.baseUrl, `/api/v1/requests/${id}/classifications`)).json;
  t.is((Array.isArray(history) ? history : history.items).filter((c: any) => c.model_name === 'human').length, 1);
  t.is(env.fake.channelMessages(CHANNELS.billing).length, 0, 'nothing moved to billing');
});

test.serial('a change made through the REST API edits the card too', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Password reset mail never arrives [cat=technical conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { status: 'resolved' } })).status, 200);
  await waitFor(() => alert.edited > 0, { what: 'card edited' });
  t.true(cardText(alert).includes('Resolved by'));
  t.deepEqual(actionIds(alert), ['ticket_reclassify']);
});

test.serial('unsigned, badly signed and stale requests are rejected and change nothing', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'App crashes on start [cat=technical conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  const body = blockActionBody({ actionId: 'ticket_resolve', value: String(id), channel: alert.channel, messageTs: alert.ts, blocks: alert.blocks ?? [], responseUrl: `${env.fake.url}/r` });

  t.is((await postToSlackEvents(env.svc.baseUrl, body, {})).status, 401);
  t.is((await postToSlackEvents(env.svc.baseUrl, body, signSlack(body, undefined, 'not-the-secret'))).status, 401);
  t.is((await postToSlackEvents(env.svc.baseUrl, `${body}&x=1`, signSlack(body))).status, 401, 'body changed after signing');
  t.is((await postToSlackEvents(env.svc.baseUrl, body, signSlack(body, Math.floor(Date.now() / 1000) - 600))).status, 401, 'stale');
  const command = slashCommandBody('7');
  t.is((await postToSlackEvents(env.svc.baseUrl, command, { 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=00' })).status, 401);

  await new Promise((r) => setTimeout(r, 500));
  t.is((await ticketOf(env, id)).status, 'open');
  t.is(alert.edited, 0);
});

test.serial('/support-stats answers ephemerally with totals, categories, days, confidence, pending and low confidence', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const ids = [
    await createTicket(env.svc, { body: 'Charged twice for March [cat=billing conf=0.9]' }),
    await createTicket(env.svc, { body: 'Refund please, wrong plan [cat=billing conf=0.4]' }),
    await createTicket(env.svc, { body: 'Cannot upload files [cat=technical conf=0.8]' }),
  ];
  for (const id of ids) await waitForAlert(env.fake, id);

  const body = slashCommandBody('');
  const res = await postToSlackEvents(env.svc.baseUrl, body, signSlack(body));
  t.is(res.status, 200);
  t.is(res.json.response_type, 'ephemeral');
  const text = JSON.stringify(res.json.blocks);
  for (const part of ['*Tickets*\\n3', 'billing*: 2 (67%)', 'technical*: 1 (33%)', '*Low confidence*\\n1', '*Waiting for classification*\\n0', 'last 7 days', '70%']) {
    t.true(text.includes(part), part);
  }
  t.true(text.includes(new Date().toISOString().slice(0, 10)), 'per-day counts include today');

  const filtered = slashCommandBody('30 billing');
  const res2 = await postToSlackEvents(env.svc.baseUrl, filtered, signSlack(filtered));
  const text2 = JSON.stringify(res2.json.blocks);
  t.true(text2.includes('*Tickets*\\n2'));
  t.true(text2.includes('last 30 days · billing only'));
  t.false(text2.includes('technical*'));
});

test.serial('/support-stats with a bad argument gets a usage hint', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  for (const args of ['banana', '0', '365', '7 7', 'billing 7 extra']) {
    const body = slashCommandBody(args);
    const res = await postToSlackEvents(env.svc.baseUrl, body, signSlack(body));
    t.is(res.status, 200, args);
    t.is(res.json.response_type, 'ephemeral');
    t.true(res.json.text.includes('Usage: `/support-stats [days] [category]`'), args);
    t.falsy(res.json.blocks);
  }
});

test.serial('a forged Reply click on a ticket nothing can answer (REST ticket, no outbound door) opens no modal and stores nothing', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Where is my parcel? [cat=general conf=0.9]' });
  const { res, alert } = await click(env, id, 'ticket_reply');
  t.is(res.status, 200);
  t.false(actionIds(alert).includes('ticket_reply'), 'the card offers no Reply');
  const told = await waitFor(() => env.fake.responseUrlCalls.find((c) => c.path === `/response/${id}`), { what: 'ephemeral answer' });
  t.regex(String(told.body.text), /cannot be answered/);
  t.is(env.fake.views.length, 0);
  t.is((await env.svc.service.db.sql.query('select 1 from ticket_replies')).length, 0);
  t.is((await ticketOf(env, id)).status, 'open');
});
