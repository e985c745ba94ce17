/**
 * The HTTP host serves mounts as peers: a mount's access rules apply to its own routes only, so a REST API key
 * opens no other mount and another mount's credential opens no REST route; a mount added later (the console)
 * plugs in with its own guard and shows in the route table with its access.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import test from 'ava';
import type { Context, Next } from 'koa';
import { pino } from 'pino';
import { createHttpHost, routesOf } from '../../src/http/host.ts';
import type { Mount } from '../../src/http/mount.ts';
import { createRateLimits } from '../../src/inbound/rest/rate-limit.ts';
import { restMount } from '../../src/inbound/rest/mount.ts';
import { createMetrics } from '../../src/lib/metrics.ts';
import { HttpError } from '../../src/lib/http-error.ts';
import { rawRequest } from '../rest/raw-http.ts';

/** A console-like mount: its routes need the session cookie `s=ok`, and it reads form bodies itself. */
function sessionMount(): Mount {
  const router = new Router({ sensitive: true });
  router.get('/console', (ctx) => {
    ctx.body = { page: 'console', actor: ctx.state.actor };
  });
  router.post('/console/login', (ctx) => {
    ctx.body = { page: 'login', parsedBody: ctx.request.body ?? null };
  });
  return {
    name: 'console',
    prefix: '/console',
    routers: [router],
    accessOf: (template) => (template === '/console/login' ? 'public' : 'session'),
    guard: async (ctx: Context, next: Next) => {
      if (ctx.path !== '/console/login' && ctx.cookies.get('s') !== 'ok') throw new HttpError(401, 'Sign in first');
      ctx.state.actor = 'console-user';
      await next();
    },
  };
}

async function serve(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const logger = pino({ level: 'silent' });
  const limits = await createRateLimits({ requests: 0, authFailures: 0, windowSeconds: 60 }, undefined, logger);
  const api = new Router({ sensitive: true });
  api.get('/api/v1/things', (ctx) => {
    ctx.body = { actor: ctx.state.actor };
  });
  api.post('/api/v1/things', (ctx) => {
    ctx.body = { got: ctx.request.body };
  });
  const app = createHttpHost({
    logger,
    metrics: createMetrics(),
    http: { trustProxy: 0, hstsMaxAge: 0, corsOrigins: [] },
    mounts: [restMount({ routers: [api], api: { keys: ['k1'], adminKeys: [], allowAnonymous: false }, metricsToken: undefined, limits }), sessionMount()],
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('each mount guards its own routes: the API key opens no console page, the session opens no API route', async (t) => {
  const base = await serve(t);
  const key = { authorization: 'Bearer k1' };
  const session = { cookie: 's=ok' };
  t.is((await rawRequest(base, 'GET', '/api/v1/things', { headers: key })).status, 200);
  t.is((await rawRequest(base, 'GET', '/api/v1/things', { headers: session })).status, 401);
  t.is((await rawRequest(base, 'GET', '/console', { headers: key })).status, 401);
  const page = await rawRequest(base, 'GET', '/console', { headers: session });
  t.is(page.status, 200);
  t.is(page.json?.actor, 'console-user');
  // Other spellings of the console's path are no route of anybody's (the host's case-sensitive matching).
  for (const target of ['/CONSOLE', '/Console', '/console/', '/%63onsole']) {
    t.true([401, 404].includes((await rawRequest(base, 'GET', target, { headers: key })).status), target);
  }
  // The errors of every mount come out of the one error boundary, as JSON with the security headers.
  const refused = await rawRequest(base, 'GET', '/console');
  t.deepEqual(refused.json, { detail: 'Sign in first', status: 401, title: 'Unauthorized' });
  t.is(refused.headers['x-content-type-options'], 'nosniff');
});

test("REST's JSON body parser does not run on another mount's routes", async (t) => {
  const base = await serve(t);
  const form = await rawRequest(base, 'POST', '/console/login', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=a&password=b' });
  t.is(form.status, 200, form.text);
  t.is(form.json?.parsedBody, null, 'the console reads its own body');
  // The REST route still refuses a form body (415) after the key check.
  const api = await rawRequest(base, 'POST', '/api/v1/things', { headers: { authorization: 'Bearer k1', 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
  t.is(api.status, 415);
});

test('a mount keeps to its prefix: a route outside it, a route under another mount\'s prefix and overlapping prefixes are refused at start', async (t) => {
  const logger = pino({ level: 'silent' });
  const limits = await createRateLimits({ requests: 0, authFailures: 0, windowSeconds: 60 }, undefined, logger);
  const host = (...mounts: Mount[]) => createHttpHost({ logger, metrics: createMetrics(), http: { trustProxy: 0, hstsMaxAge: 0, corsOrigins: [] }, mounts });
  const routerWith = (path: string) => {
    const router = new Router({ sensitive: true });
    router.get(path, (ctx) => {
      ctx.body = {};
    });
    return router;
  };
  const rest = (path: string) => restMount({ routers: [routerWith(path)], api: { keys: ['k'], adminKeys: [], allowAnonymous: false }, metricsToken: undefined, limits });
  t.notThrows(() => host(rest('/api/v1/x'), sessionMount()));
  t.notThrows(() => host(rest('/consoles'), sessionMount()), 'a sibling path is not under the prefix');
  t.throws(() => host(rest('/console/admin'), sessionMount()), { message: /Route \/console\/admin of rest is under console's prefix \/console/ });
  t.throws(() => host(rest('/console'), sessionMount()), { message: /under console's prefix/ });
  t.throws(() => host({ ...sessionMount(), routers: [routerWith('/admin')] }), { message: /Route \/admin of console is outside its prefix \/console/ });
  t.throws(() => host(sessionMount(), { ...sessionMount(), name: 'inner', prefix: '/console/inner', routers: [] }), { message: /overlap/ });
  t.throws(() => host({ ...sessionMount(), prefix: '/console/' }), { message: /must start with \/ and not end with it/ });
  t.throws(
    () => createHttpHost({ logger, metrics: createMetrics(), http: { trustProxy: 0, hstsMaxAge: 0, corsOrigins: [] }, mounts: [rest('/slack/events')], rawMounts: [{ name: 'slack', prefix: '/slack', middleware: (_ctx, next) => next() }] }),
    { message: /under slack's prefix/ },
  );
});

test('the route table lists every mount with its access', async (t) => {
  const logger = pino({ level: 'silent' });
  const limits = await createRateLimits({ requests: 0, authFailures: 0, windowSeconds: 60 }, undefined, logger);
  const app = createHttpHost({ logger, metrics: createMetrics(), http: { trustProxy: 0, hstsMaxAge: 0, corsOrigins: [] }, mounts: [restMount({ routers: [], api: { keys: [], adminKeys: [], allowAnonymous: true }, metricsToken: undefined, limits }), sessionMount()] });
  t.deepEqual(routesOf(app).map((r) => `${r.mount} ${r.method} ${r.template} ${r.access}`).filter((r) => !r.includes('HEAD')), [
    'console GET /console session',
    'console POST /console/login public',
  ]);
});
