import Router from '@koa/router';
import test from 'ava';
import { pino } from 'pino';
import { createHttpHost, routesOf, type RouteInfo } from '../../src/http/host.ts';
import { restMount } from '../../src/inbound/rest/mount.ts';
import { createRateLimits } from '../../src/inbound/rest/rate-limit.ts';
import { createMetrics } from '../../src/lib/metrics.ts';
import { openTestIncidents } from '../kit/incidents.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { postToSlackEvents, slashCommandBody, startSlackService } from '../slack/harness.ts';
import { signSlack } from '../kit/signing.ts';
import { rawRequest } from './raw-http.ts';

const KEY = { authorization: 'Bearer key-one' };
let svc: TestService;
test.before(async () => {
  // Every webhook enabled, so their routes answer (and verify) instead of 404ing as disabled.
  const secrets = ['ZENDESK_WEBHOOK_SECRET', 'HELPSCOUT_WEBHOOK_SECRET', 'INTERCOM_CLIENT_SECRET', 'FRONT_WEBHOOK_SECRET', 'FRESHDESK_WEBHOOK_TOKEN', 'GENERIC_WEBHOOK_SECRET'];
  svc = await startTestService({ API_KEYS: 'key-one,key-two', API_ADMIN_KEYS: 'key-one,key-two', ...Object.fromEntries(secrets.map((name) => [name, `secret-for-${name}`])) });
});
test.after.always(async () => svc?.stop());

async function createTicket(text: string): Promise<number> {
  const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: KEY, json: { text } });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.json.id;
}

/** A concrete path for a route template; a template syntax the test does not know fails loudly (no silent gaps). */
function concretePath(template: string, params: Record<string, string>): string {
  const path = template.replace(/\{\/\}$/, '').replace(/:(\w+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no sample value for :${name} in ${template}`);
    return params[name]!;
  });
  if (/[{}()*?:]/.test(path)) throw new Error(`template syntax the test does not know: ${template}`);
  return path;
}

/** Other spellings of one path: case, slashes, percent-encoding, dot segments, `;` and `\`. */
function spellings(path: string): string[] {
  const segments = path.split('/').slice(1);
  const [first = '', ...rest] = segments;
  const join = (parts: string[], sep = '/') => `/${parts.join(sep)}`;
  const encodeFirstLetter = (s: string, upperHex: boolean) => {
    const i = s.search(/[a-z]/i);
    if (i < 0) return s;
    const hex = s.charCodeAt(i).toString(16);
    return `${s.slice(0, i)}%${upperHex ? hex.toUpperCase() : hex}${s.slice(i + 1)}`;
  };
  const all = [
    path,
    path.toUpperCase(),
    join(segments.map((s) => s.charAt(0).toUpperCase() + s.slice(1))),
    `${path}/`,
    `${path}//`,
    `/${path}`,
    path.replaceAll('/', '//'),
    join([encodeFirstLetter(first, false), ...rest]),
    join([first, ...rest.map((s) => encodeFirstLetter(s, true))]),
    join(segments, '%2F'),
    join(segments, '%2f'),
    join([first, '.', ...rest]),
    join([first, '%2e', ...rest]),
    `/x/..${path}`,
    `/x/%2e%2e${path}`,
    `${path}/.`,
    `${path};`,
    `${path};x=1`,
    path.replaceAll('/', '\\'),
    `${path}%20`,
    `${path}%00`,
    `${path}%23`,
    `${path}?x=1`,
  ];
  return [...new Set(all)];
}

const BODIES: Record<string, unknown> = {
  POST: { text: 'a request that must not be stored without a key' },
  PATCH: { status: 'resolved' },
  PUT: { category: 'billing', note: 'must not be applied without a key' },
};

// router.all() registers every method Node knows (ACL, MKCOL, ...); those end in 405 before any route runs.
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const routes = () => routesOf(svc.service.app).filter((r) => STANDARD_METHODS.has(r.method));
const keyRoutes = () => routes().filter((r) => r.access === 'api-key');
/** 401 (no/wrong key) or 404 (no such route); 400 is Node's own answer to a target not starting with "/". */
const REFUSED = [400, 401, 404];

test('the route table is read from the routers: every /api route needs the key, only the listed routes are open', (t) => {
  const routes = routesOf(svc.service.app);
  t.true(routes.length >= 20, `only ${routes.length} routes found`);
  for (const route of routes.filter((r) => r.template.startsWith('/api/'))) t.is(route.access, 'api-key', `${route.method} ${route.template}`);
  const open = [...new Set(routes.filter((r) => r.access === 'public' || r.access === 'metrics').map((r) => r.template))].sort();
  t.deepEqual(open, ['/', '/docs', '/docs/assets/:file', '/docs/init.js', '/health', '/metrics', '/openapi.json']);
  for (const route of routes.filter((r) => r.access === 'signed')) t.regex(route.template, /^\/webhooks\//);
});

test('without a key, no route under any spelling answers 2xx or changes anything', async (t) => {
  const victim = await createTicket('the ticket an attacker tries to change or delete');
  // Classified first, so the worker's own change (processing -> open) is not mistaken for the attacker's.
  const before = await waitFor(async () => {
    const res = await api(svc.baseUrl, `/api/v1/requests/${victim}`, { headers: KEY });
    return res.json.classification ? res : undefined;
  }, { timeoutMs: 60_000, what: 'the victim classified' });
  const routes = keyRoutes();
  t.true(routes.some((r) => r.method === 'DELETE') && routes.some((r) => r.method === 'PATCH'));

  let tried = 0;
  for (const route of routes) {
    for (const target of spellings(concretePath(route.template, { id: String(victim), ticketId: String(victim) }))) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { 'x-api-key': 'KEY-ONE' }] as Record<string, string>[]) {
        const res = await rawRequest(svc.baseUrl, route.method, target, { headers, json: BODIES[route.method] });
        tried += 1;
        t.true(REFUSED.includes(res.status), `${route.method} ${target} ${JSON.stringify(headers)} -> ${res.status} ${res.text.slice(0, 120)}`);
      }
      // Neither does asking which methods exist.
      const options = await rawRequest(svc.baseUrl, 'OPTIONS', target);
      t.true(REFUSED.includes(options.status), `OPTIONS ${target} -> ${options.status}`);
    }
  }
  t.log(`${tried} requests without a valid key over ${routes.length} routes`);

  const after = await api(svc.baseUrl, `/api/v1/requests/${victim}`, { headers: KEY });
  t.is(after.status, 200, 'the ticket still exists');
  t.is(after.json.status, before.json.status);
  t.deepEqual(after.json.classification, before.json.classification, 'no correction applied');
  const history = await api(svc.baseUrl, `/api/v1/requests/${victim}/classifications`, { headers: KEY });
  t.false(history.json.items.some((c: { model_name: string }) => c.model_name === 'human'));
  const [created] = await svc.service.db.sql.query<{ n: number }>('select count(*)::int as n from tickets where body = $1', [(BODIES.POST as { text: string }).text]);
  t.is(created!.n, 0, 'nothing was created');
});

test('a mixed-case spelling of any route, open ones and webhooks included, is a 404', async (t) => {
  const seen = new Set<string>();
  for (const route of routes()) {
    const path = concretePath(route.template, { id: '1', ticketId: '1', file: 'swagger-ui.css' });
    if (!/[a-z]/.test(path) || seen.has(`${route.method} ${path}`)) continue;
    seen.add(`${route.method} ${path}`);
    for (const target of [path.toUpperCase(), path.replace(/[a-z]/, (c) => c.toUpperCase())]) {
      const res = await rawRequest(svc.baseUrl, route.method, target, { headers: KEY });
      t.is(res.status, 404, `${route.method} ${target}`);
    }
  }
  t.true(seen.size > 10);
});

test('with a valid key every API route is reached by its canonical spelling, Bearer and X-API-Key alike', async (t) => {
  const ticket = await createTicket('a ticket the key holder may change and delete');
  const savedReply = { title: 'Refund sent', body: 'We refunded the second charge.' };
  const saved = await api(svc.baseUrl, '/api/v1/saved-replies', { method: 'POST', headers: KEY, json: savedReply });
  t.is(saved.status, 201, saved.text);
  // Customers, companies and a legal hold (on a ticket of its own) for the routes that name one.
  const customer = await api(svc.baseUrl, '/api/v1/customers', { method: 'POST', headers: KEY, json: { name: 'Key Holder Customer' } });
  const company = await api(svc.baseUrl, '/api/v1/companies', { method: 'POST', headers: KEY, json: { name: 'Key Holder Company' } });
  const hold = await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: KEY, json: { ticket_id: await createTicket('a ticket on hold'), reason: 'litigation' } });
  t.is(hold.status, 201, hold.text);
  const block = await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', headers: KEY, json: { kind: 'domain', value: 'key-holder-spam.example' } });
  t.is(block.status, 201, block.text);
  const spammy = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: KEY, json: { subject: 'Prize', body: 'You have won a prize, click here', requester_email: 'prize@key-holder-spam2.example' } });
  // A pair to merge (POST) and then unmerge (DELETE, which runs after the POSTs).
  const [mergeSource, mergeTarget] = [await createTicket('a ticket the key holder merges'), await createTicket('the ticket it is merged into')];
  // A ticket with a follow-up to split out.
  const splitting = await createTicket('a ticket with a second problem');
  const followUp = await svc.service.ingest({ source: 'api', body: 'and a second problem', thread: { ticketId: splitting } });
  // An incident with a ticket to take out (DELETE .../tickets/:ticketId, after its close and resolve).
  const [incident] = await openTestIncidents(svc, KEY, 1);
  const idOf: Record<string, number> = {
    '/api/v1/requests/:id/merge': mergeSource,
    '/api/v1/requests/:id/split': splitting,
    '/api/v1/saved-replies': saved.json.id, '/api/v1/customers': customer.json.id, '/api/v1/companies': company.json.id, '/api/v1/legal-holds': hold.json.id,
    '/api/v1/sender-blocks': block.json.id, '/api/v1/requests/:id/spam': spammy.json.id, '/api/v1/incidents/:id': incident!.id,
  };
  const person = { kind: 'email', value: 'nobody-here@example.org' };
  /** A body each route accepts (by method and template); the rest take BODIES. */
  const bodyOf: Record<string, unknown> = {
    'POST /api/v1/customers': { name: 'Another customer' },
    'PATCH /api/v1/customers/:id': { name: 'Renamed customer' },
    'POST /api/v1/companies': { name: 'Another company' },
    'PATCH /api/v1/companies/:id': { tier: 'gold' },
    'PUT /api/v1/companies/:id/domains': { domains: ['key-holder.example'] },
    'POST /api/v1/privacy/dry-run': person,
    'POST /api/v1/privacy/export': person,
    'POST /api/v1/privacy/erasures': { ...person, mode: 'anonymise' },
    'POST /api/v1/legal-holds': { email: 'held@example.org', reason: 'litigation' },
    'POST /api/v1/sender-blocks': { kind: 'email', value: 'blocked-by-key@example.org' },
    'POST /api/v1/requests/:id/spam': {},
    'POST /api/v1/requests/:id/merge': { into: mergeTarget },
    'POST /api/v1/requests/:id/split': { message_ids: [followUp.messageId] },
  };
  // DELETE last: the other routes need the ticket (and the saved reply).
  const routes = keyRoutes().sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
  for (const [i, route] of routes.entries()) {
    const headers: Record<string, string> = i % 2 === 0 ? { authorization: 'bearer key-two' } : { 'x-api-key': 'key-one' };
    const onSavedReplies = route.template.startsWith('/api/v1/saved-replies');
    const resource = Object.keys(idOf).find((prefix) => route.template.startsWith(prefix));
    const target = concretePath(route.template, { id: String(resource ? idOf[resource] : ticket), ticketId: String(incident!.tickets[0]) });
    const key = `${route.method} ${route.template}`;
    const json = key in bodyOf
      ? bodyOf[key]
      : route.template.endsWith('/replay')
        ? { all: true }
        : onSavedReplies && (route.method === 'POST' || route.method === 'PUT')
          ? savedReply
          : route.method === 'POST' ? { text: 'a request the key holder creates' } : BODIES[route.method];
    const res = await rawRequest(svc.baseUrl, route.method, target, { headers, json });
    t.true(res.status >= 200 && res.status < 300, `${route.method} ${target} with ${Object.keys(headers)[0]} -> ${res.status} ${res.text.slice(0, 160)}`);
  }
  t.is((await api(svc.baseUrl, `/api/v1/requests/${ticket}`, { headers: KEY })).status, 404, 'the DELETE went through');
  // The equivalent spellings SPEC promises still work: a trailing slash, an encoded id.
  t.is((await rawRequest(svc.baseUrl, 'GET', '/api/v1/requests/', { headers: KEY })).status, 200);
  t.is((await rawRequest(svc.baseUrl, 'GET', '/api/v1/requests//', { headers: KEY })).status, 200);
});

test('with API_KEYS set, a missing or wrong key is 401 with WWW-Authenticate; open routes stay open', async (t) => {
  const none = await api(svc.baseUrl, '/api/v1/requests');
  t.is(none.status, 401);
  t.regex(none.json.detail, /API key is required/);
  t.is(none.headers.get('www-authenticate'), 'Bearer');
  t.deepEqual(Object.keys(none.json).sort(), ['detail', 'status', 'title']);
  const wrong = await api(svc.baseUrl, '/api/v1/requests', { headers: { authorization: 'Bearer nope' } });
  t.is(wrong.status, 401);
  t.regex(wrong.json.detail, /not valid/);
  // A key that is a prefix of a real one, or the real one with a different case, is wrong too.
  for (const key of ['key-on', 'key-one-', 'KEY-ONE', 'key-one,key-two']) {
    t.is((await api(svc.baseUrl, '/api/v1/requests', { headers: { 'x-api-key': key } })).status, 401, key);
  }
  for (const path of ['/', '/health', '/metrics', '/openapi.json', '/docs', '/docs/init.js', '/docs/assets/swagger-ui.css']) {
    t.is((await api(svc.baseUrl, path)).status, 200, path);
  }
});

test('the HTTP host refuses a router that would match paths case-insensitively', async (t) => {
  const limits = await createRateLimits({ requests: 0, authFailures: 0, windowSeconds: 60 }, undefined, pino({ level: 'silent' }));
  const loose = new Router();
  loose.get('/api/v1/anything', (ctx) => {
    ctx.body = {};
  });
  const parts = {
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    http: { trustProxy: 0, hstsMaxAge: 0, corsOrigins: [] },
  };
  const rest = (routers: Router[]) => restMount({ routers, api: { keys: ['k'], adminKeys: [], allowAnonymous: false }, metricsToken: undefined, limits });
  t.throws(() => createHttpHost({ ...parts, mounts: [rest([loose])] }), { message: /not case-sensitive/ });
  const strict = new Router({ sensitive: true });
  strict.get('/api/v1/anything', (ctx) => {
    ctx.body = {};
  });
  t.true(routesOf(createHttpHost({ ...parts, mounts: [rest([strict])] })).every((r: RouteInfo) => r.access === 'api-key'));
});

test('the webhook doors verify their own signatures: no spelling of any of them accepts an unsigned delivery', async (t) => {
  const webhookRoutes = routes().filter((r) => r.access === 'signed' && r.method === 'POST');
  t.is(webhookRoutes.length, 6);
  const delivery = { id: 'evil-1', subject: 'unsigned', body: 'an unsigned delivery must not become a ticket', requester_email: 'x@example.com' };
  for (const route of webhookRoutes) {
    for (const target of spellings(concretePath(route.template, {}))) {
      const res = await rawRequest(svc.baseUrl, 'POST', target, { headers: KEY, json: delivery });
      t.true(REFUSED.includes(res.status), `POST ${target} -> ${res.status} ${res.text.slice(0, 100)}`);
    }
  }
  const [stored] = await svc.service.db.sql.query<{ n: number }>('select count(*)::int as n from tickets where body = $1', [delivery.body]);
  t.is(stored!.n, 0);
});

test('the Slack door (HTTP mode) verifies its own signature: no spelling of /slack/events is served unsigned', async (t) => {
  const slack = await startSlackService({ API_KEYS: 'key-one' });
  try {
    const body = slashCommandBody('7');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const target of spellings('/slack/events')) {
      const res = await rawRequest(slack.svc.baseUrl, 'POST', target, { headers: { ...form, ...KEY }, body });
      t.true(res.status >= 400 && res.status < 500, `POST ${target} unsigned -> ${res.status}`);
      const forged = await rawRequest(slack.svc.baseUrl, 'POST', target, { headers: { ...form, ...signSlack(body, undefined, 'not-the-secret') }, body });
      t.true(forged.status >= 400 && forged.status < 500, `POST ${target} forged -> ${forged.status}`);
    }
    const signed = await postToSlackEvents(slack.svc.baseUrl, body, { ...form, ...signSlack(body) });
    t.is(signed.status, 200, 'the signed request, no API key needed');
  } finally {
    await slack.stop();
  }
});
