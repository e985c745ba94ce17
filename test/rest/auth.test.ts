import test from 'ava';
import { api, startTestService, type TestService } from '../helpers/service.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ API_KEYS: 'key-one,key-two' });
});
test.after.always(async () => svc?.stop());

test('with API_KEYS set, /api needs a key: none or a wrong one is 401', async (t) => {
  const none = await api(svc.baseUrl, '/api/v1/requests');
  t.is(none.status, 401);
  t.regex(none.json.detail, /API key is required/);
  t.is(none.headers.get('www-authenticate'), 'Bearer');
  const wrong = await api(svc.baseUrl, '/api/v1/requests', { headers: { authorization: 'Bearer nope' } });
  t.is(wrong.status, 401);
  t.regex(wrong.json.detail, /not valid/);
  const created = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'must not be stored without a key' } });
  t.is(created.status, 401);
});

test('Authorization: Bearer and X-API-Key both work; health and metrics stay open', async (t) => {
  t.is((await api(svc.baseUrl, '/api/v1/requests', { headers: { authorization: 'Bearer key-one' } })).status, 200);
  t.is((await api(svc.baseUrl, '/api/v1/requests', { headers: { 'x-api-key': 'key-two' } })).status, 200);
  t.is((await api(svc.baseUrl, '/health')).status, 200);
  t.is((await api(svc.baseUrl, '/metrics')).status, 200);
});
