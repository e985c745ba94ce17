/**
 * The HTTP host: one Koa application for every mount (REST API, webhooks, Slack, the console). It owns what
 * every answer shares: security headers and CORS, one spelling of a path, request metrics, one error
 * boundary. Each mount then brings its own access rules (src/http/mount.ts); the host decides nobody's.
 */
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Metrics } from '../lib/metrics.ts';
import { errorBoundary } from './error-boundary.ts';
import { httpMetrics, stripTrailingSlash } from './middleware.ts';
import { type Access, checkMounts, guardOf, type Mount, type RawMount } from './mount.ts';
import { corsFor, securityHeaders } from './security.ts';

export interface HostParts {
  logger: Logger;
  metrics: Metrics;
  http: Pick<Config['http'], 'trustProxy' | 'hstsMaxAge' | 'corsOrigins'>;
  mounts: readonly Mount[];
  /** Mounts that read the raw request under their prefix (Slack's receiver); they run before any route. */
  rawMounts?: readonly RawMount[];
}

export interface RouteInfo {
  method: string;
  template: string;
  access: Access;
  mount: string;
}

const routeTables = new WeakMap<Koa, RouteInfo[]>();

export function createHttpHost(parts: HostParts): Koa {
  for (const mount of parts.mounts) {
    for (const router of mount.routers) {
      for (const layer of router.stack) {
        // @koa/router matches case-insensitively by default; a route that did would answer /API/... too.
        if (!layer.opts.sensitive) throw new Error(`Route ${String(layer.path)} of ${mount.name} is not case-sensitive: create its Router with { sensitive: true }`);
      }
    }
  }
  // Raw mounts own their prefix too: no route of ours may sit under /slack.
  checkMounts([...parts.mounts, ...(parts.rawMounts ?? []).map((raw) => ({ name: raw.name, prefix: raw.prefix, routers: [], accessOf: () => 'signed' as const }))]);
  // X-Forwarded-For is read only when proxies are trusted, and then only the entries those proxies appended.
  const app = new Koa({ proxy: parts.http.trustProxy > 0, maxIpsCount: parts.http.trustProxy });
  // Errors are answered by the error boundary; Koa's default onerror would only log them a second time.
  app.silent = true;
  routeTables.set(app, parts.mounts.flatMap((mount) => mount.routers.flatMap((router) => router.stack.flatMap((layer) =>
    layer.methods.map((method) => ({ method, template: String(layer.path), access: mount.accessOf(String(layer.path)), mount: mount.name }))))));

  app.use(securityHeaders(parts.http));
  const cors = corsFor(parts.http);
  if (cors) app.use(cors);
  app.use(stripTrailingSlash);
  app.use(httpMetrics(parts.metrics));
  for (const mount of parts.mounts) if (mount.observe) app.use(mount.observe);
  app.use(errorBoundary(parts.logger));
  for (const raw of parts.rawMounts ?? []) {
    app.use((ctx, next) => (ctx.path === raw.prefix || ctx.path.startsWith(`${raw.prefix}/`) ? raw.middleware(ctx, next) : next()));
  }
  // Every guard whose mount has a route on this path runs: a path two mounts answered would need both.
  for (const mount of parts.mounts) {
    const guard = guardOf(mount);
    if (guard) app.use(guard);
  }
  for (const mount of parts.mounts) {
    for (const router of mount.routers) {
      app.use(router.routes());
      // Sets 405 + Allow; the error boundary gives the empty 405 its JSON body.
      app.use(router.allowedMethods());
    }
  }
  return app;
}

/** Every route the host serves, with its method, access and mount (tests walk them all). */
export function routesOf(app: Koa): RouteInfo[] {
  return routeTables.get(app) ?? [];
}
