/**
 * Who gets into the operator console, over real HTTP: one-time links work once, sessions expire and end,
 * every state-changing request needs the CSRF token, a viewer cannot act, API keys do not open the console
 * and the console's cookie does not open /api/v1.
 */
import anyTest, { type TestFn } from 'ava';
import { afterSignIn } from '../../src/console/sign-in.ts';
import { hashToken } from '../../src/lib/secret-token.ts';
import { serveForTest, startTestService, type TestService } from '../kit/service.ts';
import { consoleClient, linkFor, signedIn, signInWithLink } from '../kit/console.ts';

const API_KEY = 'k'.repeat(32);
// One service for the file (a start costs seconds on a busy machine); each test makes its own tickets and sessions.
const test = anyTest as TestFn<TestService>;
let shared: Promise<TestService> | undefined;
test.beforeEach(async (t) => {
  shared ??= startTestService({ API_KEYS: API_KEY, TRUST_PROXY: 'true' });
  t.context = await shared;
});
test.after.always(async () => (await shared)?.stop());

async function ticket(baseUrl: string, subject = 'Printer on fire') {
  const res = await fetch(`${baseUrl}/api/v1/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify({ subject, body: 'It started smoking after the update.', requester_email: 'ana@example.com' }),
  });
  return ((await res.json()) as { id: number }).id;
}

test('a one-time link signs in once; the second use, a made-up token and an expired link are refused', async (t) => {
  const { baseUrl, service } = t.context;
  const token = await linkFor(service);
  const page = await fetch(`${baseUrl}/console/sign-in/link?token=${token}`);
  t.is(page.status, 200, 'opening the link does not use it (mail scanners fetch links)');
  const first = await signInWithLink(baseUrl, token);
  t.is(first.status, 302);
  t.truthy(first.cookie);
  const second = await signInWithLink(baseUrl, token);
  t.is(second.status, 401);
  t.is(second.cookie, undefined);
  t.regex(second.text, /used already, has expired/);
  t.is((await signInWithLink(baseUrl, 'x'.repeat(43))).status, 401);
  t.is((await signInWithLink(baseUrl, '')).status, 401);

  const expired = await linkFor(service, 'admin', 1);
  await service.db.sql.query(`update console_sign_in_links set expires_at = now() - interval '1 second' where token_hash = $1`, [hashToken(expired)]);
  t.is((await signInWithLink(baseUrl, expired)).status, 401);

  const client = await consoleClient(baseUrl, first.cookie!);
  const home = await client.get('/console');
  t.is(home.status, 200);
  t.regex(home.text, /Needs first reply/);
});

test('the session cookie is HttpOnly, SameSite=Lax, scoped to /console, and Secure behind an https proxy', async (t) => {
  const { baseUrl, service } = t.context;
  const plain = await fetch(`${baseUrl}/console/sign-in/link`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: await linkFor(service) }) });
  const cookie = plain.headers.getSetCookie().find((c) => c.startsWith('console_session='))!;
  t.regex(cookie, /; path=\/console/i);
  t.regex(cookie, /; httponly/i);
  t.regex(cookie, /; samesite=lax/i);
  t.notRegex(cookie, /; secure/i);
  const proxied = await fetch(`${baseUrl}/console/sign-in/link`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
    body: new URLSearchParams({ token: await linkFor(service) }),
  });
  t.regex(proxied.headers.getSetCookie().find((c) => c.startsWith('console_session='))!, /; secure/i);
});

test('without a session pages redirect to sign-in and actions are 401; an expired session is no session', async (t) => {
  const { baseUrl, service } = t.context;
  const id = await ticket(baseUrl);
  const anonymous = await fetch(`${baseUrl}/console`, { redirect: 'manual' });
  t.is(anonymous.status, 302);
  t.is(anonymous.headers.get('location'), '/console/sign-in?next=%2Fconsole');
  const client = await signedIn(baseUrl, service, 'agent');
  await service.db.sql.query(`update console_sessions set expires_at = now() - interval '1 second' where token_hash = $1`, [hashToken(client.cookie.split('=')[1]!)]);
  t.is((await client.get('/console')).status, 302);
  const act = await client.post(`/console/tickets/${id}/status`, { status: 'resolved' });
  t.is(act.status, 401);
  t.is((await fetch(`${baseUrl}/api/v1/requests/${id}`, { headers: { 'x-api-key': API_KEY } }).then((r) => r.json()) as { status: string }).status === 'resolved', false);
});

test('a state-changing request without the CSRF token, or with another session\'s, is refused and changes nothing', async (t) => {
  const { baseUrl, service } = t.context;
  const id = await ticket(baseUrl);
  const alice = await signedIn(baseUrl, service, 'agent');
  const bob = await signedIn(baseUrl, service, 'agent');
  t.is((await alice.post(`/console/tickets/${id}/status`, { status: 'resolved' }, { csrf: false })).status, 403);
  t.is((await alice.post(`/console/tickets/${id}/status`, { status: 'resolved', _csrf: bob.csrf }, { csrf: false })).status, 403);
  t.is((await alice.post(`/console/tickets/${id}/status`, { status: 'resolved', _csrf: '' }, { csrf: false })).status, 403);
  const status = async () => ((await (await fetch(`${baseUrl}/api/v1/requests/${id}`, { headers: { 'x-api-key': API_KEY } })).json()) as { status: string }).status;
  t.not(await status(), 'resolved');
  // htmx sends the token as a header.
  t.is((await alice.post(`/console/tickets/${id}/status`, { status: 'resolved' }, { csrf: false, headers: { 'x-csrf-token': alice.csrf } })).status, 302);
  t.is(await status(), 'resolved');
});

test('a viewer reads tickets but every action is 403', async (t) => {
  const { baseUrl, service } = t.context;
  const id = await ticket(baseUrl);
  const viewer = await signedIn(baseUrl, service, 'viewer');
  const view = await viewer.get(`/console/tickets/${id}`);
  t.is(view.status, 200);
  t.regex(view.text, /Printer on fire/);
  t.notRegex(view.text, /Send reply/);
  for (const [action, form] of [['status', { status: 'resolved' }], ['assign', { me: '1' }], ['snooze', { for: '1h' }], ['reclassify', { category: 'billing', priority: 'low' }], ['reply', { text: 'hi' }]] as const) {
    const res = await viewer.post(`/console/tickets/${id}/${action}`, form);
    t.is(res.status, 403, action);
  }
});

test('API keys do not open the console, and the console cookie does not open /api/v1', async (t) => {
  const { baseUrl, service } = t.context;
  for (const headers of [{ 'x-api-key': API_KEY }, { authorization: `Bearer ${API_KEY}` }]) {
    const res = await fetch(`${baseUrl}/console`, { redirect: 'manual', headers });
    t.is(res.status, 302, 'sent to sign-in');
  }
  const client = await signedIn(baseUrl, service);
  const api = await fetch(`${baseUrl}/api/v1/requests`, { headers: { cookie: client.cookie } });
  t.is(api.status, 401);
});

test('sign-out ends the session; sign-out everywhere ends the user\'s other sessions too', async (t) => {
  // Its own service: sign-out everywhere ends every link session, other tests' too.
  const { baseUrl, service } = await serveForTest(t);
  const one = await signedIn(baseUrl, service);
  const two = await signedIn(baseUrl, service);
  t.is((await one.post('/console/sign-out', {})).status, 302);
  t.is((await one.get('/console')).status, 302);
  t.is((await two.get('/console')).status, 200);
  const three = await signedIn(baseUrl, service);
  t.is((await three.post('/console/sign-out-everywhere', {})).status, 302);
  t.is((await two.get('/console')).status, 302);
  t.is((await three.get('/console')).status, 302);
});

test('failed sign-in attempts are rate limited per address', async (t) => {
  const { baseUrl } = await serveForTest(t);
  // The counts are kept per minute, aligned on the clock: twelve guesses across a minute's turn would be counted
  // in two windows (it failed so once in CI). Start them just after a turn when one is near.
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 20_000) await new Promise((r) => setTimeout(r, left + 100));
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await signInWithLink(baseUrl, `guess-${i}`)).status);
  t.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
  t.deepEqual(statuses.slice(10), [429, 429]);
});

test('console pages carry a CSP without inline script or style; assets are served with long caching', async (t) => {
  const { baseUrl, service } = t.context;
  const client = await signedIn(baseUrl, service);
  const home = await client.get('/console');
  const csp = home.headers.get('content-security-policy')!;
  t.regex(csp, /script-src 'self'(;|$)/);
  t.regex(csp, /style-src 'self'(;|$)/);
  t.notRegex(csp, /unsafe-inline|unsafe-eval/);
  const assets = [...home.text.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  t.true(assets.some((a) => a.endsWith('/htmx.min.js')));
  t.true(assets.some((a) => a.endsWith('/console.css')));
  for (const path of assets) {
    const res = await fetch(`${baseUrl}${path}`);
    t.is(res.status, 200, path);
    t.regex(res.headers.get('cache-control')!, /max-age=31536000/);
  }
  t.notRegex(home.text, /<script(?![^>]*\bsrc=)/, 'no inline script');
  t.notRegex(home.text, /\sstyle=/, 'no inline style');
});

test('after signing in the browser returns to a console page, never to another site', (t) => {
  for (const ok of ['/console', '/console?tab=mine&category=billing', '/console/tickets/5']) t.is(afterSignIn(ok), ok);
  for (const bad of ['https://evil.example/console', '//evil.example', '/consolex', '/console\\@evil', '/console\n', '/api/v1/requests', '', undefined, ['/console'], `/console?${'x'.repeat(2001)}`]) {
    t.is(afterSignIn(bad), '/console', JSON.stringify(bad));
  }
});
