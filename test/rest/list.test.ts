import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, startTestService, type TestService, waitFor } from '../helpers/service.ts';

let svc: TestService;
const ids: number[] = [];
test.before(async () => {
  // The keyword baseline decides categories predictably, so these tests are about the API, not a model.
  svc = await startTestService({}, { classifier: createKeywordClassifier() });
  for (const text of [
    'My invoice has a wrong charge on it',
    'The server crashes with an error on update',
    'Where can I find your office opening hours',
    'Refund the duplicate payment please',
  ]) {
    const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text } });
    ids.push(res.json.id);
  }
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/requests?status=processing')).json.total === 0, { what: 'all classified' });
});
test.after.always(async () => svc?.stop());

test('the list is {items, total, limit, offset}, newest first, 100 by default', async (t) => {
  const res = await api(svc.baseUrl, '/api/v1/requests');
  t.is(res.status, 200);
  t.deepEqual(Object.keys(res.json).sort(), ['items', 'limit', 'offset', 'total']);
  t.is(res.json.total, 4);
  t.is(res.json.limit, 100);
  t.is(res.json.offset, 0);
  t.deepEqual(res.json.items.map((i: { id: number }) => i.id), [...ids].reverse());
});

test('limit and offset page through the tickets', async (t) => {
  const page = await api(svc.baseUrl, '/api/v1/requests?limit=2&offset=1');
  t.is(page.json.items.length, 2);
  t.is(page.json.total, 4);
  t.deepEqual(page.json.items.map((i: { id: number }) => i.id), [ids[2], ids[1]]);
});

test('filters: category, source, status, q, since/until', async (t) => {
  const billing = await api(svc.baseUrl, '/api/v1/requests?category=billing');
  t.is(billing.json.total, 2);
  t.true(billing.json.items.every((i: { classification: { category: string } }) => i.classification.category === 'billing'));
  t.is((await api(svc.baseUrl, '/api/v1/requests?source=api')).json.total, 4);
  t.is((await api(svc.baseUrl, '/api/v1/requests?source=email')).json.total, 0);
  t.is((await api(svc.baseUrl, '/api/v1/requests?status=open')).json.total, 4);
  const q = await api(svc.baseUrl, '/api/v1/requests?q=OPENING%20hours');
  t.is(q.json.total, 1);
  t.is(q.json.items[0].id, ids[2]);
  t.is((await api(svc.baseUrl, '/api/v1/requests?q=100%25')).json.total, 0, 'a % in q is literal');
  const future = new Date(Date.now() + 3_600_000).toISOString();
  t.is((await api(svc.baseUrl, `/api/v1/requests?since=${encodeURIComponent(future)}`)).json.total, 0);
  t.is((await api(svc.baseUrl, `/api/v1/requests?until=${encodeURIComponent(future)}`)).json.total, 4);
});

const badQueries: [string, string][] = [
  ['category=sales', 'category'],
  ['limit=0', 'limit'],
  ['limit=1001', 'limit'],
  ['limit=ten', 'limit'],
  ['offset=-1', 'offset'],
  ['status=closed', 'status'],
  ['since=yesterday', 'since'],
  ['source=fax', 'source'],
];
for (const [query, field] of badQueries) {
  test(`422 for ${query}`, async (t) => {
    const res = await api(svc.baseUrl, `/api/v1/requests?${query}`);
    t.is(res.status, 422);
    t.is(res.json.errors[0].field, field);
    t.regex(res.json.detail, new RegExp(field));
  });
}
