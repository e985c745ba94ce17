/**
 * The ticket page and its actions. Every action goes through the same code as the Slack buttons and REST
 * (src/ingest/changes.ts, replies.ts), so the Slack card and the SLA clocks follow each one; a viewer gets 403.
 * Forms post and redirect back (works without JavaScript; htmx boosts them when it runs).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../db/queue.ts';
import { listAssignments } from '../db/repositories/agents.ts';
import { listClassifications } from '../db/repositories/classifications.ts';
import { ticketCardPost, ticketSlaEvents } from '../db/repositories/console-inbox.ts';
import { viewersOf } from '../db/repositories/console-signals.ts';
import { listMessages } from '../db/repositories/messages.ts';
import { listReplies } from '../db/repositories/replies.ts';
import { getSavedReply, listSavedReplies } from '../db/repositories/saved-replies.ts';
import { listStatusChanges } from '../db/repositories/status-changes.ts';
import { getTicket, getTicketOrMerged } from '../db/repositories/tickets.ts';
import { mergeOfSource } from '../db/repositories/merges.ts';
import { splitInto } from '../db/repositories/splits.ts';
import { incidentOf } from '../db/repositories/incidents.ts';
import { customerContext } from '../db/repositories/customer-context.ts';
import { isCategory, isPriority } from '../domain/categories.ts';
import { applyHumanClassification, assign, setStatus, snooze, unsnooze } from '../ingest/changes.ts';
import { InvalidReplyError, storeReply } from '../ingest/replies.ts';
import { markSpam, type SenderBlocks } from '../ingest/sender-blocks.ts';
import { BlockRefused } from '../domain/sender-block.ts';
import type { TicketEvents } from '../ingest/ticket-events.ts';
import { HttpError } from '../lib/http-error.ts';
import { PRESENCE_FRESH_SECONDS } from './live.ts';
import { type ConsoleState, type ConsoleUser, requireRole } from './session.ts';
import { mergedPage, ticketPage } from './ticket-view.ts';
import { mergeSplitActions } from './ticket-merge-split.ts';

export interface TicketDeps {
  db: Database;
  queue: JobQueue;
  ticketEvents: TicketEvents;
  messageIdDomain: string;
  config?: { customers?: { relatedDays: number } };
  blocks: SenderBlocks;
}

/**
 * Who acted, as the histories and the Slack card record it: console:<Slack user id or link>. Not slack:…, which
 * tells the Slack adapter the button handler already redrew the card (src/slack/alerts.ts): the card must follow.
 */
export const actorOf = (user: ConsoleUser) => `console:${user.userId}`;

export const SNOOZES: Record<string, number> = { '1h': 3_600_000, '4h': 4 * 3_600_000, '1d': 86_400_000, '3d': 3 * 86_400_000, '7d': 7 * 86_400_000 };

const NOTICES: Record<string, string> = {
  assigned: 'Assigned.',
  replied: 'Reply queued: it is sent in the background and its state shows in the timeline.',
  reclassified: 'Classification changed.',
  snoozed: 'Snoozed.',
  unsnoozed: 'Snooze ended.',
  resolved: 'Resolved.',
  open: 'Reopened.',
  spam: 'Marked as spam: the sender\'s address is blocked (see Spam) and the ticket resolved.',
  'spam-domain': 'Marked as spam: every address at the sender\'s domain is blocked (see Spam) and the ticket resolved.',
  merged: 'Merged: the other ticket\'s messages are here now (its page can undo it).',
  unmerged: 'Merge undone: this ticket and its messages are back as they were.',
  split: 'Split: this new ticket holds the follow-ups you chose; it is classified and alerted like any new ticket.',
};

/** A posted form's text field; undefined when missing (or sent as a list). */
export const field = (ctx: Context, name: string) => {
  const v = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
};

export function ticketRouter(deps: TicketDeps): Router {
  const { db } = deps;
  const router = new Router({ prefix: '/console/tickets', sensitive: true });
  const idOf = (ctx: Context) => {
    const id = /^\d{1,9}$/.test(ctx.params.id ?? '') ? Number(ctx.params.id) : NaN;
    if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(404, 'No such ticket.');
    return id;
  };
  const userOf = (ctx: Context) => (ctx.state as ConsoleState).user!;
  const agentOf = (ctx: Context): ConsoleUser => {
    const user = userOf(ctx);
    requireRole(user, 'agent');
    return user;
  };
  const done = (ctx: Context, id: number, what: string) => ctx.redirect(`/console/tickets/${id}?done=${what}`);
  const missing = (id: number) => new HttpError(404, `Ticket #${id} does not exist (or was deleted).`);

  router.get('/:id', async (ctx) => {
    const id = idOf(ctx);
    const ticket = await getTicketOrMerged(db.sql, id);
    if (!ticket) throw missing(id);
    if (ticket.mergedInto !== null) {
      ctx.body = mergedPage(ticket, await mergeOfSource(db.sql, id), userOf(ctx)).value;
      return;
    }
    const relatedDays = deps.config?.customers?.relatedDays ?? 30;
    const [messages, replies, classifications, assignments, statusChanges, slaEvents, card, savedReplies, context, viewers, splits, incident] = await Promise.all([
      listMessages(db.sql, id), listReplies(db.sql, id), listClassifications(db.sql, id), listAssignments(db.sql, id), listStatusChanges(db.sql, id),
      ticketSlaEvents(db.sql, id), ticketCardPost(db.sql, id), listSavedReplies(db.sql),
      ticket.customer ? customerContext(db.sql, { id, customerId: ticket.customer.id, subject: ticket.subject }, relatedDays) : Promise.resolve(null),
      viewersOf(db.sql, id, PRESENCE_FRESH_SECONDS), splitInto(db.sql, id), incidentOf(db.sql, id),
    ]);
    const savedId = typeof ctx.query.saved === 'string' && /^\d{1,9}$/.test(ctx.query.saved) ? Number(ctx.query.saved) : undefined;
    const draft = savedId ? ((await getSavedReply(db.sql, savedId))?.body ?? '') : '';
    const notice = typeof ctx.query.done === 'string' ? NOTICES[ctx.query.done] : undefined;
    ctx.body = ticketPage({ ticket, messages, replies, classifications, assignments, statusChanges, slaEvents, card, savedReplies, context, viewers, splitInto: splits, incident }, userOf(ctx), { notice, draft }).value;
  });

  router.post('/:id/assign', async (ctx) => {
    const user = agentOf(ctx);
    const id = idOf(ctx);
    const typed = field(ctx, 'assignee')?.trim() ?? '';
    const to = field(ctx, 'me') ? user.userId : typed || null;
    if (to !== null && !/^[UW][A-Z0-9]{2,30}$/.test(to)) throw new HttpError(422, 'An assignee is a Slack user id such as U012AB3CD.');
    if (!(await assign(deps, id, to, actorOf(user))).found) throw missing(id);
    done(ctx, id, 'assigned');
  });

  router.post('/:id/reply', async (ctx) => {
    const user = agentOf(ctx);
    const id = idOf(ctx);
    try {
      const stored = await storeReply(deps, { ticketId: id, text: field(ctx, 'text') ?? '', agent: { slackUserId: user.userId, name: user.name }, draft: { origin: 'none' }, actor: actorOf(user) });
      if (!stored) throw missing(id);
    } catch (error) {
      if (error instanceof InvalidReplyError) throw new HttpError(422, error.message);
      throw error;
    }
    done(ctx, id, 'replied');
  });

  router.post('/:id/reclassify', async (ctx) => {
    const user = agentOf(ctx);
    const id = idOf(ctx);
    const category = field(ctx, 'category');
    const priority = field(ctx, 'priority');
    if (!isCategory(category) || (priority !== undefined && priority !== '' && !isPriority(priority))) throw new HttpError(422, 'Choose a category and a priority from the lists.');
    const note = field(ctx, 'note')?.trim().slice(0, 500) || null;
    const ok = await applyHumanClassification(deps, id, { category, priority: isPriority(priority) ? priority : null, note, actor: actorOf(user) });
    if (!ok) throw missing(id);
    done(ctx, id, 'reclassified');
  });

  router.post('/:id/snooze', async (ctx) => {
    const user = agentOf(ctx);
    const id = idOf(ctx);
    const choice = field(ctx, 'for') ?? '';
    const actor = actorOf(user);
    if (choice === 'end') {
      if (!(await unsnooze(deps, id, actor)) && !(await getTicket(db.sql, id))) throw missing(id);
      return done(ctx, id, 'unsnoozed');
    }
    const span = SNOOZES[choice];
    if (choice !== 'answer' && span === undefined) throw new HttpError(422, 'Choose how long to snooze from the list.');
    const out = await snooze(deps, id, span === undefined ? null : new Date(Date.now() + span), actor);
    if (out === 'not_found') throw missing(id);
    if (out === 'resolved') throw new HttpError(422, 'A resolved ticket cannot be snoozed: reopen it first.');
    done(ctx, id, 'snoozed');
  });

  router.post('/:id/spam', async (ctx) => {
    const user = agentOf(ctx);
    const id = idOf(ctx);
    const domain = field(ctx, 'scope') === 'domain';
    const outcome = await markSpam(deps, id, actorOf(user), { domain }).catch((error: unknown) => {
      if (error instanceof BlockRefused) throw new HttpError(422, `Not blocked: ${error.message}.`);
      throw error;
    });
    if (!outcome.found) throw missing(id);
    if ('noSender' in outcome) throw new HttpError(422, 'The ticket has no sender address to block.');
    done(ctx, id, domain ? 'spam-domain' : 'spam');
  });

  mergeSplitActions(router, { deps, idOf, agentOf, actorOf, missing });

  router.post('/:id/status', async (ctx) => {
    const user = agentOf(ctx);
    const id = idOf(ctx);
    const status = field(ctx, 'status');
    if (status !== 'resolved' && status !== 'open') throw new HttpError(422, 'Resolve or reopen.');
    if (!(await setStatus(deps, id, status, actorOf(user)))) throw missing(id);
    done(ctx, id, status);
  });

  return router;
}
