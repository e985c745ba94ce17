/** The host's own middleware around every mount: one spelling of a path, and request metrics. */
import type { Context, Next } from 'koa';
import type { Metrics } from '../lib/metrics.ts';

/** "/api/v1/requests/" and "/api/v1/requests" are the same resource. */
export async function stripTrailingSlash(ctx: Context, next: Next) {
  if (ctx.path.length > 1 && ctx.path.endsWith('/')) ctx.path = ctx.path.replace(/\/+$/, '') || '/';
  await next();
}

/** Request counts and latency by route template (not raw path, to keep label cardinality bounded). */
export function httpMetrics(metrics: Metrics) {
  return async (ctx: Context, next: Next) => {
    const end = metrics.httpDuration.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? (ctx.status === 404 ? 'unmatched' : ctx.path.split('/').slice(0, 3).join('/'));
      end({ method: ctx.method, route: String(route) });
      metrics.httpRequests.inc({ method: ctx.method, route: String(route), status: String(ctx.status) });
    }
  };
}
