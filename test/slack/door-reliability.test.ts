/**
 * The Slack door when things go wrong: a restart with messages said meanwhile (the back-read fills the gap
 * once; so do a dropped Socket Mode connection, a Slack outage and app_rate_limited while running), Socket Mode
 * (acked only once stored), Slack telling us of rate limits, removal and revoked tokens
 * (ops incidents), and hostile bodies (refused or ignored without harm).
 */
import test from 'ava';
import { durableDatabase } from '../kit/database.ts';
import { type FakeSlack, startFakeSlack } from '../kit/fake-slack.ts';
import { api } from '../kit/service.ts';
import { signSlack } from '../kit/signing.ts';
import { callback, CUSTOMER_TEAM, customerProfile, INTAKE, messageEvent, nextTs, OUR_TEAM, sendEvent } from '../kit/slack-events.ts';
import { waitFor } from '../kit/wait.ts';
import { startSlackService } from './harness.ts';

const DOOR_ENV = { SLACK_INTAKE_CHANNELS: `${INTAKE.all}:all,${INTAKE.reaction}:reaction` };
type Svc = Awaited<ReturnType<typeof startSlackService>>['svc'];
/** A message in the intake channel's history that no event brought (said while we could not hear). */
type Said = { ts?: string; text: string; user?: string; team?: string; thread_ts?: string; subtype?: string };
const said = (fake: FakeSlack, o: Said) =>
  fake.seedMessage({
    channel: INTAKE.all, ts: o.ts ?? nextTs(), text: o.text, user: o.user ?? 'UCUSTOMER1', bot_id: undefined, thread_ts: o.thread_ts,
    user_team: o.team ?? CUSTOMER_TEAM, ...(o.team === OUR_TEAM ? {} : { user_profile: customerProfile() }), ...(o.subtype ? { subtype: o.subtype } as object : {}),
  });
const count = async (svc: Svc, sql: string, values: unknown[] = []) => Number((await svc.service.db.sql.query<{ n: string }>(`select count(*) as n from ${sql}`, values))[0]!.n);

test.serial('after a restart the back-read stores what was said meanwhile, once; running it again doubles nothing', async (t) => {
  t.timeout(300_000);
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const dbEnv = await durableDatabase(t);
  const person = (o: Said) => said(fake, o);

  const first = await startSlackService({ ...DOOR_ENV, ...dbEnv }, { fake });
  const question = messageEvent({ text: 'Exports time out for big workspaces' });
  person({ ts: question.ts, text: question.text });
  t.is((await sendEvent(first.svc.baseUrl, callback(question))).status, 200);
  await first.stop();

  // Said while the service was down: nothing of it arrives as an event.
  person({ text: 'Since yesterday also small ones', thread_ts: question.ts });
  person({ text: 'We found a workaround: split the export', user: 'UTEAMMATE1', team: OUR_TEAM, thread_ts: question.ts });
  person({ text: 'New topic: our invoices show the wrong VAT number', user: 'UCUSTOMER2' });
  person({ text: 'thanks!', user: 'UCUSTOMER3' });

  const second = await startSlackService({ ...DOOR_ENV, ...dbEnv }, { fake });
  t.teardown(second.stop);
  const svc = second.svc;
  await waitFor(async () => (await count(svc, `tickets where source = 'slack'`)) === 2 && (await count(svc, 'ticket_replies')) === 1 && (await count(svc, 'ticket_messages')) === 1, { timeoutMs: 60_000, what: 'the back-read' });
  const again = await svc.service.slack.backRead!();
  t.deepEqual(again.map((r) => r.stored), [0, 0], 'a second back-read stores nothing');
  t.is(await count(svc, `tickets where source = 'slack'`), 2);
  t.is(await count(svc, 'ticket_messages'), 1);
  t.is(await count(svc, 'ticket_replies'), 1);
  t.true(fake.callsTo('conversations.history').some((c) => c.params.channel === INTAKE.all && Number(c.params.oldest) === Number(question.ts)), 'read from the last stored message');
});

test.serial('Socket Mode: an events_api envelope is stored, then acked; a retried envelope makes no second ticket', async (t) => {
  t.timeout(300_000);
  const env = await startSlackService({ ...DOOR_ENV, SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' });
  t.teardown(env.stop);
  await waitFor(() => env.fake.socketConnected, { what: 'socket mode connection' });
  const body = callback(messageEvent({ text: 'Socket customer: the CSV import drops rows' }));
  for (const [id, retry] of [['env-ev-1', 0], ['env-ev-2', 1]] as const) {
    env.fake.socketSend({ envelope_id: id, type: 'events_api', accepts_response_payload: false, retry_attempt: retry, retry_reason: retry ? 'timeout' : '', payload: body });
    await waitFor(() => env.fake.socketMessages.find((m) => m.envelope_id === id), { what: `ack of ${id}` });
  }
  t.is(await count(env.svc, `tickets where source = 'slack'`), 1);
});

test.serial('Socket Mode: the connection drops and Slack refuses to reconnect for a while; once connected again, what was said meanwhile is read back, once', async (t) => {
  t.timeout(300_000);
  // Slack's budgets ten times faster: apps.connections.open (Tier 1) allows a reconnect every 6 s, not every minute.
  const env = await startSlackService({ ...DOOR_ENV, SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' }, { slackPaceMs: 100 });
  t.teardown(env.stop);
  await waitFor(() => env.fake.socketConnected, { what: 'socket mode connection' });
  const question = messageEvent({ text: 'Webhooks to our CRM stopped arriving' });
  said(env.fake, { ts: question.ts, text: question.text });
  env.fake.socketSend({ envelope_id: 'env-before', type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '', payload: callback(question) });
  await waitFor(() => env.fake.socketMessages.find((m) => m.envelope_id === 'env-before'), { what: 'the first message stored' });

  env.fake.failNext('apps.connections.open', { kind: 'http_500' }, 2);
  env.fake.socketDrop();
  await waitFor(() => !env.fake.socketConnected, { what: 'the drop' });
  // Said while the connection was down: Slack does not send these again over the new connection.
  said(env.fake, { text: 'Also the retries show status 410', thread_ts: question.ts });
  said(env.fake, { text: 'Different thing: please add two seats to our plan', user: 'UCUSTOMER2' });
  await waitFor(() => env.fake.socketConnected, { timeoutMs: 60_000, what: 'connected again' });
  await waitFor(async () => (await count(env.svc, `tickets where source = 'slack'`)) === 2 && (await count(env.svc, 'ticket_messages')) === 1, { timeoutMs: 90_000, what: 'the back-read after the reconnect' });
  const newTopic = await env.svc.service.db.sql.query<{ body: string }>(`select body from tickets where source = 'slack' order by id desc limit 1`);
  t.regex(newTopic[0]!.body, /two seats/);
  // A second drop with nothing said: read back again, nothing doubled.
  const reads = env.fake.callsTo('conversations.history').length;
  env.fake.socketDrop();
  await waitFor(() => env.fake.callsTo('conversations.history').length > reads, { timeoutMs: 90_000, what: 'the second back-read' });
  await new Promise((r) => setTimeout(r, 1000));
  t.is(await count(env.svc, `tickets where source = 'slack'`), 2);
  t.is(await count(env.svc, 'ticket_messages'), 1);
});

test.serial('Slack fails for longer than its own event retries cover: once it answers again, what was said meanwhile is read back', async (t) => {
  t.timeout(300_000);
  // Slack's clock ten times faster: an outage of 6 s counts as the minute past Slack's own retries.
  const env = await startSlackService(DOOR_ENV, { slackPaceMs: 100 });
  t.teardown(env.stop);
  const question = messageEvent({ text: 'The mobile app crashes when opening invoices' });
  said(env.fake, { ts: question.ts, text: question.text });
  t.is((await sendEvent(env.svc.baseUrl, callback(question))).status, 200);
  await new Promise((r) => setTimeout(r, 3000));
  // Slack fails every call for a while (its events do not reach us either); meanwhile the customer adds to the thread.
  const outage = Date.now();
  for (const method of ['chat.postMessage', 'chat.update', 'conversations.history', 'conversations.replies']) {
    env.fake.failNext(method, { kind: 'http_500' }, 1000, () => Date.now() - outage < 8000);
  }
  t.is((await api(env.svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Refund', body: 'Please refund order 1234 [cat=billing conf=0.9]', email: 'ann@example.com' } })).status, 201);
  said(env.fake, { text: 'It started after the last update', thread_ts: question.ts });
  await waitFor(async () => (await count(env.svc, 'ticket_messages')) === 1, { timeoutMs: 90_000, what: 'the message said during the outage' });
  t.true(Date.now() - outage >= 8000, 'read back only once Slack answered again');
});

test.serial('app_rate_limited: the events of that minute are read back once the minute is over', async (t) => {
  t.timeout(300_000);
  const env = await startSlackService(DOOR_ENV);
  t.teardown(env.stop);
  const question = messageEvent({ text: 'Our SSO login loops back to the start page' });
  said(env.fake, { ts: question.ts, text: question.text });
  t.is((await sendEvent(env.svc.baseUrl, callback(question))).status, 200);
  // The back-read of the start is over (it runs within a second of it).
  await new Promise((r) => setTimeout(r, 3000));
  // Slack held back the events of the minute that just ended; one of them was this message.
  said(env.fake, { text: 'It happens for every user since this morning', thread_ts: question.ts });
  const minute = Math.floor(Date.now() / 60_000) * 60 - 60;
  t.is((await sendEvent(env.svc.baseUrl, { token: 'legacy', type: 'app_rate_limited', team_id: OUR_TEAM, minute_rate_limited: minute, api_app_id: 'AFAKE' })).status, 200);
  await waitFor(async () => (await count(env.svc, 'ticket_messages')) === 1, { timeoutMs: 90_000, what: 'the held-back message read back' });
  t.is(await count(env.svc, `tickets where source = 'slack'`), 1);
});

test.serial('app_rate_limited, the app removed from an intake channel and a revoked token are ops incidents, one each', async (t) => {
  t.timeout(300_000);
  // Throttling counts at once here: a lasting app_rate_limited must still be one incident (the door's), not two.
  const { svc, stop } = await startSlackService({ ...DOOR_ENV, OPS_SLACK_THROTTLED_SECONDS: '1' });
  t.teardown(stop);
  const rateLimited = { token: 'legacy', type: 'app_rate_limited', team_id: OUR_TEAM, minute_rate_limited: Math.floor(Date.now() / 60_000) * 60, api_app_id: 'AFAKE' };
  t.is((await sendEvent(svc.baseUrl, rateLimited)).status, 200);
  t.is((await sendEvent(svc.baseUrl, callback({ type: 'member_left_channel', user: 'UFAKEBOT1', channel: INTAKE.reaction, channel_type: 'C', event_ts: nextTs() }))).status, 200);
  t.is((await sendEvent(svc.baseUrl, callback({ type: 'tokens_revoked', tokens: { bot: ['UFAKEBOT1'] }, event_ts: nextTs() }))).status, 200);
  await svc.service.ops.evaluate();
  await new Promise((r) => setTimeout(r, 1500));
  await svc.service.ops.evaluate();
  const keys = (await svc.service.db.sql.query<{ key: string }>(`select key from ops_incidents where resolved_at is null order by key`)).map((r) => r.key);
  t.deepEqual(keys, ['slack:channel:CREACT0001', 'slack:rate-limited', 'slack:token']);
});

test.serial('hostile bodies: another workspace\'s signature, huge texts, odd subtypes and missing fields are refused or ignored without harm', async (t) => {
  t.timeout(300_000);
  const { svc, stop } = await startSlackService(DOOR_ENV);
  t.teardown(stop);
  const forged = callback(messageEvent({ text: 'Forged: please refund me' }));
  t.is((await sendEvent(svc.baseUrl, forged, { secret: 'another-workspace-signing-secret' })).status, 401);
  const unsignedRaw = JSON.stringify(forged);
  const unsigned = await fetch(`${svc.baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: unsignedRaw });
  t.is(unsigned.status, 401);
  const stale = await fetch(`${svc.baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signSlack(unsignedRaw, Math.floor(Date.now() / 1000) - 600) }, body: unsignedRaw });
  t.is(stale.status, 401);
  t.is(await count(svc, `tickets where source = 'slack'`), 0);

  // 900 kB of text: within Slack's request limit, stored cut to the ticket's body limit.
  t.is((await sendEvent(svc.baseUrl, callback(messageEvent({ text: `Huge: ${'x'.repeat(900_000)}`, user: 'UHUGE0001' })))).status, 200);
  t.is(await count(svc, `tickets where source = 'slack' and length(body) <= 200000`), 1);
  // Over the request limit: 413 before anything is parsed.
  t.is((await sendEvent(svc.baseUrl, callback(messageEvent({ text: 'y'.repeat(1_200_000) })))).status, 413);

  const odd: unknown[] = [
    { type: 'message', channel: INTAKE.all, subtype: 'x'.repeat(5000), user: 'UODD00001', text: 'odd', ts: nextTs() },
    { type: 'message', channel: INTAKE.all, user: 'UODD00001', text: 'no ts' },
    { type: 'message', channel: INTAKE.all, ts: nextTs(), text: 'no user' },
    { type: 'message', channel: INTAKE.all, user: 'UODD00001', ts: nextTs(), text: 42, user_team: CUSTOMER_TEAM },
    { type: 'message', channel: INTAKE.all, user: 'UODD00001', ts: 'not-a-ts\u0000', text: 'NUL in the ts', user_team: CUSTOMER_TEAM },
    { type: 'message', channel: INTAKE.all, user: 'UODD00001', ts: nextTs(), text: 'NUL \u0000 in the text', user_team: CUSTOMER_TEAM, user_profile: 'not an object' },
    { type: 'message', subtype: 'message_changed', channel: INTAKE.all, ts: nextTs() },
    { type: 'message', subtype: 'message_deleted', channel: INTAKE.all, ts: nextTs() },
    { type: 'reaction_added', reaction: 'ticket', item: { type: 'message', channel: INTAKE.reaction } },
    { type: 'message', channel: INTAKE.all, user: 'UODD00001', ts: nextTs(), text: 'thread to nowhere', thread_ts: '1.000001', user_team: OUR_TEAM },
    { type: 'totally_unknown_event' },
    { type: 'message', channel: { id: 1 }, user: 'UODD00001', ts: nextTs(), text: 'a channel that is an object' },
  ];
  for (const event of odd) {
    const res = await sendEvent(svc.baseUrl, callback(event as Record<string, unknown>));
    t.true(res.status === 200 || res.status === 400, `${res.status} for ${JSON.stringify(event).slice(0, 80)}`);
  }
  for (const body of ['null', '[]', '{"type":"event_callback","team_id":"TFAKE","event":"x"}']) {
    t.is((await sendEvent(svc.baseUrl, undefined, { raw: body })).status, 400, body);
  }
  // The NUL in a text is cleaned (a customer's words are kept); the one in an id is refused, never stored.
  t.is(await count(svc, `tickets where source = 'slack' and body = 'NUL  in the text'`), 1);
  t.is(await count(svc, `tickets where source = 'slack'`), 2);
  t.is((await api(svc.baseUrl, '/health')).status, 200, 'the service is still up');
});
