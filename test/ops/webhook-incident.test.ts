/**
 * A webhook door that rejects every delivery (a secret rotated on one side only) becomes one ops incident in
 * SLACK_CHANNEL_OPS: posted once however long it lasts, edited once and answered in its thread when an
 * accepted delivery shows the door works again; posted once when Slack is down at the time it opens.
 */
import test from 'ava';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { deliver, incidentMessages, incidentRows, OPS_CHANNEL, rejectRepeatedly, sleep, startOpsService, opsRig } from './harness.ts';

test.serial('a door rejecting every delivery for the window: one message, not repeated, edited once when a delivery is accepted', async (t) => {
  const { fake, svc } = await opsRig(t);
  t.is(await deliver(svc, 'generic-secret'), 200, 'the door works before the rotation');

  const rejecting = rejectRepeatedly([svc]);
  const [message] = await waitFor(() => { const m = incidentMessages(fake); return m.length ? m : undefined; }, { timeoutMs: 15_000, what: 'the incident message' });
  t.regex(message!.text, /generic/);
  t.regex(JSON.stringify(message!.blocks), /Invalid X-Signature|signature/i, 'the message says why');
  // It keeps rejecting: several more rounds of the monitor, no second message, no edit.
  await sleep(4_000);
  const statuses = await rejecting.stop();
  t.true(statuses.every((s) => s === 401), `every wrongly signed delivery is a 401: ${statuses.join(',')}`);
  t.is(incidentMessages(fake).length, 1);
  t.is(message!.edited, 0);

  const health = await api(svc.baseUrl, '/health');
  const door = health.json.doors['webhook:generic'];
  t.is(door.last_rejection_reason, 'unauthorized');
  t.truthy(door.last_rejected_at);
  t.truthy(door.last_accepted_at);
  t.true(door.rejections.unauthorized >= statuses.length);
  t.true(Date.parse(door.last_rejected_at) > Date.parse(door.last_accepted_at));

  t.is(await deliver(svc, 'generic-secret'), 200, 'the secret is fixed');
  await waitFor(() => message!.edited === 1 && fake.threadReplies(OPS_CHANNEL, message!.ts).length === 1, { timeoutMs: 15_000, what: 'the edit and the thread reply' });
  t.regex(message!.text, /Resolved after \d+ s/);
  t.regex(fake.threadReplies(OPS_CHANNEL, message!.ts)[0]!.text, /Resolved after/);
  await sleep(3_000);
  t.is(message!.edited, 1, 'edited once');
  t.is(fake.threadReplies(OPS_CHANNEL, message!.ts).length, 1);
  t.is(incidentMessages(fake).length, 1);
  const rows = await incidentRows(svc);
  t.is(rows.length, 1);
  t.truthy(rows[0]!.resolved_at);
  t.truthy(rows[0]!.resolution_posted_at);

  // /metrics: the door's gauges and its rejection counter.
  const metrics = await (await fetch(`${svc.baseUrl}/metrics`)).text();
  t.regex(metrics, /intake_door_rejections_total\{door="webhook:generic",reason="unauthorized"\} \d+/);
  t.regex(metrics, /intake_door_last_accepted_timestamp_seconds\{door="webhook:generic"\} 1\d{9}/);
  t.regex(metrics, /intake_door_last_rejected_timestamp_seconds\{door="webhook:generic"\} 1\d{9}/);
  t.regex(metrics, /intake_door_last_accepted_timestamp_seconds\{door="rest"\} 0/);
});

test.serial('a single stray rejection, or rejections shorter than the window, open nothing', async (t) => {
  const fake = await startFakeSlack();
  const svc = await startOpsService(fake, { OPS_WEBHOOK_REJECTING_SECONDS: '4' });
  t.teardown(async () => {
    await svc.stop();
    await fake.close();
  });
  t.is(await deliver(svc, 'someone-else'), 401);
  await sleep(5_500);
  t.is(incidentMessages(fake).length, 0, 'one rejection is not a broken door');
  t.is(await deliver(svc, 'generic-secret'), 200);
  // Rejections for ~2 s (< 4 s), then an accepted delivery: the run ends before the window.
  const rejecting = rejectRepeatedly([svc]);
  await sleep(2_000);
  await rejecting.stop();
  t.is(await deliver(svc, 'generic-secret'), 200);
  await sleep(4_000);
  t.is(incidentMessages(fake).length, 0);
  t.deepEqual(await incidentRows(svc), []);
});

test.serial('Slack down when the incident opens: posted once when it is back', async (t) => {
  const { fake, svc } = await opsRig(t);
  fake.setOutage({ kind: 'http_500' });
  const rejecting = rejectRepeatedly([svc]);
  await waitFor(async () => (await incidentRows(svc)).length === 1, { timeoutMs: 15_000, what: 'the incident row' });
  await sleep(3_000);
  t.is(incidentMessages(fake).length, 0, 'nothing reached Slack during the outage');
  t.true(fake.callsTo('chat.postMessage').length >= 1, 'it did try');
  fake.setOutage(undefined);
  await waitFor(() => incidentMessages(fake).length === 1, { timeoutMs: 40_000, what: 'the message after the outage' });
  await sleep(4_000);
  await rejecting.stop();
  t.is(incidentMessages(fake).length, 1, 'posted once');
  t.is((await incidentRows(svc)).length, 1);
});

test.serial('opened and resolved while Slack is down: one message when it is back, already saying resolved, one reply', async (t) => {
  const { fake, svc } = await opsRig(t);
  fake.setOutage({ kind: 'http_500' });
  const rejecting = rejectRepeatedly([svc]);
  await waitFor(async () => (await incidentRows(svc)).length === 1, { timeoutMs: 15_000, what: 'the incident row' });
  await rejecting.stop();
  t.is(await deliver(svc, 'generic-secret'), 200);
  await waitFor(async () => (await incidentRows(svc))[0]!.resolved_at !== null, { timeoutMs: 15_000, what: 'the resolution' });
  fake.setOutage(undefined);
  const [message] = await waitFor(() => { const m = incidentMessages(fake); return m.length && m[0]!.edited === 1 && fake.threadReplies(OPS_CHANNEL, m[0]!.ts).length === 1 ? m : undefined; }, { timeoutMs: 60_000, what: 'the message, edited, with its reply' });
  await sleep(3_000);
  t.is(incidentMessages(fake).length, 1);
  t.regex(message!.text, /^Resolved after/);
  t.is(message!.edited, 1);
  t.is(fake.threadReplies(OPS_CHANNEL, message!.ts).length, 1);
});

test.serial('the incident message deleted in Slack before it resolves: resolved without retrying forever', async (t) => {
  const { fake, svc } = await opsRig(t);
  const rejecting = rejectRepeatedly([svc]);
  const [message] = await waitFor(() => { const m = incidentMessages(fake); return m.length ? m : undefined; }, { timeoutMs: 15_000, what: 'the incident message' });
  await rejecting.stop();
  fake.messages.splice(fake.messages.indexOf(message!), 1);
  t.is(await deliver(svc, 'generic-secret'), 200);
  await waitFor(async () => (await incidentRows(svc))[0]!.resolution_posted_at !== null, { timeoutMs: 15_000, what: 'the resolution recorded' });
  t.is(incidentMessages(fake).length, 0, 'not posted again');
  t.is(fake.callsTo('chat.update').length, 1);
});
