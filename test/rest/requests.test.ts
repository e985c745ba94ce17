import { connect } from 'node:net';
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

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

// Free text is stored without NUL (PostgreSQL refuses it), identifiers with NUL are refused: "a\0b" cleaned
// to "ab" would be another request's external_id.
const withNul: [string, Record<string, unknown>, string, string | null][] = [
  ['requester_name', { text: 'a perfectly fine text', requester_name: 'Ana\u0000 Lima' }, 'requester_name', 'Ana Lima'],
  ['original_queue', { text: 'a perfectly fine text', original_queue: '\u0000Billing\u0000' }, 'original_queue', 'Billing'],
  ['original_priority', { text: 'a perfectly fine text', original_priority: 'hi\u0000gh' }, 'original_priority', 'high'],
  ['subject', { subject: 'Re\u0000fund', body: 'a perfectly fine body text' }, 'subject', 'Refund'],
  ['body', { body: 'a perfectly\u0000 fine body text' }, 'body', 'a perfectly fine body text'],
  ['text', { text: 'a perfectly\u0000 fine text' }, 'body', 'a perfectly fine text'],
  ['a name of only NUL', { text: 'a perfectly fine text', requester_name: '\u0000\u0000' }, 'requester_name', null],
];
for (const [name, body, field, stored] of withNul) {
  test(`NUL in ${name} is removed: 201 and stored cleaned`, async (t) => {
    const res = await post(body);
    t.is(res.status, 201, res.text);
    const got = await api(svc.baseUrl, `/api/v1/requests/${res.json.id}`);
    t.is(got.json[field], stored);
  });
}

test('lone UTF-16 surrogates (JSON \\ud800 escapes) in free text are stored as U+FFFD, not refused or mangled differently', async (t) => {
  const res = await api(svc.baseUrl, '/api/v1/requests', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"subject":"pay \\ud800ment","body":"my invoice \\udc00is wrong twice","requester_name":"Bo\\ud83db","original_queue":"q\\ud83d\\ude00"}',
  });
  t.is(res.status, 201, res.text);
  const got = (await api(svc.baseUrl, `/api/v1/requests/${res.json.id}`)).json;
  t.is(got.subject, 'pay \uFFFDment');
  t.is(got.body, 'my invoice \uFFFDis wrong twice');
  t.is(got.requester_name, 'Bo\uFFFDb');
  t.is(got.original_queue, 'q\u{1F600}', 'a proper pair is kept');
});

const refused: [string, string, string][] = [
  ['NUL in external_id', '{"text":"a perfectly fine text","external_id":"ext\\u0000-1"}', 'external_id'],
  ['only NUL as external_id', '{"text":"a perfectly fine text","external_id":"\\u0000"}', 'external_id'],
  ['a lone surrogate in external_id', '{"text":"a perfectly fine text","external_id":"ext\\ud800"}', 'external_id'],
  ['a text of ten NUL characters', '{"text":"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"}', 'text'],
  ['a body of NUL and one word', '{"body":"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000 hi"}', 'body'],
  ['NUL in requester_email', '{"text":"a perfectly fine text","requester_email":"a\\u0000@example.com"}', 'requester_email'],
];
for (const [name, raw, field] of refused) {
  test.serial(`422 names the field: ${name}`, async (t) => {
    const before = (await api(svc.baseUrl, '/api/v1/requests?limit=1')).json.total;
    const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
    t.is(res.status, 422, res.text);
    t.true(res.json.errors.some((e: { field: string }) => e.field === field), res.text);
    t.is((await api(svc.baseUrl, '/api/v1/requests?limit=1')).json.total, before, 'nothing stored');
  });
}

test('a correction note with NUL and a lone surrogate is stored cleaned', async (t) => {
  const { json } = await post({ text: 'a ticket to correct by hand' });
  const put = await api(svc.baseUrl, `/api/v1/requests/${json.id}/classification`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{"category":"billing","note":"VIP\\u0000 customer \\ud800!"}',
  });
  t.is(put.status, 200, put.text);
  const history = await api(svc.baseUrl, `/api/v1/requests/${json.id}/classifications`);
  // The model's own result may land in the history after the correction (it is kept there, not applied).
  const human = history.json.items.filter((c: { classifier: string }) => c.classifier === 'human');
  t.deepEqual(human.map((c: { note: string }) => c.note), ['VIP customer \uFFFD!']);
  const tooLong = await api(svc.baseUrl, `/api/v1/requests/${json.id}/classification`, { method: 'PUT', json: { category: 'billing', note: 'n'.repeat(2001) } });
  t.is(tooLong.status, 422);
  // 2001 characters of which one is NUL: stored as 2000, within the limit.
  const justFits = await api(svc.baseUrl, `/api/v1/requests/${json.id}/classification`, { method: 'PUT', json: { category: 'technical', note: `${'n'.repeat(2000)}\u0000` } });
  t.is(justFits.status, 200);
});

/** Sends bytes as they are (fetch refuses control characters in headers before they leave). */
function rawRequest(port: number, head: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Written, not ended: a half-closed socket may be dropped before a slow answer. `connection: close` ends it.
    const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.from(`${head}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, 'latin1')));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

test.serial('an Idempotency-Key with NUL or other control bytes is refused before the service (400), nothing stored; latin-1 bytes work', async (t) => {
  const port = Number(new URL(svc.baseUrl).port);
  const before = (await api(svc.baseUrl, '/api/v1/requests?limit=1')).json.total;
  for (const key of ['ab\u0000cd', 'ab\u0001cd', 'ab\u007fcd']) {
    const answer = await rawRequest(port, `POST /api/v1/requests HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\nidempotency-key: ${key}`, '{"text":"a perfectly fine text"}');
    t.regex(answer, /^HTTP\/1\.1 400 /, JSON.stringify(key));
  }
  t.is((await api(svc.baseUrl, '/api/v1/requests?limit=1')).json.total, before);
  const answer = await rawRequest(port, `POST /api/v1/requests HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\nidempotency-key: cl\u00e9-${Date.now()}`, '{"text":"a perfectly fine text"}');
  t.regex(answer, /^HTTP\/1\.1 201 /);
});

test('a duplicate external_id answers the documented 200 {id, status: duplicate, message}', async (t) => {
  const externalId = `dup-${Date.now()}`;
  const first = await post({ text: 'the first delivery of it', external_id: externalId });
  const second = await post({ text: 'the first delivery of it', external_id: externalId });
  t.is(second.status, 200);
  t.deepEqual(Object.keys(second.json).sort(), ['id', 'message', 'status']);
  t.is(second.json.id, first.json.id);
});
