import type { Context, Next } from 'koa';
import { koaBody } from 'koa-body';
import { HttpError } from '../../lib/http-error.ts';

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
