import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

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

// Text PostgreSQL cannot store and filters repeated: 422 naming the field (a filter is not rewritten).
const badFilters: [string, string][] = [
  ['q=a%00b', 'q'],
  ['q=%00', 'q'],
  ['q=a&q=b', 'q'],
  ['category=billing%00', 'category'],
  ['since=2024-01-01&since=2024-02-01', 'since'],
  ['offset=99999999999999999999', 'offset'],
  ['offset=2147483648', 'offset'],
  ['limit=1e400', 'limit'],
];
for (const [query, field] of badFilters) {
  test(`422 for ${query}`, async (t) => {
    const res = await api(svc.baseUrl, `/api/v1/requests?${query}`);
    t.is(res.status, 422, res.text);
    t.true(res.json.errors.some((e: { field: string }) => e.field === field), res.text);
  });
}

// Dates PostgreSQL (or PGlite) cannot hold, or that no one means: 422, never 500.
const badDates = [
  '0000-01-01', '0000-01-01T00:00:00Z', '0000-12-31T23:59:59.999Z', '0001-01-01T00:00:00+01:00', '-000001-01-01T00:00:00Z',
  '+010000-01-01T00:00:00Z', '10000-01-01', '9999-12-31T23:00:00-05:00', 'Infinity', '-Infinity', 'infinity', 'NaN',
  '2023-02-30', '2023-02-30T00:00:00Z', '2023-02-29', '2023-13-01', '2023-00-10', '2023-04-31T10:00:00Z', '2024-01-01T24:00:01Z',
  '2024-01-01T10:00:00', '1700000000', '',
];
for (const field of ['since', 'until']) {
  for (const value of badDates) {
    test(`422 for ${field}=${JSON.stringify(value)}`, async (t) => {
      const res = await api(svc.baseUrl, `/api/v1/requests?${field}=${encodeURIComponent(value)}`);
      t.is(res.status, 422, res.text);
      t.is(res.json.errors[0].field, field);
    });
  }
}

test('the edges of the accepted dates work: year 1, year 9999, a leap day, offsets', async (t) => {
  for (const [query, total] of [
    ['since=0001-01-01T00:00:00Z', 4], ['since=0001-01-01', 4], ['until=9999-12-31T23:59:59.999Z', 4], ['until=9999-12-31', 4],
    ['since=2024-02-29', 4], ['since=9999-12-31', 0], ['until=0001-01-01T00:00:00-01:00', 0], ['since=2000-01-01T00:00:00%2B14:00', 4],
  ] as const) {
    const res = await api(svc.baseUrl, `/api/v1/requests?${query}`);
    t.is(res.status, 200, `${query}: ${res.text}`);
    t.is(res.json.total, total, query);
  }
});
