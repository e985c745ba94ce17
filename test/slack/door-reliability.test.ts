/**
 * The Slack door when things go wrong: a restart with messages said meanwhile (the back-read fills the gap
 * once), Socket Mode (acked only once stored), Slack telling us of rate limits, removal and revoked tokens
 * (ops incidents), and hostile bodies (refused or ignored without harm).
 */
import test from 'ava';
import { durableDatabase } from '../kit/database.ts';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { api } from '../kit/service.ts';
import { signSlack } from '../kit/signing.ts';
import { callback, CUSTOMER_TEAM, customerProfile, INTAKE, messageEvent, nextTs, OUR_TEAM, sendEvent } from '../kit/slack-events.ts';
import { waitFor } from '../kit/wait.ts';
import { startSlackService } from './harness.ts';

const DOOR_ENV = { SLACK_INTAKE_CHANNELS: `${INTAKE.all}:all,${INTAKE.reaction}:reaction` };
type Svc = Awaited<ReturnType<typeof startSlackService>>['svc'];
const count = async (svc: Svc, sql: string, values: unknown[] = []) => Number((await svc.service.db.sql.query<{ n: string }>(`select count(*) as n from ${sql}`, values))[0]!.n);

test.serial('after a restart the back-read stores what was said meanwhile, once; running it again doubles nothing', async (t) => {
  t.timeout(300_000);
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const dbEnv = await durableDatabase(t);
  const person = (o: { ts?: string; text: string; user?: string; team?: string; thread_ts?: string; subtype?: string }) =>
    fake.seedMessage({
      channel: INTAKE.all, ts: o.ts ?? nextTs(), text: o.text, user: o.user ?? 'UCUSTOMER1', bot_id: undefined, thread_ts: o.thread_ts,
      user_team: o.team ?? CUSTOMER_TEAM, ...(o.team === OUR_TEAM ? {} : { user_profile: customerProfile() }), ...(o.subtype ? { subtype: o.subtype } as object : {}),
    });

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
