/**
 * Correctly signed requests whose bodies are not what Slack sends. A signed `null` used to end the process
 * (an unhandled rejection in Bolt's receiver), so these tests run the service as a real process
 * (node src/main.ts) and check after every hostile request that it still answers a normal signed request
 * and GET /health, and at the end that it never exited. A table of named cases, then a fast-check property
 * over generated signed bodies. Socket Mode gets the same treatment for hostile envelopes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import test from 'ava';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../kit/database.ts';
import { startFakeSlack, type FakeSlack } from '../kit/fake-slack.ts';
import { freePort } from '../kit/net.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { postToSlackEvents, slashCommandBody, startSlackService } from './harness.ts';
import { signSlack, SLACK_SIGNING_SECRET } from '../kit/signing.ts';
import { CHANNELS } from '../kit/slack.ts';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const payload = (value: unknown) => form({ payload: JSON.stringify(value) });
const user = { id: 'UAGENT001', team_id: 'TFAKE' };

interface Running {
  baseUrl: string;
  child: ChildProcess;
  fake: FakeSlack;
  db: TestDatabase | undefined;
  output: () => string;
}

async function startProcess(): Promise<Running> {
  const fake = await startFakeSlack();
  const port = await freePort();
  // PostgreSQL runs (TEST_DATABASE_URL) give the process a throwaway database; otherwise PGlite in memory.
  const db = process.env.TEST_DATABASE_URL ? await createTestDatabase() : undefined;
  let output = '';
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port),
      PGLITE_DATA_DIR: 'memory://', ...(db ? { DATABASE_URL: db.url } : {}),
      SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET, SLACK_API_URL: fake.apiUrl,
      SLACK_CHANNEL_TRIAGE: CHANNELS.triage,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-20_000); });
  child.stderr!.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-20_000); });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => child.exitCode === null && (await fetch(`${baseUrl}/health`)).status === 200, { timeoutMs: 90_000, what: 'service process up' });
  return { baseUrl, child, fake, db, output: () => output };
}

async function stopProcess(r: Running): Promise<void> {
  if (r.child.exitCode === null) {
    const exited = new Promise((resolve) => r.child.once('exit', resolve));
    r.child.kill('SIGTERM');
    await exited;
  }
  await r.fake.close();
  await r.db?.drop();
}

async function send(baseUrl: string, body: string, contentType: string | undefined, signed = true) {
  const headers: Record<string, string> = signed ? signSlack(body) : {};
  const res = await fetch(`${baseUrl}/slack/events`, { method: 'POST', headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers }, body });
  return { status: res.status, text: await res.text() };
}

/** The service still works: a normal signed command is answered, /health answers, the process lives. */
async function stillServing(r: Running): Promise<boolean> {
  if (r.child.exitCode !== null) return false;
  try {
    return await answers(r);
  } catch (error) {
    throw new Error(`the service does not answer (${String(error)}); exit code ${r.child.exitCode}; output: ${r.output().slice(-1500)}`);
  }
}

async function answers(r: Running): Promise<boolean> {
  const body = slashCommandBody('nonsense');
  const cmd = await postToSlackEvents(r.baseUrl, body, signSlack(body));
  const health = await api(r.baseUrl, '/health');
  return cmd.status === 200 && String(cmd.json?.text).includes('Usage:') && health.status === 200 && health.json.checks.slack.mode === 'http';
}

const cases: Array<{ name: string; body: string; type?: string; signed?: boolean; expect: number | number[]; check?: (text: string) => boolean }> = [
  { name: 'JSON null', body: 'null', type: JSON_TYPE, expect: 400 },
  { name: 'payload=null', body: form({ payload: 'null' }), type: FORM, expect: 400 },
  { name: 'payload= (empty)', body: 'payload=', type: FORM, expect: 400 },
  { name: 'payload=[]', body: form({ payload: '[]' }), type: FORM, expect: 400 },
  { name: 'payload="x"', body: form({ payload: '"x"' }), type: FORM, expect: 400 },
  { name: 'payload={} (no type)', body: payload({}), type: FORM, expect: 400 },
  { name: 'block_actions without actions', body: payload({ type: 'block_actions', user, team: { id: 'TFAKE' } }), type: FORM, expect: 400 },
  { name: 'block_actions with actions: []', body: payload({ type: 'block_actions', user, actions: [] }), type: FORM, expect: 400 },
  { name: 'block_actions without user', body: payload({ type: 'block_actions', actions: [{ action_id: 'ticket_resolve', value: '1' }] }), type: FORM, expect: 400 },
  { name: 'view_submission without view', body: payload({ type: 'view_submission', user }), type: FORM, expect: 400 },
  { name: 'unknown type', body: payload({ type: 'nonsense', user }), type: FORM, expect: 400 },
  { name: 'body over 1 MiB', body: form({ payload: JSON.stringify({ type: 'block_actions', user, pad: 'x'.repeat(1_200_000) }) }), type: FORM, expect: 413 },
  { name: 'form body sent as JSON', body: slashCommandBody('7'), type: JSON_TYPE, expect: 400 },
  { name: 'JSON null as text/plain', body: 'null', type: 'text/plain', expect: 400 },
  { name: 'JSON null without content-type', body: 'null', expect: 400 },
  { name: 'form with a charset (Bolt reads it as JSON)', body: slashCommandBody('7'), type: `${FORM}; charset=utf-8`, expect: 400 },
  { name: 'empty body', body: '', type: JSON_TYPE, expect: 400 },
  { name: 'JSON number', body: '42', type: JSON_TYPE, expect: 400 },
  { name: 'JSON string', body: '"hello"', type: JSON_TYPE, expect: 400 },
  { name: 'JSON array', body: '[{"type":"url_verification","challenge":"c"}]', type: JSON_TYPE, expect: 400 },
  { name: 'not JSON at all', body: '{"type":', type: JSON_TYPE, expect: 400 },
  { name: 'payload twice', body: `${payload({ type: 'block_actions', user, actions: [{ action_id: 'x' }] })}&${payload(null)}`, type: FORM, expect: 400 },
  { name: 'JSON with a duplicated key (the last one counts)', body: '{"type":"nonsense","type":"url_verification","challenge":"c1"}', type: JSON_TYPE, expect: 200, check: (t) => JSON.parse(t).challenge === 'c1' },
  { name: 'command with missing fields', body: form({ command: '/support-stats' }), type: FORM, expect: 400 },
  { name: 'command that is not a command', body: slashCommandBody('7', 'support-stats'), type: FORM, expect: 400 },
  { name: 'url_verification without challenge', body: JSON.stringify({ type: 'url_verification' }), type: JSON_TYPE, expect: 400 },
  { name: 'url_verification with a challenge', body: JSON.stringify({ type: 'url_verification', challenge: 'abc' }), type: JSON_TYPE, expect: 200, check: (t) => JSON.parse(t).challenge === 'abc' },
  { name: 'ssl_check=1 (unsigned, as Slack sends it)', body: 'ssl_check=1&token=x', type: FORM, signed: false, expect: 200 },
  { name: 'ssl_check=1 with a smuggled payload', body: `ssl_check=1&${form({ payload: 'null' })}`, type: FORM, signed: false, expect: 200 },
  { name: 'unsigned null', body: 'null', type: JSON_TYPE, signed: false, expect: 401 },
  { name: 'our button without a value', body: payload({ type: 'block_actions', user, team: { id: 'TFAKE' }, actions: [{ action_id: 'ticket_resolve', type: 'button' }] }), type: FORM, expect: 200 },
  { name: 'our menu without a selection', body: payload({ type: 'block_actions', user, team: { id: 'TFAKE' }, actions: [{ action_id: 'ticket_reclassify', type: 'static_select' }] }), type: FORM, expect: 200 },
  { name: 'the snooze menu without a selection', body: payload({ type: 'block_actions', user, team: { id: 'TFAKE' }, actions: [{ action_id: 'ticket_snooze', type: 'static_select' }] }), type: FORM, expect: 200 },
  { name: 'the snooze menu with an object as its value', body: payload({ type: 'block_actions', user, team: { id: 'TFAKE' }, actions: [{ action_id: 'ticket_snooze', type: 'static_select', selected_option: { value: { x: 1 } } }] }), type: FORM, expect: 200 },
  { name: 'our button with an object as value', body: payload({ type: 'block_actions', user, team: { id: 'TFAKE' }, actions: [{ action_id: 'ticket_acknowledge', value: { x: 1 } }] }), type: FORM, expect: 200 },
  // Well-formed but nothing listens for it: Bolt waits for an ack 3 s, then answers 404.
  { name: 'an event nobody subscribed to', body: JSON.stringify({ type: 'event_callback', team_id: 'TFAKE', event: { type: 'app_mention' } }), type: JSON_TYPE, expect: [200, 404] },
];

test.serial('hostile signed bodies get a clear 4xx (or Slack\'s 200) and the process keeps serving', async (t) => {
  t.timeout(400_000);
  const r = await startProcess();
  t.teardown(() => stopProcess(r));
  t.true(await stillServing(r), 'serving before');
  for (const c of cases) {
    const res = await send(r.baseUrl, c.body, c.type, c.signed ?? true).catch((error: unknown) => ({ status: 0, text: `${c.name}: ${String(error)} ${String((error as { cause?: unknown }).cause)}` }));
    const expected = Array.isArray(c.expect) ? c.expect : [c.expect];
    t.true(expected.includes(res.status), `${c.name}: got ${res.status} ${res.text.slice(0, 200)}`);
    if (c.check) t.true(c.check(res.text), `${c.name}: ${res.text}`);
    if (res.status === 400) t.regex(JSON.parse(res.text).detail, /Slack/, `${c.name}: says why`);
    t.true(await stillServing(r), `${c.name}: still serving (${r.output().slice(-500)})`);
  }
  t.is(r.child.exitCode, null, 'the process never exited');
});

const typedPayload = fc.record(
  {
    type: fc.constantFrom('block_actions', 'view_submission', 'view_closed', 'shortcut', 'block_suggestion', 'url_verification', 'event_callback', 'interactive_message'),
    user: fc.oneof(fc.constant(user), fc.jsonValue()),
    actions: fc.oneof(fc.array(fc.record({ action_id: fc.constantFrom('ticket_resolve', 'ticket_acknowledge', 'ticket_reclassify', 'ticket_snooze', 'ticket_unsnooze', 'x'), value: fc.jsonValue() })), fc.jsonValue()),
    view: fc.jsonValue(),
    event: fc.jsonValue(),
    challenge: fc.jsonValue(),
    team: fc.oneof(fc.constant({ id: 'TFAKE' }), fc.constant(null), fc.jsonValue()),
  },
  { requiredKeys: ['type'] },
);

const signedBody = fc.oneof(
  fc.jsonValue().map((v) => ({ body: JSON.stringify(v) ?? 'null', type: JSON_TYPE })),
  fc.jsonValue().map((v) => ({ body: payload(v), type: FORM })),
  typedPayload.map((v) => ({ body: payload(v), type: FORM })),
  typedPayload.map((v) => ({ body: JSON.stringify(v), type: JSON_TYPE })),
  fc.dictionary(fc.constantFrom('command', 'text', 'team_id', 'user_id', 'channel_id', 'response_url', 'payload', 'type', 'ssl_check'), fc.string()).map((d) => ({ body: form(d), type: FORM })),
  fc.tuple(fc.string(), fc.constantFrom(FORM, JSON_TYPE, 'text/plain', undefined)).map(([body, type]) => ({ body, type })),
);

test.serial('property: any signed body gets an answer below 500 and the process keeps serving', async (t) => {
  t.timeout(400_000);
  const r = await startProcess();
  t.teardown(() => stopProcess(r));
  await fc.assert(
    fc.asyncProperty(signedBody, async ({ body, type }) => {
      const res = await send(r.baseUrl, body, type);
      return res.status >= 200 && res.status < 500 && r.child.exitCode === null;
    }),
    { numRuns: 150, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
  );
  t.true(await stillServing(r), 'still serving after the run');
  t.is(r.child.exitCode, null, 'the process never exited');
});

test.serial('Socket Mode: hostile envelopes are dropped (and acked when they can be), the service keeps serving', async (t) => {
  t.timeout(300_000);
  const env = await startSlackService({ SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' });
  t.teardown(env.stop);
  await waitFor(() => env.fake.socketConnected, { timeoutMs: 60_000, what: 'socket mode connection' });
  const hostile = [
    'null', '[]', '42', '"x"', '{}', 'not json', '{"type":"events_api"}',
    '{"type":"events_api","envelope_id":"bad-1"}',
    '{"type":"events_api","envelope_id":"bad-2","payload":null}',
    '{"type":"events_api","envelope_id":"bad-3","payload":{"event":null}}',
    '{"type":"interactive","envelope_id":"bad-4","payload":{"type":"block_actions"}}',
    '{"type":"interactive","envelope_id":"bad-5","payload":"x"}',
    '{"type":"slash_commands","envelope_id":"bad-6","payload":null}',
    '{"type":"slash_commands","envelope_id":"bad-7","payload":{"command":"/support-stats"}}',
  ];
  for (const text of hostile) env.fake.socketSendRaw(text);
  for (const id of ['bad-1', 'bad-2', 'bad-3', 'bad-4', 'bad-5', 'bad-6', 'bad-7']) {
    await waitFor(() => env.fake.socketMessages.find((m) => m.envelope_id === id), { what: `ack of ${id}` });
  }
  env.fake.socketSend({
    envelope_id: 'good-1', type: 'slash_commands', accepts_response_payload: true,
    payload: {
      token: 'legacy', team_id: 'TFAKE', channel_id: CHANNELS.general, user_id: 'UAGENT001', user_name: 'agent',
      command: '/support-stats', text: 'nonsense', api_app_id: 'AFAKE', response_url: `${env.fake.url}/response/cmd`, trigger_id: '1',
    },
  });
  const ack = await waitFor(() => env.fake.socketMessages.find((m) => m.envelope_id === 'good-1'), { what: 'command ack' });
  t.true(ack.payload.text.includes('Usage:'));
  t.true(env.fake.socketConnected, 'still connected');
  t.is((await api(env.svc.baseUrl, '/health')).status, 200);
});
