/**
 * Who is signed in to the console: a random token in an HttpOnly cookie whose SHA-256 keys a console_sessions
 * row (role, CSRF token, expiry). The cookie is the only credential the console reads: API keys do not open
 * it, and as its path is /console the browser never sends it to /api/v1. Every state-changing request must
 * echo the session's CSRF token (X-CSRF-Token header from htmx, or the _csrf form field).
 */
import type { Context, Next } from 'koa';
import type { Database } from '../db/database.ts';
import { deleteConsoleSession, findConsoleSession, insertConsoleSession } from '../db/repositories/console-sessions.ts';
import { HttpError } from '../lib/http-error.ts';
import { hashToken, newToken, sameSecret } from '../lib/secret-token.ts';

export const ROLES = ['viewer', 'agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ConsoleUser {
  /** Slack user id, or `link` for a one-time link's sign-in. */
  userId: string;
  name: string | null;
  role: Role;
  csrfToken: string;
}

export const SESSION_COOKIE = 'console_session';
export const COOKIE_PATH = '/console';

/** Secure when the browser talks https to us: directly, through a trusted proxy (X-Forwarded-Proto), or per PUBLIC_URL. */
export const secureCookies = (ctx: Context, publicUrl: string | undefined) => ctx.secure || (publicUrl?.startsWith('https:') ?? false);

export async function startSession(ctx: Context, deps: { db: Database; hours: number; publicUrl: string | undefined }, who: { userId: string; name: string | null; role: Role }): Promise<void> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + deps.hours * 3_600_000);
  await insertConsoleSession(deps.db.sql, hashToken(token), { ...who, userName: who.name, csrfToken: newToken(), expiresAt });
  ctx.cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: secureCookies(ctx, deps.publicUrl), path: COOKIE_PATH, expires: expiresAt, overwrite: true });
}

export async function endSession(ctx: Context, db: Database): Promise<void> {
  const token = ctx.cookies.get(SESSION_COOKIE);
  if (token) await deleteConsoleSession(db.sql, hashToken(token));
  ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: COOKIE_PATH, expires: new Date(0), overwrite: true });
}

/** The signed-in user, or undefined (no cookie, unknown or expired session). */
export async function currentUser(ctx: Context, db: Database): Promise<ConsoleUser | undefined> {
  const token = ctx.cookies.get(SESSION_COOKIE);
  if (!token || token.length > 100) return undefined;
  const row = await findConsoleSession(db.sql, hashToken(token), new Date());
  if (!row || !(ROLES as readonly string[]).includes(row.role)) return undefined;
  return { userId: row.userId, name: row.userName, role: row.role as Role, csrfToken: row.csrfToken };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses (403) a state-changing request whose CSRF token is missing or wrong. */
export function checkCsrf(ctx: Context, user: ConsoleUser): void {
  if (SAFE_METHODS.has(ctx.method)) return;
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const sent = ctx.get('x-csrf-token') || (typeof body?._csrf === 'string' ? body._csrf : '');
  if (!sent || !sameSecret(sent, user.csrfToken)) throw new HttpError(403, 'The form was too old or not sent from the console: reload the page and try again.');
}

/** At least this role, else 403. */
export function requireRole(user: ConsoleUser, role: Role): void {
  if (ROLES.indexOf(user.role) < ROLES.indexOf(role)) throw new HttpError(403, `This needs the ${role} role; you are signed in as ${user.role}.`);
}

export type ConsoleState = { user?: ConsoleUser };

/** Loads the user for the routes behind it; a page without a session redirects to sign-in, an htmx or form request gets 401. */
export function requireSignIn(db: Database) {
  return async (ctx: Context, next: Next) => {
    const user = await currentUser(ctx, db);
    if (!user) {
      // A page redirects to sign-in; a live-update stream (EventSource) or htmx request is refused.
      if (ctx.method === 'GET' && !ctx.get('hx-request') && !ctx.get('accept').includes('text/event-stream')) {
        ctx.redirect(`${COOKIE_PATH}/sign-in?next=${encodeURIComponent(ctx.originalUrl)}`);
        return;
      }
      throw new HttpError(401, 'Your console session has ended: sign in again.');
    }
    (ctx.state as ConsoleState).user = user;
    checkCsrf(ctx, user);
    await next();
  };
}
