/**
 * Legal holds: a ticket or a customer on hold is left alone by erasure (and shown as held in the ticket's
 * JSON), visibly counted; releasing the hold lets the next erasure reach it. Placing and releasing are audited.
 */
import anyTest, { type TestFn } from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';

const test = anyTest.serial as TestFn<{ svc: TestService }>;
const KEY = 'holds-admin-key-0123456789';
const auth = { authorization: `Bearer ${KEY}` };

test.before(async (t) => {
  t.context = { svc: await startTestService({ API_KEYS: KEY, API_ADMIN_KEYS: KEY }, { classifier: createKeywordClassifier() }) };
});
test.after.always(async (t) => t.context.svc?.stop());

const ticket = async (svc: TestService, email: string) =>
  (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { subject: 'Held', body: `Please keep this, from ${email}`, requester_email: email } })).json.id as number;
const get = async (svc: TestService, id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`, { headers: auth })).json;
const eraseEmail = (svc: TestService, email: string) => api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: auth, json: { kind: 'email', value: email, mode: 'delete' } });

test('a held ticket survives erasure of its requester; the others go; released, it goes too', async (t) => {
  const { svc } = t.context;
  const [held, free] = [await ticket(svc, 'hank@hold.test'), await ticket(svc, 'hank@hold.test')];
  const placed = await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: auth, json: { ticket_id: held, reason: 'litigation 2026-17' } });
  t.is(placed.status, 201, placed.text);
  t.is((await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: auth, json: { ticket_id: held } })).status, 200, 'held already');
  t.true((await get(svc, held)).legal_hold);
  t.false((await get(svc, free)).legal_hold);

  const erased = await eraseEmail(svc, 'hank@hold.test');
  t.is(erased.status, 201, erased.text);
  t.is(erased.json.tickets, 1);
  t.is(erased.json.held_tickets, 1);
  t.is((await get(svc, held)).requester_email, 'hank@hold.test');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${free}`, { headers: auth })).status, 404);

  t.is((await api(svc.baseUrl, `/api/v1/legal-holds/${placed.json.id}`, { method: 'DELETE', headers: auth })).status, 204);
  t.is((await api(svc.baseUrl, `/api/v1/legal-holds/${placed.json.id}`, { method: 'DELETE', headers: auth })).status, 404);
  t.is((await eraseEmail(svc, 'hank@hold.test')).json.tickets, 1);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${held}`, { headers: auth })).status, 404);

  const audit = (await api(svc.baseUrl, `/api/v1/audit?ticket=${held}`, { headers: auth })).json.items.map((e: any) => e.action);
  t.deepEqual(audit, ['legal_hold_released', 'legal_hold']);
});

test('a customer hold (any spelling of the address) keeps all their tickets', async (t) => {
  const { svc } = t.context;
  const ids = [await ticket(svc, 'Carla@Hold.test'), await ticket(svc, 'carla@hold.test')];
  t.is((await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: auth, json: { email: 'CARLA@hold.test' } })).status, 201);
  for (const id of ids) t.true((await get(svc, id)).legal_hold);
  const dry = await api(svc.baseUrl, '/api/v1/privacy/dry-run', { method: 'POST', headers: auth, json: { kind: 'domain', value: 'hold.test' } });
  t.is(dry.json.held_tickets, 2);
  t.is(dry.json.tickets, 0);
});

test('refused: both or neither target, an unknown ticket, a non-admin caller', async (t) => {
  const { svc } = t.context;
  t.is((await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: auth, json: {} })).status, 422);
  t.is((await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: auth, json: { ticket_id: 1, email: 'a@b.test' } })).status, 422);
  t.is((await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: auth, json: { ticket_id: 999999 } })).status, 404);
  t.is((await api(svc.baseUrl, '/api/v1/legal-holds')).status, 401);
});

test('a reason is free text stored as PostgreSQL can hold it: NUL removed, a lone surrogate replaced; too long is refused', async (t) => {
  const { svc } = t.context;
  const id = await ticket(svc, 'reason.text@holds.test');
  const placed = await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: auth, json: { ticket_id: id, reason: 'case\u0000 7 \udfff' } });
  t.is(placed.status, 201, placed.text);
  t.is(placed.json.reason, 'case 7 \ufffd');
  const listed = (await api(svc.baseUrl, '/api/v1/legal-holds', { headers: auth })).json.items.find((h: any) => h.id === placed.json.id);
  t.is(listed.reason, 'case 7 \ufffd');
  const long = await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: auth, json: { ticket_id: id, reason: 'x'.repeat(1001) } });
  t.is(long.status, 422);
});
