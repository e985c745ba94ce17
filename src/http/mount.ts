/**
 * What the HTTP host serves: mounts, side by side. Each brings its routes and its own access rules (the REST
 * API: keys, rate limits, JSON bodies; the webhooks: their providers' signatures on the raw bytes; Slack: its
 * receiver; the console: sessions), so no mount decides who may call another.
 */
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';

/**
 * How a route is protected, as the route table shows it: - public: anyone; - metrics: METRICS_TOKEN when set;
 * - signed: the handler verifies the sender's signature on the raw bytes (no body parser); - api-key:
 * API_KEYS when set, rate limited, JSON body; - session: a signed-in console user.
 */
export type Access = 'public' | 'metrics' | 'signed' | 'api-key' | 'session';

export interface Mount {
  /** Shown in the route table and in errors about the mount. */
  name: string;
  /**
   * The path prefix every route of the mount lives under ('/console', '/webhooks'); the host refuses a route
   * outside it and two mounts whose prefixes overlap. None: the mount's routes may be anywhere (the REST API
   * owns `/`, `/health`, `/docs`, ...), still never under another mount's prefix.
   */
  prefix?: string;
  /** Every router must be created with `sensitive: true`: other spellings of a path are other (absent) routes. */
  routers: readonly Router[];
  /** The access of each of its route templates (as registered); the route table and tests read it. */
  accessOf(template: string): Access;
  /**
   * Runs before the routes when the request path matches one of this mount's routes, whatever the method
   * (an unauthenticated 405 or OPTIONS learns nothing either): the mount's own access checks and body parsing.
   */
  guard?: Middleware;
  /** Runs outside the error boundary, around everything: sees the status and body actually sent. */
  observe?: Middleware;
}

/** A mount that owns a path prefix and reads the raw request itself (Slack's receiver): no routes of ours. */
export interface RawMount {
  name: string;
  prefix: string;
  middleware: Middleware;
}

/** Whether the path is the prefix or below it ('/console' holds '/console' and '/console/x', not '/consoles'). */
export function underPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`) || (path.startsWith(prefix) && path[prefix.length] === '{');
}

/**
 * Each mount's routes under its own prefix, and no route of any mount under another mount's prefix: a mount's
 * access rules then cover all of its paths and nobody else's. Throws naming the first offender.
 */
export function checkMounts(mounts: readonly Mount[]): void {
  const prefixed = mounts.filter((m) => m.prefix !== undefined);
  for (const a of prefixed) {
    if (!/^\/[^/]/.test(a.prefix!) || a.prefix!.endsWith('/')) throw new Error(`Mount ${a.name}: prefix "${a.prefix}" must start with / and not end with it`);
    for (const b of prefixed) {
      if (a !== b && underPrefix(b.prefix!, a.prefix!)) throw new Error(`Mounts ${a.name} (${a.prefix}) and ${b.name} (${b.prefix}) overlap`);
    }
  }
  for (const mount of mounts) {
    for (const router of mount.routers) {
      for (const layer of router.stack) {
        const template = String(layer.path);
        if (mount.prefix !== undefined && !underPrefix(template, mount.prefix)) throw new Error(`Route ${template} of ${mount.name} is outside its prefix ${mount.prefix}`);
        const other = prefixed.find((m) => m !== mount && underPrefix(template, m.prefix!));
        if (other) throw new Error(`Route ${template} of ${mount.name} is under ${other.name}'s prefix ${other.prefix}`);
      }
    }
  }
}

/** True when a route (not a router.use() middleware) of the routers matches the path. */
export function matchesRoute(routers: readonly Router[], path: string): boolean {
  return routers.some((router) => router.match(path, 'GET').path.some((layer) => layer.methods.length > 0));
}

/** The mount's guard, run only on requests that match one of its routes. */
export function guardOf(mount: Mount): Middleware | undefined {
  const guard = mount.guard;
  if (!guard) return undefined;
  return (ctx: Context, next) => (matchesRoute(mount.routers, ctx.path) ? guard(ctx, next) : next());
}
