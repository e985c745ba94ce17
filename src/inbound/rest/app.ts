/**
 * The Koa application: security headers and CORS on every answer, one error boundary, then access decided on
 * the route that matched (API key, metrics token, rate limits; JSON bodies for API routes only: webhooks and
 * Slack need the raw bytes to verify signatures), then every door's routes.
 */
import type Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { DoorActivity } from '../../lib/door-activity.ts';
import type { Metrics } from '../../lib/metrics.ts';
import { accessGuard, accessOfTemplate, type Access } from './access.ts';
import { restDoorWatch } from './door-watch.ts';
import { errorMiddleware } from './error-middleware.ts';
import { httpMetrics, jsonBody, stripTrailingSlash } from './middleware.ts';
import type { RateLimits } from './rate-limit.ts';
import { corsFor, securityHeaders } from './security.ts';

export interface AppParts {
  logger: Logger;
  metrics: Metrics;
  api: Config['api'];
  http: Pick<Config['http'], 'trustProxy' | 'hstsMaxAge' | 'corsOrigins' | 'metricsToken'>;
  limits: RateLimits;
  /** Every router must be created with `sensitive: true`: other spellings of a path are other (absent) routes. */
  routers: Router[];
  /** Middleware that owns a path prefix and reads the raw request itself (Slack's receiver). */
  rawMounts?: { prefix: string; middleware: Middleware }[];
  /** Records the REST door's accepted / rejected requests (/health doors, /metrics). */
  doors?: DoorActivity;
}

export interface RouteInfo {
  method: string;
  template: string;
  access: Access;
}

const routeTables = new WeakMap<Koa, RouteInfo[]>();

export function createApp(parts: AppParts): Koa {
  for (const router of parts.routers) {
    for (const layer of router.stack) {
      // @koa/router matches case-insensitively by default; a route that did would answer /API/... too.
      if (!layer.opts.sensitive) throw new Error(`Route ${String(layer.path)} is not case-sensitive: create its Router with { sensitive: true }`);
    }
  }
  // X-Forwarded-For is read only when proxies are trusted, and then only the entries those proxies appended.
  const app = new Koa({ proxy: parts.http.trustProxy > 0, maxIpsCount: parts.http.trustProxy });
  // Errors are answered by errorMiddleware; Koa's default onerror would only log them a second time.
  app.silent = true;
  routeTables.set(app, parts.routers.flatMap((router) => router.stack.flatMap((layer) =>
    layer.methods.map((method) => ({ method, template: String(layer.path), access: accessOfTemplate(String(layer.path)) })))));

  app.use(securityHeaders(parts.http));
  const cors = corsFor(parts.http);
  if (cors) app.use(cors);
  app.use(stripTrailingSlash);
  app.use(httpMetrics(parts.metrics));
  if (parts.doors) app.use(restDoorWatch(parts.doors));
  app.use(errorMiddleware(parts.logger));
  for (const mount of parts.rawMounts ?? []) {
    app.use((ctx, next) => (ctx.path === mount.prefix || ctx.path.startsWith(`${mount.prefix}/`) ? mount.middleware(ctx, next) : next()));
  }
  app.use(accessGuard({ routers: parts.routers, api: parts.api, metricsToken: parts.http.metricsToken, limits: parts.limits, apiBody: jsonBody() }));
  for (const router of parts.routers) {
    app.use(router.routes());
    app.use(
      // Sets 405 + Allow; errorMiddleware gives the empty 405 its JSON body.
      router.allowedMethods(),
    );
  }
  return app;
}

/** Every route the app serves, with its method and access (tests walk them all). */
export function routesOf(app: Koa): RouteInfo[] {
  return routeTables.get(app) ?? [];
}
