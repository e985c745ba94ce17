/**
 * Snooze over REST: PATCH sets it (until a time, or until the customer answers) and ends it, GET shows it, the
 * customer's message wakes it; bad ends, unknown fields, a resolved ticket and an unknown id are refused
 * before anything changes.
 */
import test from 'ava';
import { api, startTestService, type TestService } from '../kit/service.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ RUN_WORKER: 'false' });
});
test.after.always(async () => {
  await svc?.stop();
});

const create = async (text: string) => {
  const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text, email: 'ann@example.com' } });
  if (res.status !== 201) throw new Error(res.text);
  return res.json.id as number;
};
const patch = (id: number | string, json: unknown) => api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json });
const get = async (id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json;
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000);

test('PATCH snooze until a time, then until the customer answers, then null: GET shows each; their message wakes it', async (t) => {
  const id = await create('The export button does nothing');
  t.is((await get(id)).snooze, null);
  const until = inHours(2);
  const timed = await patch(id, { snooze: { until: until.toISOString() } });
  t.is(timed.status, 200, timed.text);
  t.is(timed.json.snooze.until, until.toISOString());
  t.is(timed.json.snooze.by, 'api');
  const since = timed.json.snooze.since;
  t.truthy(since);

  // Another end keeps the start; an offset other than Z is the same instant.
  const later = inHours(5);
  const offset = new Date(later.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
  const moved = await patch(id, { snooze: { until: offset } });
  t.is(moved.status, 200, moved.text);
  t.is(moved.json.snooze.until, later.toISOString());
  t.is(moved.json.snooze.since, since);

  const open = await patch(id, { snooze: { until: null } });
  t.is(open.json.snooze.until, null, 'until the customer answers');
  t.deepEqual((await get(id)).snooze, open.json.snooze);

  const result = await svc.service.ingest({ source: 'api', body: 'Any news?', requesterEmail: 'ann@example.com', thread: { ticketId: id } });
  t.is(result.outcome, 'followup');
  t.is((await get(id)).snooze, null, 'the answer ended it');

  await patch(id, { snooze: { until: inHours(1).toISOString() } });
  const ended = await patch(id, { snooze: null });
  t.is(ended.status, 200);
  t.is(ended.json.snooze, null);
  t.is((await patch(id, { snooze: null })).status, 200, 'ending no snooze changes nothing');
});

test('bad snoozes are 422 naming the field and change nothing; a resolved ticket is not snoozed; an unknown one is 404', async (t) => {
  const id = await create('Invoices are missing VAT');
  const bad: Array<[unknown, string]> = [
    [{ snooze: { until: new Date(Date.now() - 60_000).toISOString() } }, 'snooze.until'],
    [{ snooze: { until: inHours(24 * 91).toISOString() } }, 'snooze.until'],
    [{ snooze: { until: 'tomorrow' } }, 'snooze.until'],
    [{ snooze: { until: '2026-13-01T00:00:00Z' } }, 'snooze.until'],
    [{ snooze: { until: '2026-12-24T10:00:00' } }, 'snooze.until'],
    [{ snooze: { until: 1764000000000 } }, 'snooze.until'],
    [{ snooze: { until: inHours(1).toISOString(), by: 'someone' } }, 'snooze'],
    [{ snooze: {} }, 'snooze.until'],
    [{ snooze: 'tomorrow' }, 'snooze'],
    [{ snooze: [] }, 'snooze'],
    [{ status: 'resolved', snooze: { until: inHours(1).toISOString() } }, 'snooze'],
  ];
  for (const [body, field] of bad) {
    const res = await patch(id, body);
    t.is(res.status, 422, JSON.stringify(body));
    t.true(res.json.errors.some((e: { field: string }) => e.field === field), `${JSON.stringify(body)}: ${res.text}`);
  }
  const after = await get(id);
  t.is(after.snooze, null);
  t.not(after.status, 'resolved', 'the resolve beside a bad snooze was not applied');

  t.is((await patch(id, { status: 'resolved' })).status, 200);
  const resolved = await patch(id, { snooze: { until: inHours(1).toISOString() } });
  t.is(resolved.status, 422);
  t.regex(resolved.text, /resolved ticket cannot be snoozed/);
  t.is((await patch(999_999, { snooze: { until: inHours(1).toISOString() } })).status, 404);
  t.is((await patch(999_999, { snooze: null })).status, 404);
});
