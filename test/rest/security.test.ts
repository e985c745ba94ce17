import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { rawRequest } from './raw-http.ts';

const ALLOWED = 'https://app.example.com';
let svc: TestService;
test.before(async () => {
  svc = await startTestService({ API_KEYS: 'key-one', METRICS_TOKEN: 'scrape-secret', CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` });
});
test.after.always(async () => svc?.stop());

function assertHardened(t: import('ava').ExecutionContext, headers: Headers, what: string) {
  t.is(headers.get('x-content-type-options'), 'nosniff', what);
  t.is(headers.get('referrer-policy'), 'no-referrer', what);
  t.is(headers.get('x-frame-options'), 'DENY', what);
  t.regex(headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
  t.is(headers.get('strict-transport-security'), null, `${what}: no HSTS unless configured`);
}

test('every answer carries the security headers: 200, 401, 404, 405, 413, 422', async (t) => {
  const answers = {
    200: await api(svc.baseUrl, '/'),
    401: await api(svc.baseUrl, '/api/v1/requests'),
    404: await api(svc.baseUrl, '/no/such/route'),
    405: await api(svc.baseUrl, '/health', { method: 'DELETE' }),
    413: await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: { 'x-api-key': 'key-one' }, json: { text: 'x'.repeat(1_100_000) } }),
    422: await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: { 'x-api-key': 'key-one' }, json: {} }),
  };
  for (const [status, res] of Object.entries(answers)) {
    t.is(res.status, Number(status));
    assertHardened(t, res.headers, status);
  }
});

test('a 500 (the database broken mid-way) carries the headers too and no internals', async (t) => {
  const broken = await startTestService({});
  try {
    await broken.service.db.sql.query('alter table tickets rename to tickets_gone');
    // A 500 is by definition not in the API's document (api() would refuse it): read it raw.
    const raw = await fetch(`${broken.baseUrl}/api/v1/requests`);
    const res = { status: raw.status, headers: raw.headers, json: await raw.json() };
    t.is(res.status, 500);
    t.deepEqual(res.json, { detail: 'Internal server error', status: 500, title: 'Internal Server Error' });
    assertHardened(t, res.headers, '500');
  } finally {
    await broken.service.db.sql.query('alter table tickets_gone rename to tickets').catch(() => undefined);
    await broken.stop();
  }
});

test('/docs works under the CSP: no inline script, every asset from our own origin, the document it loads is there', async (t) => {
  const page = await api(svc.baseUrl, '/docs');
  t.is(page.status, 200);
  const csp = page.headers.get('content-security-policy') ?? '';
  const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';
  t.is(directive('script-src'), "script-src 'self'", 'scripts from our origin only: no inline, no eval');
  t.regex(directive('style-src'), /'self'/);
  t.regex(directive('connect-src'), /'self'/, 'Try it out fetches our own origin');
  t.notRegex(csp, /upgrade-insecure-requests/, 'a plain-http deployment keeps its /docs assets');

  const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  t.true(scripts.length >= 2);
  for (const [, attrs, inline] of scripts) {
    t.is(inline!.trim(), '', 'an inline script would be blocked by the CSP');
    t.regex(attrs!, /src="\/[^/]/, 'same-origin path');
  }
  const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  t.true(assets.some((a) => a.endsWith('.css')));
  for (const asset of assets) {
    t.true(asset.startsWith('/') && !asset.startsWith('//'), `${asset} is on our origin`);
    const res = await api(svc.baseUrl, asset);
    t.is(res.status, 200, asset);
    t.regex(res.headers.get('content-type') ?? '', asset.endsWith('.css') ? /text\/css/ : /javascript/, asset);
  }
  const init = await api(svc.baseUrl, '/docs/init.js');
  const specUrl = /url: '([^']+)'/.exec(init.text)?.[1];
  t.is(specUrl, '/openapi.json');
  t.is((await api(svc.baseUrl, specUrl!)).json.openapi, '3.1.0');
});

test('HSTS only when configured: HSTS_MAX_AGE, or PUBLIC_URL on https (HSTS_MAX_AGE=0 turns it off)', async (t) => {
  t.is(loadConfig({}).http.hstsMaxAge, 0);
  t.is(loadConfig({ PUBLIC_URL: 'http://triage.internal' }).http.hstsMaxAge, 0);
  t.is(loadConfig({ PUBLIC_URL: 'https://triage.example.com' }).http.hstsMaxAge, 15_552_000);
  t.is(loadConfig({ PUBLIC_URL: 'https://triage.example.com', HSTS_MAX_AGE: '0' }).http.hstsMaxAge, 0);
  t.throws(() => loadConfig({ HSTS_MAX_AGE: '-1' }), { message: /HSTS_MAX_AGE/ });
  const hsts = await startTestService({ HSTS_MAX_AGE: '3600' });
  try {
    for (const path of ['/', '/nope']) {
      t.is((await api(hsts.baseUrl, path)).headers.get('strict-transport-security'), 'max-age=3600; includeSubDomains', path);
    }
  } finally {
    await hsts.stop();
  }
});

test('METRICS_TOKEN: /metrics needs it as a Bearer token; none, a wrong one, an API key or X-API-Key is 401', async (t) => {
  const attempts: Record<string, Record<string, string>> = {
    none: {},
    wrong: { authorization: 'Bearer nope' },
    'api key': { authorization: 'Bearer key-one' },
    'x-api-key': { 'x-api-key': 'scrape-secret' },
    basic: { authorization: `Basic ${Buffer.from('x:scrape-secret').toString('base64')}` },
  };
  for (const [what, headers] of Object.entries(attempts)) {
    const res = await api(svc.baseUrl, '/metrics', { headers });
    t.is(res.status, 401, what);
    t.is(res.json.status, 401);
    t.notRegex(res.text, /http_requests|process_cpu/, `${what}: no metrics leak`);
  }
  t.is((await rawRequest(svc.baseUrl, 'GET', '/metrics/')).status, 401, 'trailing slash');
  t.is((await rawRequest(svc.baseUrl, 'GET', '/METRICS', { headers: { authorization: 'Bearer scrape-secret' } })).status, 404);
  const ok = await api(svc.baseUrl, '/metrics', { headers: { authorization: 'Bearer scrape-secret' } });
  t.is(ok.status, 200);
  t.regex(ok.text, /# TYPE/);
  t.is((await api(svc.baseUrl, '/health')).status, 200, 'health stays open');
});

test('CORS preflight from an allowed origin: 204 with the methods and headers; a refused origin gets no ACAO', async (t) => {
  const preflight = (origin: string) =>
    api(svc.baseUrl, '/api/v1/requests', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
    });
  const ok = await preflight(ALLOWED);
  t.is(ok.status, 204);
  t.is(ok.headers.get('access-control-allow-origin'), ALLOWED);
  for (const method of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE']) t.true(ok.headers.get('access-control-allow-methods')!.split(',').includes(method), method);
  const allowHeaders = ok.headers.get('access-control-allow-headers')!.toLowerCase().split(',');
  for (const h of ['authorization', 'x-api-key', 'content-type', 'idempotency-key']) t.true(allowHeaders.includes(h), h);
  t.is(ok.headers.get('access-control-allow-credentials'), null, 'keys travel in headers, no cookies');
  t.regex(ok.headers.get('vary') ?? '', /Origin/);
  t.is((await preflight('http://localhost:5173')).headers.get('access-control-allow-origin'), 'http://localhost:5173');

  // Look-alikes of the allowed origin are other origins.
  for (const origin of ['https://evil.example', `${ALLOWED}/`, `${ALLOWED}.evil.example`, 'http://app.example.com', 'https://APP.example.com', 'null', '*']) {
    const refused = await preflight(origin);
    t.is(refused.headers.get('access-control-allow-origin'), null, origin);
    t.not(refused.status, 204, origin);
  }
});

test('CORS on actual requests: allowed origin reads answers (errors included), others get nothing; unset = no CORS', async (t) => {
  const ok = await api(svc.baseUrl, '/api/v1/requests', { headers: { origin: ALLOWED, 'x-api-key': 'key-one' } });
  t.is(ok.status, 200);
  t.is(ok.headers.get('access-control-allow-origin'), ALLOWED);
  t.regex(ok.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
  const denied = await api(svc.baseUrl, '/api/v1/requests', { headers: { origin: ALLOWED } });
  t.is(denied.status, 401);
  t.is(denied.headers.get('access-control-allow-origin'), ALLOWED, 'the browser client can read why');
  t.is((await api(svc.baseUrl, '/', { headers: { origin: 'https://evil.example' } })).headers.get('access-control-allow-origin'), null);

  const plain = await startTestService({});
  try {
    const res = await api(plain.baseUrl, '/api/v1/requests', {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
    });
    t.is(res.headers.get('access-control-allow-origin'), null);
    t.not(res.status, 204);
  } finally {
    await plain.stop();
  }
  t.throws(() => loadConfig({ CORS_ORIGINS: 'https://ok.example, https://bad.example/path' }), { message: /CORS_ORIGINS/ });
  t.throws(() => loadConfig({ CORS_ORIGINS: '*' }), { message: /CORS_ORIGINS/ });
});
