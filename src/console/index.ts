/**
 * The operator console, mounted on the app under /console with its own access rules (a session cookie, never
 * an API key): static assets, sign-in, then the views behind a signed-in session. Its answers carry their own
 * Content-Security-Policy (no inline script, no inline style) and errors become HTML pages.
 */
import type { Context, Middleware, Next } from 'koa';
import { koaBody } from 'koa-body';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { GroupMembers } from '../domain/agent.ts';
import type { SenderBlocks } from '../ingest/sender-blocks.ts';
import type { JobQueue } from '../db/queue.ts';
import type { TicketEvents } from '../ingest/ticket-events.ts';
import type { PrivacyDeps } from '../privacy/erase.ts';
import { HttpError } from '../lib/http-error.ts';
import type { Logger } from 'pino';
import { assetServer } from './assets.ts';
import { bulkRouter } from './bulk.ts';
import { auditRouter } from './audit.ts';
import { privacyRouter } from './privacy.ts';
import { inboxRouter } from './inbox.ts';
import { incidentsRouter } from './incidents.ts';
import { createLive, type Live } from './live.ts';
import { type IntakeHealthDeps, intakeHealthRouter } from './intake-health.ts';
import { savedRepliesRouter } from './saved-replies.ts';
import { spamRouter } from './spam.ts';
import { searchRouter } from './search.ts';
import { dashboardRouter } from './dashboard.ts';
import { errorPage } from './layout.ts';
import { type ConsoleState, requireSignIn } from './session.ts';
import { signInRouter } from './sign-in.ts';
import { ticketRouter } from './ticket.ts';

export const CONSOLE_PREFIX = '/console';

export interface ConsoleDeps extends IntakeHealthDeps {
  db: Database;
  queue: JobQueue;
  ticketEvents: TicketEvents;
  messageIdDomain: string;
  /** Erasure, export and legal holds (the admin's privacy page). */
  privacy: PrivacyDeps;
  /** Members of a Slack user group given a role (with Slack configured). */
  slackGroupMembers?: GroupMembers | undefined;
  /** Blocked senders (the Spam page and the ticket page's Spam action). */
  blocks: SenderBlocks;
  config: Pick<Config, 'console'> & { http: Pick<Config['http'], 'publicUrl'>; database: Pick<Config['database'], 'url'>; customers?: Pick<Config['customers'], 'relatedDays'> };
  logger: Logger;
}

const CSP = [
  "default-src 'self'", "script-src 'self'", "script-src-attr 'none'", "style-src 'self'", "img-src 'self' data:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export interface ConsoleMount {
  prefix: string;
  middleware: Middleware;
  /** Live updates (src/console/live.ts): started with the service, closed first when it stops. */
  live: Live;
}

export function createConsole(deps: ConsoleDeps): ConsoleMount {
  const assets = assetServer();
  const parseForm = koaBody({ urlencoded: true, json: false, text: false, multipart: false, formLimit: '64kb', parsedMethods: ['POST'] as never });
  const signIn = signInRouter({ db: deps.db, console: deps.config.console, publicUrl: deps.config.http.publicUrl, groupMembers: deps.slackGroupMembers });
  const live = createLive({ db: deps.db, databaseUrl: deps.config.database.url, maxStreams: deps.config.console.liveStreams, logger: deps.logger });
  const views = [live.router, inboxRouter(deps.db), bulkRouter(deps), ticketRouter(deps), incidentsRouter(deps), savedRepliesRouter(deps.db), intakeHealthRouter(deps), searchRouter(deps.db), dashboardRouter(deps.db), auditRouter(deps.db), privacyRouter(deps.privacy), spamRouter({ db: deps.db, blocks: deps.blocks })];
  const routes = chain([
    signIn.routes() as Middleware,
    requireSignIn(deps.db),
    ...views.map((router) => router.routes() as Middleware),
    async (ctx: Context) => {
      throw new HttpError(404, `Nothing at ${ctx.path}.`);
    },
  ]);

  const middleware: Middleware = async (ctx: Context, next: Next) => {
    if (assets(ctx)) return;
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Cache-Control', 'no-store');
    try {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && ctx.method !== 'POST') throw new HttpError(405, 'The console takes GET and POST only.');
      if (ctx.method === 'POST' && !ctx.is('application/x-www-form-urlencoded') && Number(ctx.get('content-length') || 0) > 0) throw new HttpError(415, 'Send a form.');
      await parseForm(ctx, async () => undefined);
      await routes(ctx, next);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : (error as { status?: number }).status ?? 500;
      if (status >= 500) deps.logger.error({ err: error, path: ctx.path }, 'console request failed');
      ctx.status = status;
      if (error instanceof HttpError) for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
      const detail = error instanceof HttpError ? error.detail : status < 500 ? 'The request could not be read.' : 'Something went wrong on our side; it was logged.';
      ctx.type = 'html';
      ctx.body = errorPage(status, detail, (ctx.state as ConsoleState).user).value;
    }
  };
  return { prefix: CONSOLE_PREFIX, middleware, live };
}

/** Runs middleware in order, each one's next() the following one's turn (koa's own composition, for a list). */
function chain(list: Middleware[]): Middleware {
  return (ctx, next) => {
    const run = (i: number): Promise<unknown> => (i < list.length ? Promise.resolve(list[i]!(ctx, () => run(i + 1))) : next());
    return run(0) as Promise<void>;
  };
}
