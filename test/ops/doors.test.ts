/**
 * /health `doors` and the intake_door_* metrics for the REST door and the webhook doors: accepted and
 * rejected requests with their reason and detail, other routes not counted, disabled doors not listed, and
 * hostile reasons never becoming a metrics label.
 */
import test from 'ava';
import { DoorActivity } from '../../src/lib/door-activity.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { deliver } from './harness.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ API_KEYS: 'door-key', GENERIC_WEBHOOK_SECRET: 'generic-secret' });
});
test.after.always(async () => svc?.stop());

const auth = { authorization: 'Bearer door-key' };
const doors = async () => (await api(svc.baseUrl, '/health')).json.doors;

test.serial('REST door: before traffic, accepted, rejected (invalid, unauthorized), other routes not counted', async (t) => {
  const before = await doors();
  t.deepEqual(Object.keys(before), ['rest', 'webhook:generic'], 'only enabled doors');
  t.deepEqual(before.rest, { last_accepted_at: null, last_rejected_at: null, last_rejection_reason: null, last_rejection_detail: null, rejections: {} });

  t.is((await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { subject: 'Help', body: 'The app crashes' } })).status, 201);
  let rest = (await doors()).rest;
  t.truthy(rest.last_accepted_at);
  t.is(rest.last_rejected_at, null);

  t.is((await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { subject: 'no body' } })).status, 422);
  rest = (await doors()).rest;
  t.is(rest.last_rejection_reason, 'invalid');
  t.truthy(rest.last_rejection_detail);

  t.is((await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: { authorization: 'Bearer wrong' }, json: { body: 'x' } })).status, 401);
  rest = (await doors()).rest;
  t.is(rest.last_rejection_reason, 'unauthorized');
  t.deepEqual(rest.rejections, { invalid: 1, unauthorized: 1 });

  // Reading is not intake.
  t.is((await api(svc.baseUrl, '/api/v1/requests/999999', { headers: auth })).status, 404);
  t.deepEqual((await doors()).rest.rejections, { invalid: 1, unauthorized: 1 });

  const metrics = await (await fetch(`${svc.baseUrl}/metrics`)).text();
  t.regex(metrics, /intake_door_rejections_total\{door="rest",reason="invalid"\} 1/);
  t.regex(metrics, /intake_door_rejections_total\{door="rest",reason="unauthorized"\} 1/);
  t.regex(metrics, /intake_door_last_accepted_timestamp_seconds\{door="rest"\} 1\d{9}/);
});

test.serial('webhook door: wrong signature then the right one', async (t) => {
  t.is(await deliver(svc, 'wrong'), 401);
  let door = (await doors())['webhook:generic'];
  t.is(door.last_rejection_reason, 'unauthorized');
  t.regex(door.last_rejection_detail, /X-Signature/);
  t.is(door.last_accepted_at, null);
  t.is(await deliver(svc, 'generic-secret'), 200);
  door = (await doors())['webhook:generic'];
  t.truthy(door.last_accepted_at);
  // A disabled door answers 404 and is not a door at all.
  t.is((await fetch(`${svc.baseUrl}/webhooks/zendesk`, { method: 'POST', body: '{}' })).status, 404);
  t.false('webhook:zendesk' in (await doors()));
});

test('door activity: reasons are short words (anything else is "other"), details are cut', (t) => {
  const labels: string[] = [];
  const d = new DoorActivity({ rejected: (_door, reason) => labels.push(reason) });
  d.rejected('rest', 'Bad Reason with spaces {"x":1}', 'x'.repeat(1000));
  d.rejected('rest', 'login', 'refused');
  t.deepEqual(labels, ['other', 'login']);
  const v = d.snapshot().rest!;
  t.deepEqual(v.rejections, { other: 1, login: 1 });
  t.is(v.last_rejection_detail, 'refused');
  d.rejected('rest', 'invalid', 'y'.repeat(1000));
  t.true(d.snapshot().rest!.last_rejection_detail!.length <= 300);
});

test.serial('REST door: a body above 1 MiB is rejected as too_large (README promises the word)', async (t) => {
  const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(1_100_000) }) });
  t.is(res.status, 413);
  const rest = (await doors()).rest;
  t.is(rest.last_rejection_reason, 'too_large');
  t.is(rest.rejections.too_large, 1);
});
