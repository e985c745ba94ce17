import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, startTestService, type TestService, waitFor } from '../helpers/service.ts';

let svc: TestService;
test.before(async () => {
  // The keyword baseline decides categories predictably, so these tests are about the API, not a model.
  svc = await startTestService({}, { classifier: createKeywordClassifier() });
});
test.after.always(async () => {
  await svc?.stop();
});

const post = (json: unknown, headers: Record<string, string> = {}) => api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json, headers });

test('POST {text} answers 201 {id, status: processing, message} and the ticket is classified in the background', async (t) => {
  const res = await post({ text: 'The application crashes with a database error on login' });
  t.is(res.status, 201);
  t.deepEqual(Object.keys(res.json).sort(), ['id', 'message', 'status']);
  t.is(res.json.status, 'processing');
  t.true(Number.isInteger(res.json.id));
  t.is(res.headers.get('location'), `/api/v1/requests/${res.json.id}`);

  const ticket = await waitFor(async () => {
    const r = await api(svc.baseUrl, `/api/v1/requests/${res.json.id}`);
    return r.json.classification ? r.json : null;
  }, { what: 'classification' });
  t.is(ticket.body, 'The application crashes with a database error on login');
  t.is(ticket.source, 'api');
  t.is(ticket.status, 'open');
  t.is(ticket.classification.category, 'technical');
  t.true(ticket.classification.confidence_score > 0 && ticket.classification.confidence_score <= 1);
  t.truthy(ticket.classification.model_name);
  t.is(typeof ticket.classification.processing_time_ms, 'number');
  t.deepEqual(ticket.messages, []);
});

test('POST {subject, body} with requester fields keeps them all', async (t) => {
  const res = await post({
    subject: 'Refund please',
    body: 'I was charged twice for my plan this month.',
    requester_email: 'Ana@Example.com',
    requester_name: 'Ana',
    original_queue: 'Billing and Payments',
    original_priority: 'high',
  });
  t.is(res.status, 201);
  const got = await api(svc.baseUrl, `/api/v1/requests/${res.json.id}`);
  t.is(got.json.subject, 'Refund please');
  t.is(got.json.requester_email, 'ana@example.com');
  t.is(got.json.requester_name, 'Ana');
  t.is(got.json.original_queue, 'Billing and Payments');
  t.is(got.json.original_priority, 'high');
});

const invalid: [string, unknown, string][] = [
  ['empty object', {}, 'text'],
  ['short text', { text: 'too short' }, 'text'],
  ['text of spaces', { text: 'a          b' }, 'text'],
  ['text too long', { text: 'x'.repeat(10_001) }, 'text'],
  ['text not a string', { text: 12345678901 }, 'text'],
  ['body with fewer than 10 non-space characters', { body: 'a b c d e f g h' }, 'body'],
  ['subject too long', { subject: 's'.repeat(501), body: 'a perfectly fine body text' }, 'subject'],
  ['both text and body', { text: 'a perfectly fine text', body: 'a perfectly fine body' }, 'text'],
  ['bad e-mail', { text: 'a perfectly fine text', requester_email: 'not-an-email' }, 'requester_email'],
  ['array body', [1, 2, 3], '(body)'],
];
for (const [name, body, field] of invalid) {
  test.serial(`422 names the field: ${name}`, async (t) => {
    const before = (await api(svc.baseUrl, '/api/v1/requests?limit=1')).json.total;
    const res = await post(body);
    t.is(res.status, 422);
    t.is(typeof res.json.detail, 'string');
    t.true(res.json.errors.some((e: { field: string }) => e.field === field), JSON.stringify(res.json.errors));
    for (const e of res.json.errors) t.deepEqual(Object.keys(e).sort(), ['field', 'message', 'type']);
    t.is((await api(svc.baseUrl, '/api/v1/requests?limit=1')).json.total, before, 'nothing stored');
  });
}

test('malformed JSON is 400, a non-JSON content type 415, a 2 MiB body 413', async (t) => {
  const malformed = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": "unterminated' });
  t.is(malformed.status, 400);
  t.regex(malformed.json.detail, /Malformed JSON/);

  const plain = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello there, this is text' });
  t.is(plain.status, 415);
  t.regex(plain.json.detail, /application\/json/);

  const huge = await post({ text: 'x'.repeat(2 * 1024 * 1024) });
  t.is(huge.status, 413);
  t.regex(huge.json.detail, /1 MiB/);
});

test('ids: non-numeric 422, unknown 404 {detail}, trailing slash accepted', async (t) => {
  const bad = await api(svc.baseUrl, '/api/v1/requests/abc');
  t.is(bad.status, 422);
  t.is(bad.json.errors[0].field, 'id');
  const missing = await api(svc.baseUrl, '/api/v1/requests/999999');
  t.is(missing.status, 404);
  t.is(missing.json.detail, 'Request 999999 not found');
  const created = await post({ text: 'trailing slash ticket text' });
  t.is((await api(svc.baseUrl, `/api/v1/requests/${created.json.id}/`)).status, 200);
  t.is((await api(svc.baseUrl, '/api/v1/requests/', { method: 'POST', json: { text: 'trailing slash on create' } })).status, 201);
});

test('an unknown route is 404 JSON and a wrong method 405', async (t) => {
  const missing = await api(svc.baseUrl, '/nope');
  t.is(missing.status, 404);
  t.regex(missing.json.detail, /No route/);
  const wrong = await api(svc.baseUrl, '/api/v1/stats', { method: 'DELETE' });
  t.is(wrong.status, 405);
  t.truthy(wrong.headers.get('allow'));
});

test('Idempotency-Key: a retry returns the same ticket; the key with another body is 409', async (t) => {
  const headers = { 'Idempotency-Key': `key-${Date.now()}` };
  const first = await post({ text: 'idempotent ticket creation' }, headers);
  const again = await post({ text: 'idempotent ticket creation' }, headers);
  t.is(first.status, 201);
  t.is(again.status, 201);
  t.is(again.json.id, first.json.id);
  const other = await post({ text: 'a different body entirely' }, headers);
  t.is(other.status, 409);
  t.regex(other.json.detail, /different request body/);
});

test('concurrent retries with one Idempotency-Key create one ticket', async (t) => {
  const headers = { 'Idempotency-Key': `race-${Date.now()}` };
  const results = await Promise.all(Array.from({ length: 8 }, () => post({ text: 'raced idempotent creation' }, headers)));
  t.true(results.every((r) => r.status === 201));
  t.is(new Set(results.map((r) => r.json.id)).size, 1);
});

test('the same external_id twice is one ticket', async (t) => {
  const first = await post({ text: 'external ticket from a client', external_id: 'ext-42' });
  const second = await post({ text: 'external ticket from a client', external_id: 'ext-42' });
  t.is(first.status, 201);
  t.is(second.status, 200);
  t.is(second.json.id, first.json.id);
  t.is(second.json.status, 'duplicate');
});

test('PATCH changes the status; bad status 422; unknown ticket 404', async (t) => {
  const { json } = await post({ text: 'please acknowledge me soon' });
  const ok = await api(svc.baseUrl, `/api/v1/requests/${json.id}`, { method: 'PATCH', json: { status: 'acknowledged' } });
  t.is(ok.status, 200);
  t.is(ok.json.status, 'acknowledged');
  const bad = await api(svc.baseUrl, `/api/v1/requests/${json.id}`, { method: 'PATCH', json: { status: 'closed' } });
  t.is(bad.status, 422);
  t.is(bad.json.errors[0].field, 'status');
  t.is((await api(svc.baseUrl, '/api/v1/requests/987654', { method: 'PATCH', json: { status: 'resolved' } })).status, 404);
});

test('a human correction becomes the classification, is kept in history and survives a reclassification', async (t) => {
  const { json } = await post({ text: 'The server returns an error when I pay my invoice' });
  await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${json.id}`)).json.classification);
  const put = await api(svc.baseUrl, `/api/v1/requests/${json.id}/classification`, {
    method: 'PUT',
    json: { category: 'general', priority: 'urgent', note: 'VIP customer' },
  });
  t.is(put.status, 200);
  t.is(put.json.classification.category, 'general');
  t.is(put.json.classification.model_name, 'human');
  t.is(put.json.classification.confidence_score, 1);
  t.is(put.json.priority, 'urgent');

  // An automatic run afterwards (e.g. a retried job) must not replace it.
  await svc.service.queue.send('classify', { ticketId: json.id, force: true });
  await new Promise((r) => setTimeout(r, 1500));
  const after = await api(svc.baseUrl, `/api/v1/requests/${json.id}`);
  t.is(after.json.classification.category, 'general');
  t.is(after.json.classification.model_name, 'human');

  const history = await api(svc.baseUrl, `/api/v1/requests/${json.id}/classifications`);
  t.is(history.status, 200);
  t.is(history.json.items[0].model_name, 'human');
  t.is(history.json.items[0].note, 'VIP customer');
  t.true(history.json.items.length >= 2);
  const bad = await api(svc.baseUrl, `/api/v1/requests/${json.id}/classification`, { method: 'PUT', json: { category: 'sales' } });
  t.is(bad.status, 422);
  t.is((await api(svc.baseUrl, '/api/v1/requests/424242/classifications')).status, 404);
});

test('DELETE is a soft delete: 204, then 404, and the ticket leaves lists', async (t) => {
  const { json } = await post({ text: 'this ticket will be deleted soon', external_id: 'to-delete' });
  const del = await api(svc.baseUrl, `/api/v1/requests/${json.id}`, { method: 'DELETE' });
  t.is(del.status, 204);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${json.id}`)).status, 404);
  const list = await api(svc.baseUrl, '/api/v1/requests?limit=1000');
  t.false(list.json.items.some((i: { id: number }) => i.id === json.id));
  t.is((await api(svc.baseUrl, `/api/v1/requests/${json.id}`, { method: 'DELETE' })).status, 404);
});
