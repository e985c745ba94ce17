import type { Context, Next } from 'koa';
import { koaBody } from 'koa-body';
import { HttpError } from '../../lib/http-error.ts';
import type { Metrics } from '../../lib/metrics.ts';

/** "/api/v1/requests/" and "/api/v1/requests" are the same resource. */
export async function stripTrailingSlash(ctx: Context, next: Next) {
  if (ctx.path.length > 1 && ctx.path.endsWith('/')) ctx.path = ctx.path.replace(/\/+$/, '') || '/';
  await next();
}

/** JSON bodies up to 1 MiB for API routes only: webhooks and Slack verify signatures on the raw bytes themselves. */
export function jsonBody() {
  const parse = koaBody({ json: true, jsonStrict: true, jsonLimit: '1mb', urlencoded: false, text: false, multipart: false, parsedMethods: ['POST', 'PUT', 'PATCH'] as never });
  return async (ctx: Context, next: Next) => {
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (['POST', 'PUT', 'PATCH'].includes(ctx.method) && hasBody && !ctx.is('application/json', '+json')) {
      throw new HttpError(415, `Content-Type must be application/json (got "${ctx.get('content-type') || 'none'}")`);
    }
    return parse(ctx, next);
  };
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
