/**
 * Slack channels as a door (docs/slack.md "Slack as a door"): signed Events API requests of recorded shapes
 * through the real HTTP receiver into ingest, against a fake Slack; the tickets they make (or do not make).
 */
import test from 'ava';
import { CHANNELS } from '../kit/slack.ts';
import { BOT_ID, BOT_USER_ID } from '../kit/fake-slack.ts';
import { callback, CUSTOMER_TEAM, customerProfile, INTAKE, messageEvent, nextTs, OUR_TEAM, sendEvent } from '../kit/slack-events.ts';
import { waitFor } from '../kit/wait.ts';
import { signSlack } from '../kit/signing.ts';
import { alertsFor, postToSlackEvents, slashCommandBody, startSlackService, waitForAlert } from './harness.ts';

const DOOR_ENV = {
  SLACK_INTAKE_CHANNELS: `${INTAKE.all}:all,${INTAKE.reaction}:reaction,${INTAKE.mention}:mention`,
  SLACK_INTAKE_GROUP_MINUTES: '30',
};

type Svc = Awaited<ReturnType<typeof startSlackService>>['svc'];
const slackTickets = (svc: Svc) =>
  svc.service.db.sql.query<{ id: number; external_id: string; body: string; requester_name: string | null; requester_email: string | null; metadata: any; status: string }>(
    `select id, external_id, body, requester_name, requester_email, metadata, status from tickets where source = 'slack' order by id`,
  );
const followups = (svc: Svc, ticketId: number) =>
  svc.service.db.sql.query<{ external_id: string; body: string; metadata: any }>(`select external_id, body, metadata from ticket_messages where ticket_id = $1 order by id`, [ticketId]);

test.serial('recorded event shapes: system messages make no ticket, a customer\'s question one, its thread its follow-ups', async (t) => {
  t.timeout(300_000);
  const { fake, svc, stop } = await startSlackService(DOOR_ENV);
  t.teardown(stop);
  const send = async (event: Record<string, unknown>) => {
    const res = await sendEvent(svc.baseUrl, callback(event));
    t.is(res.status, 200, JSON.stringify(event).slice(0, 200));
  };
  const noise = [
    { ...messageEvent({ text: '<@UCUSTOMER1> has joined the channel', subtype: 'channel_join' }) },
    { ...messageEvent({ text: 'left', subtype: 'channel_leave' }) },
    { ...messageEvent({ text: 'set the channel topic: support', subtype: 'channel_topic' }) },
    { type: 'message', subtype: 'bot_message', channel: INTAKE.all, bot_id: 'BOTHER01', text: 'Deploy finished', ts: nextTs() },
    { type: 'message', channel: INTAKE.all, user: BOT_USER_ID, bot_id: BOT_ID, text: 'our own post', ts: nextTs() },
    { type: 'message', subtype: 'huddle_thread', channel: INTAKE.all, user: 'UCUSTOMER1', text: '', ts: nextTs(), room: { id: 'R1' } },
    { type: 'message', subtype: 'weird_new_subtype', channel: INTAKE.all, user: 'UCUSTOMER1', text: 'hm', ts: nextTs() },
    messageEvent({ text: 'thanks!' }),
    messageEvent({ text: 'ok' }),
    messageEvent({ text: ':+1: :tada:' }),
    messageEvent({ text: 'Heads-up: deploying at 5', team: OUR_TEAM, user: 'UTEAMMATE1' }),
    messageEvent({ text: 'Question in a channel that is not a door', channel: 'COTHER0001' }),
  ];
  for (const e of noise) await send(e);
  t.is((await slackTickets(svc)).length, 0, 'no ticket from system messages, bots, pleasantries, teammates or other channels');

  const question = messageEvent({ text: 'Our export to <https://example.com/x|the dashboard> fails with error 500 since Monday' });
  await send(question);
  const [ticket] = await slackTickets(svc);
  t.truthy(ticket);
  t.is(ticket!.external_id, `${INTAKE.all}/${question.ts}`);
  t.is(ticket!.body, 'Our export to the dashboard (https://example.com/x) fails with error 500 since Monday');
  t.is(ticket!.requester_name, 'Cora Customer');
  t.is(ticket!.requester_email, 'cora@customer.example');
  t.like(ticket!.metadata, { slack_user: 'UCUSTOMER1', slack_team: CUSTOMER_TEAM, slack_channel: INTAKE.all });

  // The unfurl Slack adds is a message_changed with the same text: not an edit.
  await send({ type: 'message', subtype: 'message_changed', channel: INTAKE.all, hidden: true, ts: nextTs(),
    message: { ...question, attachments: [{ title: 'dashboard' }] }, previous_message: question });
  t.is((await slackTickets(svc))[0]!.body, ticket!.body);
  t.is((await slackTickets(svc))[0]!.metadata.edits, undefined);

  // Thread replies: the customer's are follow-ups (a file share too), a pleasantry in the thread is kept as one.
  await send(messageEvent({ text: 'Here is the log', thread_ts: question.ts, subtype: 'file_share', files: [{ name: 'export.log' }] }));
  await send(messageEvent({ text: '', thread_ts: question.ts, files: [{ name: 'screenshot.png' }] }));
  const replies = await followups(svc, ticket!.id);
  t.deepEqual(replies.map((r) => r.body), ['Here is the log\n\n[files: export.log]', '[files: screenshot.png]']);

  // Another customer's file share opens a ticket of its own.
  await send(messageEvent({ text: 'Invoice attached is wrong', user: 'UCUSTOMER2', subtype: 'file_share', files: [{ name: 'inv.pdf' }], profile: customerProfile('Dan Other', 'dan@customer.example') }));
  t.is((await slackTickets(svc)).length, 2);

  // Classified and alerted like any ticket, in the triage/category channel, never in the customer's.
  const alert = await waitForAlert(fake, ticket!.id);
  t.true(Object.values(CHANNELS).includes(alert.channel));
  t.is(fake.channelMessages(INTAKE.all).length, 0, 'nothing posted in the customer\'s channel');
  t.true(alertsFor(fake, ticket!.id).length === 1);
  await waitFor(() => fake.reactions.find((r) => r.ts === question.ts && r.name === 'eyes'), { what: 'receipt reaction' });
});

test.serial('grouping: the same author\'s next top-level message within the window joins their open ticket; another author and the window\'s end do not', async (t) => {
  t.timeout(300_000);
  const { svc, stop } = await startSlackService(DOOR_ENV);
  t.teardown(stop);
  const first = messageEvent({ text: 'The API returns 401 for our new key' });
  await sendEvent(svc.baseUrl, callback(first));
  await sendEvent(svc.baseUrl, callback(messageEvent({ text: 'Also the webhook stopped firing' })));
  await sendEvent(svc.baseUrl, callback(messageEvent({ text: 'We cannot log in at all', user: 'UCUSTOMER2' })));
  const tickets = await slackTickets(svc);
  t.is(tickets.length, 2);
  t.deepEqual((await followups(svc, tickets[0]!.id)).map((m) => m.body), ['Also the webhook stopped firing']);
  // A reply in the thread of the grouped message is on the same ticket.
  const grouped = (await followups(svc, tickets[0]!.id))[0]!;
  const groupedTs = grouped.external_id.split('/')[1]!;
  await sendEvent(svc.baseUrl, callback(messageEvent({ text: 'Started at 10:02 UTC', thread_ts: groupedTs })));
  t.is((await followups(svc, tickets[0]!.id)).length, 2);
  // Outside the window (the ticket's last activity pushed back): a new ticket.
  await svc.service.db.sql.query(`update tickets set updated_at = now() - interval '31 minutes' where id = $1`, [tickets[0]!.id]);
  await sendEvent(svc.baseUrl, callback(messageEvent({ text: 'New problem: billing page is blank' })));
  t.is((await slackTickets(svc)).length, 3);
});

test.serial('an edit is on the ticket within 5 s with its history kept, and its card follows; a deletion too', async (t) => {
  t.timeout(300_000);
  const { fake, svc, stop } = await startSlackService(DOOR_ENV);
  t.teardown(stop);
  const question = messageEvent({ text: 'Export fails wiht error 500' });
  await sendEvent(svc.baseUrl, callback(question));
  const reply = messageEvent({ text: 'It is every export', thread_ts: question.ts });
  await sendEvent(svc.baseUrl, callback(reply));
  const ticketId = await waitFor(async () => (await slackTickets(svc))[0]?.id, { what: 'the ticket' });
  const card = await waitForAlert(fake, ticketId, 30_000);
  t.true(JSON.stringify(card.blocks).includes('wiht'), 'the card shows the text as first written');
  const started = Date.now();
  await sendEvent(svc.baseUrl, callback({ type: 'message', subtype: 'message_changed', channel: INTAKE.all, hidden: true, ts: nextTs(),
    message: { ...question, text: 'Export fails with error 500', edited: { user: 'UCUSTOMER1', ts: nextTs() } }, previous_message: question }));
  const [ticket] = await waitFor(async () => ((await slackTickets(svc))[0]?.body === 'Export fails with error 500' ? slackTickets(svc) : undefined), { timeoutMs: 5_000, what: 'the edit' });
  t.true(Date.now() - started < 5_000);
  t.is(ticket!.metadata.edits.length, 1);
  t.is(ticket!.metadata.edits[0].body, 'Export fails wiht error 500');
  // The card is edited in place to the new text, with the activity line saying why.
  await waitFor(() => {
    const shown = JSON.stringify(fake.messages.find((m) => m.ts === card.ts)?.blocks);
    return shown.includes('Export fails with error 500') && shown.includes('The customer edited a message');
  }, { what: 'the card following the edit', timeoutMs: 30_000 });
  t.is(alertsFor(fake, ticketId).length, 1, 'edited, not posted again');
  await sendEvent(svc.baseUrl, callback({ type: 'message', subtype: 'message_deleted', channel: INTAKE.all, hidden: true, ts: nextTs(), deleted_ts: reply.ts, previous_message: reply }));
  const [m] = await followups(svc, ticket!.id);
  t.is(m!.body, '(deleted in Slack)');
  t.is(m!.metadata.edits[0].body, 'It is every export');
  t.true(m!.metadata.edits[0].deleted);
});

test.serial('each event delivered three times by Slack (X-Slack-Retry-Num) makes one ticket and one follow-up', async (t) => {
  t.timeout(300_000);
  const { svc, stop } = await startSlackService(DOOR_ENV);
  t.teardown(stop);
  const question = callback(messageEvent({ text: 'Password reset mail never arrives' }));
  const reply = callback(messageEvent({ text: 'Checked spam too', thread_ts: (question.event as { ts: string }).ts }));
  for (const body of [question, reply]) {
    const answers = await Promise.all([0, 1, 2].map((n) => sendEvent(svc.baseUrl, body, n ? { retryNum: n } : {})));
    t.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
  }
  // The same message as app_mention (a customer mentioning the app) is the same message too.
  await sendEvent(svc.baseUrl, callback({ ...(question.event as object), type: 'app_mention' }));
  const tickets = await slackTickets(svc);
  t.is(tickets.length, 1);
  t.is((await followups(svc, tickets[0]!.id)).length, 1);
});

test.serial('reaction mode: only a message a teammate marks with the reaction opens a ticket; mention mode: only a mention', async (t) => {
  t.timeout(300_000);
  const { fake, svc, stop } = await startSlackService(DOOR_ENV);
  t.teardown(stop);
  const plain = messageEvent({ channel: INTAKE.reaction, text: 'Is there an SSO option?' });
  await sendEvent(svc.baseUrl, callback(plain));
  t.is((await slackTickets(svc)).length, 0);
  fake.seedMessage({ channel: INTAKE.reaction, ts: plain.ts, text: plain.text, user: 'UCUSTOMER1', bot_id: undefined, user_team: CUSTOMER_TEAM, user_profile: customerProfile() });
  await sendEvent(svc.baseUrl, callback({ type: 'reaction_added', user: 'UTEAMMATE1', reaction: 'thumbsup', item: { type: 'message', channel: INTAKE.reaction, ts: plain.ts }, event_ts: nextTs() }));
  t.is((await slackTickets(svc)).length, 0, 'another reaction');
  await sendEvent(svc.baseUrl, callback({ type: 'reaction_added', user: 'UTEAMMATE1', reaction: 'ticket', item: { type: 'message', channel: INTAKE.reaction, ts: plain.ts }, event_ts: nextTs() }));
  const [marked] = await slackTickets(svc);
  t.is(marked?.external_id, `${INTAKE.reaction}/${plain.ts}`);
  t.is(marked?.requester_name, 'Cora Customer');

  await sendEvent(svc.baseUrl, callback(messageEvent({ channel: INTAKE.mention, text: 'Where do I change my plan?' })));
  t.is((await slackTickets(svc)).length, 1);
  const mention = messageEvent({ channel: INTAKE.mention, text: `<@${BOT_USER_ID}> where do I change my plan?` });
  await sendEvent(svc.baseUrl, callback({ ...mention, type: 'app_mention' }));
  const tickets = await slackTickets(svc);
  t.is(tickets.length, 2);
  t.is(tickets[1]!.body, 'where do I change my plan?');
});

test.serial('who is a customer: per-channel lists override the workspace rule', async (t) => {
  t.timeout(300_000);
  const { svc, stop } = await startSlackService({
    ...DOOR_ENV,
    SLACK_INTAKE_CUSTOMERS: `${INTAKE.all}:UINTERNAL1`,
    SLACK_INTAKE_COLLEAGUES: `*:UPARTNER01`,
  });
  t.teardown(stop);
  await sendEvent(svc.baseUrl, callback(messageEvent({ text: 'Partner colleague here: FYI the release is out', user: 'UPARTNER01' })));
  t.is((await slackTickets(svc)).length, 0, 'a colleague from another workspace');
  await sendEvent(svc.baseUrl, callback(messageEvent({ text: 'Internal user: my laptop VPN fails', user: 'UINTERNAL1', team: OUR_TEAM })));
  t.is((await slackTickets(svc)).length, 1, 'a customer in our own workspace');
});

test.serial('/ticket, the "Create support ticket" shortcut and DMs open tickets outside the intake channels; the thread\'s replies follow', async (t) => {
  t.timeout(300_000);
  const { fake, svc, stop } = await startSlackService({ ...DOOR_ENV, SLACK_INTAKE_DMS: 'true' });
  t.teardown(stop);
  const command = slashCommandBody('Customer Acme cannot export PDFs', '/ticket', `${fake.url}/response/cmd`);
  t.is((await postToSlackEvents(svc.baseUrl, command, signSlack(command))).status, 200);
  const posted = await waitFor(() => fake.channelMessages(CHANNELS.general).find((m) => m.text.includes('Customer Acme cannot export PDFs')), { what: 'the /ticket post' });
  const [fromCommand] = await waitFor(async () => { const rows = await slackTickets(svc); return rows.length ? rows : undefined; }, { what: 'ticket from /ticket' });
  t.is(fromCommand!.external_id, `${CHANNELS.general}/${posted.ts}`);
  t.is(fromCommand!.body, 'Customer Acme cannot export PDFs');
  await waitFor(() => fake.responseUrlCalls.find((c) => String(c.body.text).includes(`Ticket #${fromCommand!.id} opened`)), { what: 'the ephemeral answer' });
  // A customer replying in that thread (not an intake channel) is a follow-up.
  await sendEvent(svc.baseUrl, callback(messageEvent({ channel: CHANNELS.general, text: 'It happens for every PDF', thread_ts: posted.ts })));
  t.is((await followups(svc, fromCommand!.id)).length, 1);

  const chosen = { type: 'message', user: 'UCUSTOMER7', ts: nextTs(), text: 'Can we get an invoice in EUR?', user_team: CUSTOMER_TEAM, user_profile: customerProfile('Eve Euro', 'eve@customer.example') };
  const payload = {
    type: 'message_action', callback_id: 'create_support_ticket', trigger_id: '9.9.9', response_url: `${fake.url}/response/shortcut`, message_ts: chosen.ts,
    team: { id: OUR_TEAM, domain: 'fake' }, channel: { id: 'CRANDOM001', name: 'random' }, user: { id: 'UTEAMMATE1', name: 'tom' }, message: chosen, token: 'legacy', action_ts: '1',
  };
  const shortcut = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  t.is((await postToSlackEvents(svc.baseUrl, shortcut, signSlack(shortcut))).status, 200);
  const fromShortcut = await waitFor(async () => (await slackTickets(svc)).find((r) => r.external_id === `CRANDOM001/${chosen.ts}`), { what: 'ticket from the shortcut' });
  t.is(fromShortcut.requester_name, 'Eve Euro');
  t.is(fromShortcut.metadata.slack_user, 'UCUSTOMER7');

  await sendEvent(svc.baseUrl, callback({ ...messageEvent({ channel: 'DDIRECT001', text: 'Hi, my colleague cannot sign in', team: OUR_TEAM, user: 'UTEAMMATE2' }), channel_type: 'im' }));
  t.truthy((await slackTickets(svc)).find((r) => r.external_id.startsWith('DDIRECT001/')), 'a DM to the app is a door');
});
