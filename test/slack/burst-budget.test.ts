/**
 * Bursts against a fake Slack that enforces Slack's limits (429 + Retry-After beyond them): the budget keeps
 * every call within them ahead of time, channels do not wait for each other, and what is said about a ticket
 * while its alert waits in a channel's backlog is not lost.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { CHANNELS } from '../kit/slack.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, createTicket, startSlackService, waitForAlert } from './harness.ts';
import { startFakeSlack } from '../kit/fake-slack.ts';

const TRIAGE_BURST = 12;

test.serial('a burst in one channel: no 429 from Slack, one post a second there, and another channel\'s alert is not held behind it', async (t) => {
  const fake = await startFakeSlack();
  fake.enforceLimits();
  const env = await startSlackService({}, { fake });
  t.teardown(async () => { await env.stop(); await fake.close(); });
  const triage: number[] = [];
  for (let i = 0; i < TRIAGE_BURST; i += 1) triage.push(await createTicket(env.svc, { body: `Cannot log in since this morning, attempt ${i} [cat=general conf=0.3]` }));
  const billing = await createTicket(env.svc, { body: 'Charged twice for March [cat=billing conf=0.9]' });
  const billingAlert = await waitForAlert(env.fake, billing, 60_000);
  t.is(billingAlert.channel, CHANNELS.billing);
  const triageBefore = env.fake.channelMessages(CHANNELS.triage).filter((m) => m.postedAt <= billingAlert.postedAt).length;
  // Without independent channels, billing's alert waited for the whole triage batch (30 at a time).
  t.true(triageBefore < TRIAGE_BURST - 3, `${triageBefore} of ${TRIAGE_BURST} triage alerts were posted before billing's`);
  await waitFor(() => triage.every((id) => alertsFor(env.fake, id).length === 1), { timeoutMs: 120_000, what: 'every triage alert' });
  t.deepEqual(env.fake.limited.map((c) => c.method), [], 'no call beyond Slack\'s limits');
  t.true(env.fake.maxCallsInWindow('chat.postMessage', 10_000, CHANNELS.triage) <= 10, 'about one post a second in the channel');
  // The budgets are visible while they work and after.
  const metrics = await (await fetch(`${env.svc.baseUrl}/metrics`)).text();
  t.regex(metrics, /slack_budget_calls_per_minute\{method="chat\.postMessage",channel="CTRIAGE01"\} 55/);
  t.regex(metrics, /slack_api_calls\{method="chat\.postMessage",outcome="sent"\} 1\d/);
  t.regex(metrics, /slack_api_calls\{method="chat\.postMessage",outcome="rate_limited"\} 0/);
  const health = (await api(env.svc.baseUrl, '/health')).json;
  t.is(health.checks.slack.budget_waiting, 0);
  t.true(Array.isArray(health.checks.slack.budgets));
});

test.serial('a reclassification while the ticket\'s alert waits in the channel\'s backlog is noted in its thread once the alert is posted', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const ids: number[] = [];
  for (let i = 0; i < TRIAGE_BURST; i += 1) ids.push(await createTicket(env.svc, { body: `Password reset mail never arrives, case ${i} [cat=general conf=0.3]` }));
  const last = ids.at(-1)!;
  await waitFor(async () => (await api(env.svc.baseUrl, `/api/v1/requests/${last}`)).json.status !== 'processing', { what: 'classified' });
  t.is(alertsFor(env.fake, last).length, 0, 'its alert is still waiting');
  const res = await api(env.svc.baseUrl, `/api/v1/requests/${last}/classification`, { method: 'PUT', json: { category: 'technical', note: 'mail provider issue' } });
  t.is(res.status, 200);
  const alert = await waitForAlert(env.fake, last, 120_000);
  const note = await waitFor(() => env.fake.threadReplies(alert.channel, alert.ts).find((m) => m.text.includes('Reclassified')), { timeoutMs: 60_000, what: 'the reclassification note' });
  t.true(note.text.includes('mail provider issue'));
  await new Promise((r) => setTimeout(r, 1500));
  t.is(env.fake.threadReplies(alert.channel, alert.ts).filter((m) => m.text.includes('Reclassified')).length, 1);
});
