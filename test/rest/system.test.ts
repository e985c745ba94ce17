import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({}, { classifier: createKeywordClassifier() });
});
test.after.always(async () => svc?.stop());

test('GET / answers as the original service: {status: "healthy", app, version, environment}', async (t) => {
  const res = await api(svc.baseUrl, '/');
  t.is(res.status, 200);
  t.deepEqual(Object.keys(res.json).sort(), ['app', 'environment', 'status', 'version']);
  t.is(res.json.status, 'healthy');
  t.is(res.json.app, 'support-triage');
  t.is(res.json.environment, 'test');
});

test('GET /health: services are plain status words as in the original service, details are in checks', async (t) => {
  const res = await api(svc.baseUrl, '/health');
  t.is(res.status, 200);
  t.is(res.json.status, 'healthy');
  t.deepEqual(Object.keys(res.json.services).sort(), ['ai_classifier', 'database', 'imap', 'queue', 'slack']);
  for (const [name, word] of Object.entries(res.json.services)) t.is(typeof word, 'string', name);
  t.is(res.json.services.database, 'healthy');
  t.is(res.json.services.queue, 'healthy');
  t.is(res.json.services.imap, 'disabled');
  t.is(res.json.services.slack, 'disabled');
  t.deepEqual(Object.keys(res.json.checks).sort(), Object.keys(res.json.services).sort());
  t.like(res.json.checks.database, { status: 'healthy', kind: svc.service.db.kind });
  t.is(typeof res.json.checks.queue.backlog, 'number');
  t.is(res.json.checks.imap.status, 'disabled');
});

test('GET /metrics is Prometheus text with ingest and classification counters', async (t) => {
  const created = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'metrics should count this ticket' } });
  await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${created.json.id}`)).json.classification);
  const res = await api(svc.baseUrl, '/metrics');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /text\/plain/);
  t.regex(res.text, /tickets_ingested_total\{source="api",outcome="created"\} \d+/);
  t.regex(res.text, /tickets_classified_total\{classifier="keyword",category="\w+"\} \d+/);
  t.regex(res.text, /http_requests_total\{method="POST",route="\/api\/v1\/requests",status="201"\} \d+/);
  t.regex(res.text, /job_queue_backlog\{queue="classify"\} \d+/);
});

test('GET /openapi.json is OpenAPI 3.1 generated from the validation schemas; /docs serves the UI', async (t) => {
  const doc = await api(svc.baseUrl, '/openapi.json');
  t.is(doc.status, 200);
  t.is(doc.json.openapi, '3.1.0');
  const ref = doc.json.paths['/api/v1/requests'].post.requestBody.content['application/json'].schema.$ref;
  t.is(ref, '#/components/schemas/CreateTicket');
  const create = doc.json.components.schemas.CreateTicket;
  t.is(create.properties.text.maxLength, 10000);
  t.is(create.properties.subject.anyOf?.[0]?.maxLength ?? create.properties.subject.maxLength, 500);
  t.deepEqual(Object.keys(doc.json.paths).sort(), [
    '/', '/api/v1/audit', '/api/v1/companies', '/api/v1/companies/{id}', '/api/v1/companies/{id}/domains', '/api/v1/customers',
    '/api/v1/customers/{id}', '/api/v1/dead-letters', '/api/v1/dead-letters/replay',
    '/api/v1/incidents', '/api/v1/incidents/{id}', '/api/v1/incidents/{id}/close', '/api/v1/incidents/{id}/resolve', '/api/v1/incidents/{id}/tickets/{ticketId}',
    '/api/v1/legal-holds', '/api/v1/legal-holds/{id}',
    '/api/v1/privacy/dry-run', '/api/v1/privacy/erasures', '/api/v1/privacy/export',
    '/api/v1/requests', '/api/v1/requests/{id}', '/api/v1/requests/{id}/assignments', '/api/v1/requests/{id}/classification',
    '/api/v1/requests/{id}/classifications', '/api/v1/requests/{id}/merge', '/api/v1/requests/{id}/spam', '/api/v1/requests/{id}/split', '/api/v1/saved-replies', '/api/v1/saved-replies/{id}',
    '/api/v1/sender-blocks', '/api/v1/sender-blocks/{id}', '/api/v1/stats', '/health', '/metrics', '/slack/events', '/webhooks/{provider}',
  ]);
  const page = await api(svc.baseUrl, '/docs');
  t.is(page.status, 200);
  t.regex(page.text, /swagger-ui-bundle\.js/);
  const asset = await fetch(`${svc.baseUrl}/docs/assets/swagger-ui-bundle.js`);
  t.is(asset.status, 200);
  t.is((await api(svc.baseUrl, '/docs/assets/..%2F..%2Fpackage.json')).status, 404);
});

test.serial('GET /api/v1/stats has the original shape, 7 days by default, and counts by category', async (t) => {
  for (const text of ['invoice charge is wrong here', 'refund my payment please now', 'server error after the update']) {
    await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text } });
  }
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/stats')).json.pending_classification === 0);
  const res = await api(svc.baseUrl, '/api/v1/stats');
  t.is(res.status, 200);
  for (const key of ['total_tickets', 'period_days', 'categories', 'daily_counts', 'average_confidence', 'by_source', 'by_priority', 'pending_classification', 'low_confidence']) {
    t.true(key in res.json, key);
  }
  t.is(res.json.period_days, 7);
  t.is(Object.keys(res.json.daily_counts).length, 7);
  const today = new Date().toISOString().slice(0, 10);
  t.is(res.json.daily_counts[today], res.json.total_tickets);
  const billing = res.json.categories.find((c: { category: string }) => c.category === 'billing');
  t.true(billing.count >= 2);
  const shares = res.json.categories.reduce((a: number, c: { percentage: number }) => a + c.percentage, 0);
  t.true(Math.abs(shares - 100) < 0.5);
  t.is(res.json.by_source.api, res.json.total_tickets);

  const one = await api(svc.baseUrl, '/api/v1/stats?days=1&category=billing');
  t.is(one.json.period_days, 1);
  t.deepEqual(one.json.categories.map((c: { category: string }) => c.category), ['billing']);
  for (const q of ['days=0', 'days=91', 'days=x', 'category=sales']) {
    const bad = await api(svc.baseUrl, `/api/v1/stats?${q}`);
    t.is(bad.status, 422, q);
  }
});

test.serial('deleted tickets leave the stats', async (t) => {
  const before = (await api(svc.baseUrl, '/api/v1/stats')).json.total_tickets;
  const { json } = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'a ticket about to be deleted' } });
  t.is((await api(svc.baseUrl, '/api/v1/stats')).json.total_tickets, before + 1);
  await api(svc.baseUrl, `/api/v1/requests/${json.id}`, { method: 'DELETE' });
  t.is((await api(svc.baseUrl, '/api/v1/stats')).json.total_tickets, before);
});
