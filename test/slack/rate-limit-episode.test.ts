/**
 * A rate-limit episode: Slack answers every Web API call 429 Retry-After: 2 for 20 s while 30 tickets are
 * classified into four channels. Before the gate, the duplicate lookup ran outside the pacer's wait and the
 * service made ~10,900 calls in such an episode. Now every call goes through one gate with a bucket per
 * method: before the first 429 is known, each channel's head alert may be on its way (4 channels: 4 calls);
 * after it, one probe per Retry-After (20 s / 2 s = 10). So at most 14 per method, and only chat.postMessage
 * has a reason to be called (no post is unclear, so no conversations.history): fewer than 50 in all.
 */
import test from 'ava';
import type { FakeSlack } from '../kit/fake-slack.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, blockActionBody, createTicket, postToSlackEvents, startSlackService, waitForAlert } from './harness.ts';
import { signSlack } from '../kit/signing.ts';
import { CHANNELS } from '../kit/slack.ts';

const EPISODE_MS = 20_000;
const RETRY_AFTER_S = 2;
const CHANNELS_USED = 4;
const PER_METHOD_BOUND = CHANNELS_USED + EPISODE_MS / 1000 / RETRY_AFTER_S;

function callsBetween(fake: FakeSlack, from: number, to: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of fake.calls) if (c.at >= from && c.at <= to) out[c.method] = (out[c.method] ?? 0) + 1;
  return out;
}

async function slackOk(env: Awaited<ReturnType<typeof startSlackService>>) {
  await waitFor(async () => (await api(env.svc.baseUrl, '/health')).json.checks.slack.last_ok_at, { timeoutMs: 30_000, what: 'token checked' });
}

test('30 alerts during a 20 s 429 episode: calls stay in the tens, every alert arrives exactly once', async (t) => {
  t.timeout(400_000);
  const env = await startSlackService();
  t.teardown(env.stop);
  await slackOk(env);

  env.fake.setOutage({ kind: 'rate_limited', retryAfter: RETRY_AFTER_S });
  const from = Date.now();
  const cats = ['technical conf=0.9', 'billing conf=0.9', 'general conf=0.9', 'technical conf=0.3'];
  const ids: number[] = [];
  for (let i = 0; i < 30; i += 1) ids.push(await createTicket(env.svc, { body: `Ticket ${i} of the episode [cat=${cats[i % cats.length]}]` }));
  // /health names the closed bucket (Slack answers, it only asks to wait: the status itself stays as it was).
  await waitFor(async () => (await api(env.svc.baseUrl, '/health')).json.checks.slack.rate_limited?.['chat.postMessage'] !== undefined, {
    timeoutMs: 15_000, what: 'health shows the closed bucket',
  });
  await new Promise((r) => setTimeout(r, Math.max(0, from + EPISODE_MS - Date.now())));
  env.fake.setOutage(undefined);
  const to = Date.now();

  const during = callsBetween(env.fake, from, to);
  const total = Object.values(during).reduce((a, b) => a + b, 0);
  t.log(`calls during the episode: ${JSON.stringify(during)} (total ${total})`);
  for (const [method, n] of Object.entries(during)) t.true(n <= PER_METHOD_BOUND, `${method}: ${n} calls > ${PER_METHOD_BOUND}`);
  t.true(total < 50, `total ${total}`);
  t.true((during['chat.postMessage'] ?? 0) >= 2, 'Slack was probed during the episode, not given up on');

  for (const id of ids) await waitForAlert(env.fake, id, 240_000);
  t.log(`all alerts ${((Date.now() - to) / 1000).toFixed(1)} s after the episode`);
  await new Promise((r) => setTimeout(r, 1500));
  for (const id of ids) t.is(alertsFor(env.fake, id).length, 1, `ticket ${id}: one alert`);
  t.is(env.fake.channelMessages(CHANNELS.triage).length, ids.filter((_, i) => i % 4 === 3).length, 'low confidence went to triage');
  t.is(env.fake.callsTo('conversations.history').length, 0, 'no lookups: every 429 was a clear "not posted"');
});

test('a button click during a 429 episode edits the card once Slack answers, without hammering chat.update', async (t) => {
  t.timeout(300_000);
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Cannot log in since this morning [cat=technical conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  await slackOk(env);

  env.fake.setOutage({ kind: 'rate_limited', retryAfter: RETRY_AFTER_S });
  const from = Date.now();
  const body = blockActionBody({
    actionId: 'ticket_acknowledge', value: String(id), user: 'UANN00001', channel: alert.channel, messageTs: alert.ts,
    blocks: alert.blocks ?? [], responseUrl: `${env.fake.url}/response/${id}`,
  });
  t.is((await postToSlackEvents(env.svc.baseUrl, body, signSlack(body))).status, 200, 'acked at once');
  await waitFor(async () => (await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).json.status === 'acknowledged', { what: 'ticket acknowledged' });
  await new Promise((r) => setTimeout(r, 7000));
  env.fake.setOutage(undefined);
  const to = Date.now();
  t.is(alert.edited, 0, 'not edited while Slack refuses');
  const updates = callsBetween(env.fake, from, to)['chat.update'] ?? 0;
  t.true(updates >= 1 && updates <= Math.floor((to - from) / 1000 / RETRY_AFTER_S) + 2, `chat.update calls: ${updates}`);

  await waitFor(() => alert.edited > 0, { timeoutMs: 30_000, what: 'card edited after the episode' });
  t.true(JSON.stringify(alert.blocks).includes('Acknowledged by <@UANN00001>'));
  t.is(env.fake.responseUrlCalls.length, 0, 'no "sorry, that did not work" message');
});
