/**
 * The OpenAPI contract itself: the served document is the one the suite validates against, the checker in
 * test/kit/openapi.ts catches each kind of drift (so api() really fails a test on it), and a ticket in
 * every state it can be in (new, classified, corrected, with follow-ups) conforms.
 */
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { openApiDocument, responseProblems, routeTemplate } from '../kit/openapi.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({}, { classifier: createKeywordClassifier() });
});
test.after.always(async () => svc?.stop());

test('GET /openapi.json serves the document the suite validates against', async (t) => {
  const served = await api(svc.baseUrl, '/openapi.json');
  const built = openApiDocument();
  t.deepEqual(served.json.paths, JSON.parse(JSON.stringify(built.paths)));
  t.deepEqual(served.json.components, JSON.parse(JSON.stringify(built.components)));
});

test('every operation lists its errors with the Error schema; /api operations list 401, 429, 503 and 422', (t) => {
  const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>> };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, response] of Object.entries(op.responses)) {
        // /health's 503 is the health report itself (which part is down), as the original service answered.
        if (Number(status) >= 400 && response.content && path !== '/health') t.is(response.content['application/json']?.schema.$ref, '#/components/schemas/Error', `${method} ${path} ${status}`);
      }
      if (path.startsWith('/api/')) for (const status of ['401', '422', '429', '503']) t.truthy(op.responses[status], `${method} ${path} lists ${status}`);
      t.falsy(op.responses['500'], `${method} ${path} must not document a 500`);
    }
  }
});

test('route templates: ids, trailing slashes and query strings map to the document; other paths are not checked', (t) => {
  t.is(routeTemplate('/api/v1/requests/7'), '/api/v1/requests/{id}');
  t.is(routeTemplate('/api/v1/requests/7/'), '/api/v1/requests/{id}');
  t.is(routeTemplate('/api/v1/requests/abc/classifications?x=1'), '/api/v1/requests/{id}/classifications');
  t.is(routeTemplate('/api/v1/requests?limit=1'), '/api/v1/requests');
  t.is(routeTemplate('/'), '/');
  t.is(routeTemplate('/webhooks/zendesk'), '/webhooks/{provider}');
  t.is(routeTemplate('/docs'), undefined);
  t.is(routeTemplate('/api/v1/requests/7/classification/extra'), undefined);
});

const ticketJson = {
  id: 1, subject: null, body: 'b', source: 'api', external_id: null, requester_email: null, requester_name: null, reply_to: null, original_queue: null,
  original_priority: null, language: null, priority: null, status: 'open', tags: [], created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z', classification: null, assignee: null, snooze: null,
  origin: { mailbox_id: null, folder: null, requester_header: null, parse_problems: [] }, customer: null, company: null, merged_into_id: null, split_from_id: null, incident_id: null,
};
const check = (status: number, body: unknown, method = 'PATCH', path = '/api/v1/requests/1', contentType = 'application/json') =>
  responseProblems({ method, path, status, contentType, text: typeof body === 'string' ? body : JSON.stringify(body) });

test('the checker catches drift: an extra property, a missing one, a wrong type, an undocumented status or content type', (t) => {
  t.deepEqual(check(200, ticketJson), []);
  t.regex(check(200, { ...ticketJson, classified_at: null }).join(), /additional properties/);
  const { body: _b, ...noBody } = ticketJson;
  t.regex(check(200, noBody).join(), /must have required property 'body'/);
  t.regex(check(200, { ...ticketJson, id: '1' }).join(), /must be integer/);
  t.regex(check(200, { ...ticketJson, created_at: 'yesterday' }).join(), /format "date-time"/);
  t.regex(check(200, { ...ticketJson, status: 'closed' }).join(), /allowed values/);
  t.regex(check(500, { detail: 'x', status: 500, title: 'Internal Server Error' }).join(), /status 500 is not in the OpenAPI document/);
  t.regex(check(200, 'hello', 'PATCH', '/api/v1/requests/1', 'text/plain').join(), /content type "text\/plain" is not documented/);
  t.regex(check(200, '{"id":', 'PATCH').join(), /not JSON/);
  t.regex(check(422, { detail: 'x' }).join(), /required property 'status'/);
  t.deepEqual(check(404, { detail: 'nope', status: 404, title: 'Not Found' }, 'GET', '/docs/x'), [], 'undocumented route: not checked');
  t.deepEqual(check(405, { detail: 'x', status: 405, title: 'Method Not Allowed' }, 'PUT', '/api/v1/stats'), [], 'undocumented method: not checked');
});

test('api() fails on a response the document does not describe', async (t) => {
  // /health answers 200 with a body; asked as if it were the ticket list it must not pass silently.
  const problems = responseProblems({ method: 'GET', path: '/api/v1/requests', status: 200, contentType: 'application/json', text: JSON.stringify((await api(svc.baseUrl, '/health')).json) });
  t.true(problems.length > 0);
});

test.serial('a ticket conforms in every state: new, classified, corrected, in the list, with its history and stats', async (t) => {
  const created = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Charged twice', body: 'My invoice shows the charge twice', requester_email: 'a@b.example', external_id: `c-${Date.now()}` } });
  t.is(created.status, 201);
  const classified = await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${created.json.id}`)).json.classification, { what: 'classified' });
  t.is(typeof classified.classified_at, 'string', 'classified_at is returned and documented');
  const corrected = await api(svc.baseUrl, `/api/v1/requests/${created.json.id}/classification`, { method: 'PUT', json: { category: 'technical', priority: 'high', note: 'x' } });
  t.is(corrected.status, 200);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${created.json.id}/classifications`)).status, 200);
  t.is((await api(svc.baseUrl, '/api/v1/requests?limit=5')).status, 200);
  t.is((await api(svc.baseUrl, '/api/v1/stats?days=3')).status, 200);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${created.json.id}`, { method: 'PATCH', json: { status: 'resolved' } })).status, 200);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${created.json.id}`, { method: 'DELETE' })).status, 204);
  t.is((await api(svc.baseUrl, '/')).status, 200);
  t.is((await api(svc.baseUrl, '/health')).status, 200);
  t.is((await api(svc.baseUrl, '/metrics')).status, 200);
});
