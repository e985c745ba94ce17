/**
 * Ways into the console and out of it: a one-time link (npm run console:link; the first start on the
 * embedded database prints one), Sign in with Slack (OpenID Connect, only the configured workspace, role from
 * CONSOLE_ADMINS / _AGENTS / _VIEWERS: user ids or user groups), sign-out and sign-out everywhere. Sign-in
 * attempts are rate limited per client address.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type * as OpenId from 'openid-client';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { GroupMembers } from '../domain/agent.ts';
import { consumeSignInLink, deleteConsoleSessionsOf, deleteExpiredConsoleRows } from '../db/repositories/console-sessions.ts';
import { HttpError } from '../lib/http-error.ts';
import { html } from '../lib/html.ts';
import { hashToken, sameSecret } from '../lib/secret-token.ts';
import { WindowCounts } from '../lib/window-counts.ts';
import { page } from './layout.ts';
import { COOKIE_PATH, currentUser, checkCsrf, endSession, type Role, secureCookies, startSession } from './session.ts';

export interface SignInDeps {
  db: Database;
  console: Config['console'];
  publicUrl: string | undefined;
  /** Members of a Slack user group named in a role list (Slack configured); without it only user ids count. */
  groupMembers?: GroupMembers | undefined;
}

const STATE_COOKIE = 'console_oidc';
const TEAM_CLAIM = 'https://slack.com/team_id';
const USER_CLAIM = 'https://slack.com/user_id';

/** Where to go after signing in: a console page (a bookmarked view), never another site. */
export function afterSignIn(next: unknown): string {
  return typeof next === 'string' && next.length <= 2000 && /^\/console(?:[/?]|$)/.test(next) && !/[\\\s]/.test(next) ? next : COOKIE_PATH;
}

/** A Slack user group's id (S…) among the role lists; user ids are U… or W…. */
const isGroupId = (entry: string) => /^S[A-Z0-9]{2,}$/.test(entry);

/**
 * The role configured for a Slack user, or undefined: not allowed in. Each list holds user ids and user group
 * ids; the highest role that names the user or one of their groups wins (groups are read only when the user is
 * not named, and only with `members`: Slack configured).
 */
export async function roleOf(roles: Config['console']['roles'], userId: string, members?: GroupMembers): Promise<Role | undefined> {
  const lists: Array<[Role, string[]]> = [['admin', roles.admins], ['agent', roles.agents], ['viewer', roles.viewers]];
  for (const [role, list] of lists) {
    if (list.includes(userId) || (role === 'viewer' && list.includes('*'))) return role;
    for (const group of members ? list.filter(isGroupId) : []) if ((await members!(group)).has(userId)) return role;
  }
  return undefined;
}

export function signInRouter(deps: SignInDeps): Router {
  const router = new Router({ sensitive: true });
  // Ten failed attempts a minute per address: guessing a 256-bit token is hopeless anyway, this keeps the
  // table quiet and a stolen-but-used link from being hammered. A success costs nothing.
  // Per process (the console's sign-in needs no sharing: each instance's ten are already few).
  const failures = new WindowCounts({ limit: 10, windowMs: 60_000, maxKeys: 50_000, syncMs: 60_000 });
  const limit = async (ctx: Context) => {
    const verdict = failures.check(ctx.ip);
    if (!verdict.allowed) {
      ctx.set('Retry-After', String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))));
      throw new HttpError(429, 'Too many failed sign-in attempts from your address: wait a minute.');
    }
  };
  const failed = async (ctx: Context, error: HttpError): Promise<never> => {
    failures.take(ctx.ip);
    throw error;
  };
  const sessionDeps = { db: deps.db, hours: deps.console.sessionHours, publicUrl: deps.publicUrl };
  const slack = deps.console.slack;
  // openid-client loads with the first Slack sign-in: a console without it costs no memory for it.
  const library = () => import('openid-client');
  let discovered: Promise<OpenId.Configuration> | undefined;
  const provider = () => {
    discovered ??= library()
      .then((oidc) => oidc.discovery(new URL(slack!.issuer), slack!.clientId, slack!.clientSecret, undefined, slack!.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined))
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };
  // PUBLIC_URL when set (what the Slack app lists as its redirect URL); the Slack app refuses any other.
  const redirectUri = (ctx: Context) => `${deps.publicUrl?.replace(/\/$/, '') ?? `${ctx.protocol}://${ctx.host}`}${COOKIE_PATH}/sign-in/slack/callback`;

  router.get(`${COOKIE_PATH}/sign-in`, async (ctx) => {
    ctx.body = page({
      title: 'Sign in',
      body: html`<section class="card narrow"><h1>Sign in to the console</h1>
        ${slack ? html`<p><a class="button" href="${`${COOKIE_PATH}/sign-in/slack?${new URLSearchParams({ next: afterSignIn(ctx.query.next) })}`}">Sign in with Slack</a></p>` : html`<p>Sign in with Slack is not set up.</p>`}
        <p class="muted">No Slack? An operator can print a one-time sign-in link on the server: <code>npm run console:link</code>.</p></section>`,
    }).value;
  });

  // The link opens a page with a button: a mail scanner that fetches the link does not use it up.
  router.get(`${COOKIE_PATH}/sign-in/link`, async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    ctx.body = page({
      title: 'Sign in',
      body: html`<section class="card narrow"><h1>Sign in with a one-time link</h1>
        <form method="post" action="${COOKIE_PATH}/sign-in/link"><input type="hidden" name="token" value="${token}"><button>Sign in</button></form></section>`,
    }).value;
  });

  router.post(`${COOKIE_PATH}/sign-in/link`, async (ctx) => {
    await limit(ctx);
    const token = (ctx.request.body as Record<string, unknown> | undefined)?.token;
    const role = typeof token === 'string' && token.length <= 100 ? await consumeSignInLink(deps.db.sql, hashToken(token), new Date()) : null;
    if (!role) await failed(ctx, new HttpError(401, 'This sign-in link was used already, has expired or is not one of ours: print a new one with npm run console:link.'));
    await deleteExpiredConsoleRows(deps.db.sql, new Date());
    await startSession(ctx, sessionDeps, { userId: 'link', name: 'Operator (sign-in link)', role: role as Role });
    ctx.redirect(COOKIE_PATH);
  });

  router.get(`${COOKIE_PATH}/sign-in/slack`, async (ctx) => {
    if (!slack) throw new HttpError(404, 'Sign in with Slack is not set up.');
    const oidc = await library();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const next = Buffer.from(afterSignIn(ctx.query.next)).toString('base64url');
    ctx.cookies.set(STATE_COOKIE, `${state}.${nonce}.${next}`, { httpOnly: true, sameSite: 'lax', secure: secureCookies(ctx, deps.publicUrl), path: COOKIE_PATH, maxAge: 600_000, overwrite: true });
    ctx.redirect(oidc.buildAuthorizationUrl(await provider(), { redirect_uri: redirectUri(ctx), scope: 'openid profile email', state, nonce, team: slack.teamId }).href);
  });

  router.get(`${COOKIE_PATH}/sign-in/slack/callback`, async (ctx) => {
    if (!slack) throw new HttpError(404, 'Sign in with Slack is not set up.');
    await limit(ctx);
    const [state = '', nonce = '', next = ''] = (ctx.cookies.get(STATE_COOKIE) ?? '').split('.');
    ctx.cookies.set(STATE_COOKIE, '', { path: COOKIE_PATH, expires: new Date(0), overwrite: true });
    const returned = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    if (!state || !sameSecret(state, returned)) await failed(ctx, new HttpError(401, 'The sign-in took too long or was started elsewhere: try again.'));
    const callback = new URL(redirectUri(ctx));
    callback.search = new URL(ctx.href).search;
    let claims: OpenId.IDToken | undefined;
    try {
      const oidc = await library();
      claims = (await oidc.authorizationCodeGrant(await provider(), callback, { expectedState: state, expectedNonce: nonce, idTokenExpected: true })).claims();
    } catch {
      return failed(ctx, new HttpError(401, 'Slack did not confirm the sign-in: try again.'));
    }
    if (!claims || claims[TEAM_CLAIM] !== slack.teamId) return failed(ctx, new HttpError(403, 'That Slack workspace is not the one this console belongs to.'));
    const userId = typeof claims[USER_CLAIM] === 'string' ? (claims[USER_CLAIM] as string) : claims.sub;
    const role = await roleOf(deps.console.roles, userId, deps.groupMembers);
    if (!role) throw new HttpError(403, `Your Slack account (${userId}) has no console role: ask an admin to add it to CONSOLE_AGENTS or CONSOLE_VIEWERS.`);
    await deleteExpiredConsoleRows(deps.db.sql, new Date());
    await startSession(ctx, sessionDeps, { userId, name: typeof claims.name === 'string' ? claims.name.slice(0, 255) : null, role });
    ctx.redirect(afterSignIn(Buffer.from(next, 'base64url').toString()));
  });

  router.post(`${COOKIE_PATH}/sign-out`, async (ctx) => {
    const user = await currentUser(ctx, deps.db);
    if (user) checkCsrf(ctx, user);
    await endSession(ctx, deps.db);
    ctx.redirect(`${COOKIE_PATH}/sign-in`);
  });

  router.post(`${COOKIE_PATH}/sign-out-everywhere`, async (ctx) => {
    const user = await currentUser(ctx, deps.db);
    if (!user) throw new HttpError(401, 'You are not signed in.');
    checkCsrf(ctx, user);
    await deleteConsoleSessionsOf(deps.db.sql, user.userId);
    await endSession(ctx, deps.db);
    ctx.redirect(`${COOKIE_PATH}/sign-in`);
  });

  return router;
}
