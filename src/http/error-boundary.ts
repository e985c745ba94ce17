/**
 * The single error boundary (Koa's onerror, as JSON): HttpError keeps its status and detail; client errors
 * raised by libraries (body parser: malformed JSON, too large, bad charset) keep their 4xx; the database being
 * unreachable is a 503 with Retry-After (clients and helpdesks retry it, and nothing was stored); anything
 * else is a bug, logged with the request and answered 500 without internals.
 */
import { STATUS_CODES } from 'node:http';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { HttpError } from '../lib/http-error.ts';

/** Seconds a client is told to wait before retrying while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

interface LibraryError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
  headers?: Record<string, string>;
}

export function errorBoundary(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, `No route for ${ctx.method} ${ctx.path}`);
      }
      if ((ctx.status === 405 || ctx.status === 501) && !ctx.body) {
        throw new HttpError(405, `Method ${ctx.method} is not allowed on ${ctx.path}`, {}, { Allow: ctx.response.get('Allow') });
      }
    } catch (error) {
      const { status, detail, extra, headers } = describe(error);
      if (status === 503) logger.warn({ err: error, method: ctx.method, path: ctx.path }, 'request failed: database unavailable');
      else if (status >= 500) logger.error({ err: error, method: ctx.method, path: ctx.path }, 'request failed');
      ctx.status = status;
      for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
      ctx.type = 'application/json';
      ctx.body = { detail, status, title: STATUS_CODES[status] ?? 'Error', ...extra };
    }
  };
}

function describe(error: unknown): { status: number; detail: string; extra: Record<string, unknown>; headers: Record<string, string> } {
  if (error instanceof HttpError) return { status: error.status, detail: error.detail, extra: error.extra, headers: error.headers };
  const e = (error ?? {}) as LibraryError;
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const headers = e.headers ?? {};
    if (status === 413 || e.type === 'entity.too.large') return { status: 413, detail: 'Request body is larger than the 1 MiB limit', extra: {}, headers: {} };
    if (status === 400 && (e.type === 'entity.parse.failed' || error instanceof SyntaxError)) {
      return { status: 400, detail: `Malformed JSON body: ${e.message ?? 'cannot parse'}`, extra: {}, headers: {} };
    }
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return { status: 415, detail: e.message ?? 'Unsupported encoding', extra: {}, headers: {} };
    return { status, detail: e.expose !== false && e.message ? e.message : (STATUS_CODES[status] ?? 'Bad request'), extra: {}, headers };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      detail: 'The database is unavailable; nothing was stored. Retry the same request later.',
      extra: {},
      headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
    };
  }
  return { status: 500, detail: 'Internal server error', extra: {}, headers: {} };
}
