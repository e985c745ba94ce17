/**
 * Response headers every answer carries (helmet), and CORS for the configured origins only (@koa/cors).
 * Both run before the error boundary, so 401/404/405/429/500 answers carry them too.
 */
import cors from '@koa/cors';
import type { Middleware } from 'koa';
import helmet from 'koa-helmet';
import type { Config } from '../config.ts';

/**
 * helmet's defaults (nosniff, no-referrer, same-origin opener/resource policies, ...) with a CSP for an API
 * that serves one page, Swagger UI at /docs: its script, styles and images come from our own origin (inline
 * styles and data: images are what Swagger UI renders), its fetches go to our own origin; nothing may frame
 * us. No upgrade-insecure-requests: a plain-http deployment would lose its own /docs assets. HSTS only when
 * configured (HSTS_MAX_AGE, or PUBLIC_URL on https).
 */
export function securityHeaders(http: Pick<Config['http'], 'hstsMaxAge'>): Middleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: http.hstsMaxAge > 0 ? { maxAge: http.hstsMaxAge, includeSubDomains: true } : false,
  });
}

/** The headers a browser client of the API sends and may read. */
const ALLOWED_HEADERS = ['Authorization', 'X-API-Key', 'Content-Type', 'Idempotency-Key'];
const EXPOSED_HEADERS = ['Location', 'Retry-After', 'WWW-Authenticate'];

/** CORS_ORIGINS: exact origins only; an origin not listed gets no Access-Control-Allow-Origin. Undefined = no CORS. */
export function corsFor(http: Pick<Config['http'], 'corsOrigins'>): Middleware | undefined {
  if (http.corsOrigins.length === 0) return undefined;
  const allowed = new Set(http.corsOrigins);
  return cors({
    origin: (ctx) => (allowed.has(ctx.get('origin')) ? ctx.get('origin') : ''),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    // Keys travel in headers, never in cookies: no credentials mode.
    credentials: false,
    maxAge: 600,
  });
}
