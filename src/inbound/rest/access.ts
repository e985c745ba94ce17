/**
 * The REST mount's access rules: who may call what, decided on the REST routes the request path actually
 * matches (the routers' own matchers on the same path the routers will see), never on a path prefix, and deny
 * by default: every route needs an API key unless it is listed as open here. Then the rate limits, then the
 * JSON body for API routes. Other mounts (webhooks, Slack) bring their own rules to the host (src/http/).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type { Config } from '../../config.ts';
import type { Access } from '../../http/mount.ts';
import { HttpError } from '../../lib/http-error.ts';
import type { RateLimits } from './rate-limit.ts';

/** The access levels of REST routes: public, metrics (METRICS_TOKEN when set), api-key (API_KEYS when set). */
type RestAccess = Extract<Access, 'public' | 'metrics' | 'api-key'>;

/** Route templates (as registered) that need no API key. Anything not here needs one. */
const OPEN_ROUTES: ReadonlyMap<string, RestAccess> = new Map([
  ['/', 'public'],
  ['/health', 'public'],
  ['/openapi.json', 'public'],
  ['/docs', 'public'],
  ['/docs/init.js', 'public'],
  ['/docs/assets/:file', 'public'],
  ['/metrics', 'metrics'],
]);

const STRICTNESS: RestAccess[] = ['public', 'metrics', 'api-key'];

export function accessOfTemplate(template: string): RestAccess {
  return OPEN_ROUTES.get(template) ?? 'api-key';
}

/**
 * The strictest access among the routes whose path matches, whatever their method (so an unauthenticated 405
 * or OPTIONS learns nothing either); undefined when no route matches (the request ends as 404).
 */
export function accessOfRequest(routers: readonly Router[], path: string): RestAccess | undefined {
  let strictest: RestAccess | undefined;
  for (const router of routers) {
    for (const layer of router.match(path, 'GET').path) {
      if (layer.methods.length === 0) continue; // router.use() middleware, not a route
      const access = accessOfTemplate(String(layer.path));
      if (!strictest || STRICTNESS.indexOf(access) > STRICTNESS.indexOf(strictest)) strictest = access;
    }
  }
  return strictest;
}

export interface GuardOptions {
  routers: readonly Router[];
  api: Config['api'];
  metricsToken: string | undefined;
  limits: RateLimits;
  /** Runs after a successful check on api-key routes (the JSON body parser). */
  apiBody: Middleware;
}

export function accessGuard(options: GuardOptions): Middleware {
  const { routers, limits } = options;
  const apiKeys: Credential = {
    accepted: options.api.keys.map((k) => Buffer.from(k)),
    apiKeyHeader: true,
    missing: 'An API key is required: send Authorization: Bearer KEY or X-API-Key: KEY',
    invalid: 'The API key is not valid',
  };
  const metricsToken: Credential = {
    accepted: options.metricsToken ? [Buffer.from(options.metricsToken)] : [],
    apiKeyHeader: false,
    missing: 'A metrics token is required: send Authorization: Bearer TOKEN',
    invalid: 'The metrics token is not valid',
  };

  return async (ctx: Context, next: Next) => {
    const access = accessOfRequest(routers, ctx.path);
    if (access === 'api-key') {
      if (apiKeys.accepted.length === 0) {
        // No keys configured = open API (SPEC); the address is what is limited then.
        ctx.state.actor = 'api';
        // An open API (development) is open for its admin routes too, unless admin keys are set.
        ctx.state.admin = options.api.adminKeys.length === 0 ? true : options.api.adminKeys.includes(presentedKey(ctx) ?? '');
        await limits.request({ address: ctx.ip });
      } else {
        const { key } = await authenticate(ctx, apiKeys, limits);
        // The key by its fingerprint, never the secret: what the audit and the histories record.
        ctx.state.actor = `api-key:${keyFingerprint(key)}`;
        ctx.state.admin = options.api.adminKeys.includes(key);
        // One round trip to the limiter's store, not two.
        await Promise.all([limits.assertNotBlocked(ctx.ip), limits.request({ apiKey: key })]);
      }
      return options.apiBody(ctx, next);
    }
    if (access === 'metrics' && metricsToken.accepted.length > 0) {
      await authenticate(ctx, metricsToken, limits);
      await limits.assertNotBlocked(ctx.ip);
    }
    return next();
  };
}

/** A key's public name: the first 12 hex digits of its SHA-256 (API keys are long random strings). */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

function presentedKey(ctx: Context): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1]?.trim() ?? (ctx.get('x-api-key').trim() || undefined);
}

/** Admin routes (audit, privacy, legal holds): 403 unless the request came with an admin key (API_ADMIN_KEYS). */
export function requireAdmin(ctx: Context): void {
  if (ctx.state.admin !== true) throw new HttpError(403, 'This needs an admin API key (API_ADMIN_KEYS)');
}

interface Credential {
  accepted: Buffer[];
  /** X-API-Key is accepted besides Authorization: Bearer. */
  apiKeyHeader: boolean;
  missing: string;
  invalid: string;
}

/**
 * Checks the presented credential; a failure counts towards the address's block (429 once past it). The
 * caller then checks the block for a correct credential too: while blocked, a right guess is not confirmed.
 */
async function authenticate(ctx: Context, credential: Credential, limits: RateLimits): Promise<{ index: number; key: string }> {
  const bearer = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1]?.trim();
  const text = bearer ?? ((credential.apiKeyHeader && ctx.get('x-api-key').trim()) || undefined);
  const presented = text === undefined ? undefined : Buffer.from(text);
  const index = presented === undefined ? -1 : credential.accepted.findIndex((k) => k.length === presented.length && timingSafeEqual(k, presented));
  if (index >= 0) return { index, key: text! };
  await limits.failedAuthentication(ctx.ip);
  if (presented === undefined) throw new HttpError(401, credential.missing, {}, { 'WWW-Authenticate': 'Bearer' });
  throw new HttpError(401, credential.invalid, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
}
