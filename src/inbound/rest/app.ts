/**
 * The Koa application: one error boundary, JSON bodies and API keys for /api only (webhooks and Slack need
 * the raw bytes to verify signatures), then every door's routes.
 */
import type Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Metrics } from '../../lib/metrics.ts';
import { errorMiddleware } from './error-middleware.ts';
import { apiKeyAuth, httpMetrics, jsonBody, stripTrailingSlash } from './middleware.ts';

export interface AppParts {
  logger: Logger;
  metrics: Metrics;
  api: Config['api'];
  routers: Router[];
  /** Middleware that owns a path prefix and reads the raw request itself (Slack's receiver). */
  rawMounts?: { prefix: string; middleware: Middleware }[];
}

export function createApp(parts: AppParts): Koa {
  const app = new Koa({ proxy: true });
  // Errors are answered by errorMiddleware; Koa's default onerror would only log them a second time.
  app.silent = true;

  const auth = apiKeyAuth(parts.api);
  const body = jsonBody();

  app.use(stripTrailingSlash);
  app.use(httpMetrics(parts.metrics));
  app.use(errorMiddleware(parts.logger));
  for (const mount of parts.rawMounts ?? []) {
    app.use((ctx, next) => (ctx.path === mount.prefix || ctx.path.startsWith(`${mount.prefix}/`) ? mount.middleware(ctx, next) : next()));
  }
  app.use((ctx, next) => (ctx.path.startsWith('/api/') ? auth(ctx, () => body(ctx, next)) : next()));
  for (const router of parts.routers) {
    app.use(router.routes());
    app.use(
      // Sets 405 + Allow; errorMiddleware gives the empty 405 its JSON body.
      router.allowedMethods(),
    );
  }
  return app;
}
