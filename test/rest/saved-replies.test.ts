/**
 * /api/v1/saved-replies through the real service (every answer checked against the OpenAPI document by
 * api()): create, read, list with filters, replace, delete; hostile input (NUL, lone surrogates, huge, wrong
 * types, unknown fields, ids out of range) is cleaned or refused with 422, never a 500.
 */
import test from 'ava';
import { api, startTestService, type TestService } from '../kit/service.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService();
});
test.after.always(async () => svc?.stop());

const path = '/api/v1/saved-replies';
const post = (json: unknown) => api(svc.baseUrl, path, { method: 'POST', json });

test.serial('create, read, list, replace and delete a saved reply', async (t) => {
  const created = await post({ title: 'Refund sent', body: 'Hello,\n\nwe refunded the second charge.', category: 'billing', language: 'en' });
  t.is(created.status, 201);
  t.like(created.json, { title: 'Refund sent', body: 'Hello,\n\nwe refunded the second charge.', category: 'billing', language: 'en' });
  t.is(created.headers.get('location'), `${path}/${created.json.id}`);
  const id = created.json.id as number;

  t.deepEqual((await api(svc.baseUrl, `${path}/${id}`)).json, created.json);
  const general = await post({ title: 'Thanks', body: 'Thanks for writing to us.' });
  t.like(general.json, { category: null, language: null });

  t.deepEqual((await api(svc.baseUrl, `${path}?category=billing`)).json.items.map((r: { id: number }) => r.id), [id]);
  t.deepEqual((await api(svc.baseUrl, `${path}?language=en`)).json.items.map((r: { id: number }) => r.id), [id]);
  t.true((await api(svc.baseUrl, path)).json.items.length >= 2);

  const replaced = await api(svc.baseUrl, `${path}/${id}`, { method: 'PUT', json: { title: 'Refund sent (de)', body: 'Hallo, wir haben erstattet.', category: 'billing', language: 'de' } });
  t.is(replaced.status, 200);
  t.like(replaced.json, { id, language: 'de', body: 'Hallo, wir haben erstattet.' });
  t.true(Date.parse(replaced.json.updated_at) >= Date.parse(created.json.updated_at));
  const cleared = await api(svc.baseUrl, `${path}/${id}`, { method: 'PUT', json: { title: 'Refund sent', body: 'Refunded.' } });
  t.like(cleared.json, { category: null, language: null }, 'PUT replaces: absent fields become null');

  t.is((await api(svc.baseUrl, `${path}/${id}`, { method: 'DELETE' })).status, 204);
  t.is((await api(svc.baseUrl, `${path}/${id}`)).status, 404);
  t.is((await api(svc.baseUrl, `${path}/${id}`, { method: 'DELETE' })).status, 404);
  t.is((await api(svc.baseUrl, `${path}/${id}`, { method: 'PUT', json: { title: 'x', body: 'y' } })).status, 404);
});

test('NUL and lone surrogates in free text are cleaned before storing (as tickets are); in the language tag they are refused', async (t) => {
  const created = await post({ title: 'Ti\u0000tle', body: 'Bo\u0000dy \ud800 end' });
  t.is(created.status, 201);
  t.is(created.json.title, 'Title');
  t.is(created.json.body, 'Body \ufffd end');
  const bad = await post({ title: 'x', body: 'y', language: 'e\u0000n' });
  t.is(bad.status, 422);
  t.is(bad.json.errors[0].field, 'language');
});

test('hostile bodies: wrong types, empty text, too long, unknown fields, a bad category: 422 naming each field', async (t) => {
  const cases: Array<[unknown, string]> = [
    [{ title: 42, body: 'y' }, 'title'],
    [{ title: 'x', body: ['y'] }, 'body'],
    [{ title: 'x', body: { $gt: '' } }, 'body'],
    [{ title: '   ', body: 'y' }, 'title'],
    [{ title: 'x', body: '\u0000\u0000' }, 'body'],
    [{ title: 'x'.repeat(201), body: 'y' }, 'title'],
    [{ title: 'x', body: 'y'.repeat(3001) }, 'body'],
    [{ title: 'x', body: 'y', category: 'sales' }, 'category'],
    [{ title: 'x', body: 'y', category: 7 }, 'category'],
    [{ title: 'x', body: 'y', language: 'english please' }, 'language'],
    [{ title: 'x', body: 'y', language: true }, 'language'],
    [{ title: 'x', body: 'y', id: 5 }, '(body)'],
    [{ body: 'y' }, 'title'],
    [[{ title: 'x', body: 'y' }], '(body)'],
  ];
  for (const [body, field] of cases) {
    const res = await post(body);
    t.is(res.status, 422, JSON.stringify(body).slice(0, 80));
    t.true(res.json.errors.some((e: { field: string }) => e.field === field), `${JSON.stringify(body).slice(0, 60)} names ${field}: ${JSON.stringify(res.json.errors)}`);
  }
});

test('a huge body is refused before it is parsed; bytes that are not JSON or not an object are 400 (or 422); a form is 415', async (t) => {
  const huge = await api(svc.baseUrl, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x', body: 'y'.repeat(2 * 1024 * 1024) }) });
  t.is(huge.status, 413);
  t.is((await api(svc.baseUrl, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title": ' })).status, 400);
  // JSON that is not an object: refused by the body parser (400) or the schema (422), never stored.
  for (const raw of ['null', '"just a string"', '42']) {
    t.true([400, 422].includes((await api(svc.baseUrl, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw })).status), raw);
  }
  t.is((await api(svc.baseUrl, path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=x&body=y' })).status, 415);
});

test('ids out of range or not numbers are 422; filters are checked', async (t) => {
  for (const id of ['0', '-1', 'abc', '1.5', '99999999999', '%00']) {
    const res = await api(svc.baseUrl, `${path}/${id}`);
    t.is(res.status, 422, id);
  }
  t.is((await api(svc.baseUrl, `${path}/2147483647`)).status, 404);
  t.is((await api(svc.baseUrl, `${path}?category=sales`)).status, 422);
  t.is((await api(svc.baseUrl, `${path}?language=%00`)).status, 422);
  t.is((await api(svc.baseUrl, `${path}?category=billing&category=general`)).status, 422);
});
