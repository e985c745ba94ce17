/** /api/v1/requests: create, read, list, change status and assignee, correct the classification, history, delete. */
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../../../db/database.ts';
import { listAssignments } from '../../../db/repositories/agents.ts';
import { listAttachments } from '../../../db/repositories/attachments.ts';
import { listClassifications } from '../../../db/repositories/classifications.ts';
import { holdsOfTicket } from '../../../db/repositories/legal-holds.ts';
import { splitInto } from '../../../db/repositories/splits.ts';
import { listMessages } from '../../../db/repositories/messages.ts';
import { listReplies } from '../../../db/repositories/replies.ts';
import { getTicket, getTicketOrMerged, listTickets } from '../../../db/repositories/tickets.ts';
import type { InboundMessage } from '../../../domain/inbound-message.ts';
import { isSnoozeEnd, SNOOZE_END_RULE } from '../../../domain/ticket.ts';
import { applyHumanClassification, assign, setStatus, snooze, softDelete, unsnooze } from '../../../ingest/changes.ts';
import { IdempotencyKeyReused, type Ingest } from '../../../ingest/ingest.ts';
import { IngestValidationError, textProblem } from '../../../ingest/normalize.ts';
import type { TicketEvents } from '../../../ingest/ticket-events.ts';
import { HttpError, validationError } from '../../../lib/http-error.ts';
import { classificationBody, createTicketBody, listQuery, patchTicketBody, RESOLVED_NOT_SNOOZED, ticketId } from '../schemas.ts';
import { parseOr422 } from '../validate.ts';
import { assignmentJson, attachmentJson, classificationJson, messageJson, replyJson, ticketJson } from '../views.ts';

export interface RequestsDeps {
  db: Database;
  ingest: Pick<Ingest, 'deliver'>;
  /** Told of every change a client makes (status, classification, delete). */
  ticketEvents: TicketEvents;
}

const ACCEPTED = 'Request accepted for classification';

export function requestsRouter(deps: RequestsDeps): Router {
  const { db } = deps;
  const router = new Router({ prefix: '/api/v1/requests', sensitive: true });
  const idOf = (ctx: Context) => parseOr422(ticketId, ctx.params.id, 'id');
  const notFound = (id: number) => new HttpError(404, `Request ${id} not found`);

  router.post('/', async (ctx) => {
    const input = parseOr422(createTicketBody, ctx.request.body);
    const key = idempotencyKey(ctx);
    const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    const msg: InboundMessage = {
      source: 'api',
      externalId: input.external_id,
      subject: input.text !== undefined ? null : input.subject,
      body: (input.text ?? input.body)!,
      requesterEmail: input.requester_email,
      requesterName: input.requester_name,
      originalQueue: input.original_queue,
      originalPriority: input.original_priority,
      receivedAt: new Date(),
    };
    try {
      // The ticket holds the text: the audit keeps only the request's size.
      const delivery = { door: 'api', deliveryId: input.external_id ?? null, size: ctx.request.length ?? 0, content: { message: msg } };
      const result = await deps.ingest.deliver(delivery, key ? { idempotency: { key, requestHash } } : {});
      // A retry with the same Idempotency-Key gets the first answer again.
      if (result.replayed) return respondCreated(ctx, result.ticketId!);
      if (result.verdict === 'suppressed') {
        ctx.status = 202;
        ctx.body = { id: null, status: 'suppressed', message: 'The sender is blocked: the message was kept as spam, no ticket was made' };
        return;
      }
      if (result.verdict === 'duplicate') {
        ctx.status = 200;
        ctx.body = { id: result.ticketId, status: 'duplicate', message: `A request with external_id "${input.external_id}" already exists` };
        return;
      }
      respondCreated(ctx, result.ticketId!);
    } catch (error) {
      if (error instanceof IngestValidationError) throw validationError([{ field: error.field, message: error.message, type: 'invalid' }]);
      if (error instanceof IdempotencyKeyReused) throw new HttpError(409, error.message);
      throw error;
    }
  });

  router.get('/', async (ctx) => {
    const { assignee, customer_id: customerId, company_id: companyId, ...q } = parseOr422(listQuery, ctx.query);
    const { items, total } = await listTickets(db.sql, {
      ...q,
      ...(customerId === undefined ? {} : { customerId }),
      ...(companyId === undefined ? {} : { companyId }),
      ...(assignee === undefined ? {} : { assignee: assignee === 'none' ? null : assignee }),
      since: q.since ? new Date(q.since) : undefined,
      until: q.until ? new Date(q.until) : undefined,
    });
    ctx.body = { items: items.map(ticketJson), total, limit: q.limit, offset: q.offset };
  });

  router.get('/:id', async (ctx) => {
    const id = idOf(ctx);
    // A merged ticket answers as its pointer: merged_into_id set, its messages at the target.
    const ticket = await getTicketOrMerged(db.sql, id);
    if (!ticket) throw notFound(id);
    const [messages, replies, attachments, holds, splits] = await Promise.all([
      listMessages(db.sql, id), listReplies(db.sql, id), listAttachments(db.sql, id), holdsOfTicket(db.sql, id), splitInto(db.sql, id),
    ]);
    ctx.body = {
      ...ticketJson(ticket), messages: messages.map(messageJson), replies: replies.map(replyJson), attachments: attachments.map(attachmentJson),
      legal_hold: holds.length > 0, split_into: splits,
    };
  });

  router.patch('/:id', async (ctx) => {
    const id = idOf(ctx);
    const { status, assignee, snooze: snoozeTo } = parseOr422(patchTicketBody, ctx.request.body);
    const actor = ctx.state.actor ?? 'api';
    const until = snoozeTo?.until ? new Date(snoozeTo.until) : null;
    const resolvedRefusal = () => validationError([{ field: 'snooze', message: RESOLVED_NOT_SNOOZED, type: 'custom' }]);
    // Checked before anything changes (as is resolving and snoozing at once, in the schema): a bad snooze must
    // not leave the status half-applied.
    if (until && !isSnoozeEnd(until, new Date())) throw validationError([{ field: 'snooze.until', message: SNOOZE_END_RULE, type: 'too_big' }]);
    if (status !== undefined && !(await setStatus(deps, id, status, actor))) throw notFound(id);
    if (assignee !== undefined && !(await assign(deps, id, assignee, actor)).found) throw notFound(id);
    // Unsnoozing a ticket that is not snoozed changes nothing; one that does not exist is a 404.
    if (snoozeTo === null && !(await unsnooze(deps, id, actor)) && !(await getTicket(db.sql, id))) throw notFound(id);
    if (snoozeTo) {
      const out = await snooze(deps, id, until, actor);
      if (out === 'not_found') throw notFound(id);
      if (out === 'resolved') throw resolvedRefusal();
    }
    ctx.body = ticketJson((await getTicket(db.sql, id))!);
  });

  router.put('/:id/classification', async (ctx) => {
    const id = idOf(ctx);
    const body = parseOr422(classificationBody, ctx.request.body);
    const ok = await applyHumanClassification(deps, id, { ...body, actor: ctx.state.actor ?? 'api' });
    if (!ok) throw notFound(id);
    ctx.body = ticketJson((await getTicket(db.sql, id))!);
  });

  router.get('/:id/classifications', async (ctx) => {
    const id = idOf(ctx);
    if (!(await getTicket(db.sql, id))) throw notFound(id);
    const items = (await listClassifications(db.sql, id)).map(classificationJson);
    ctx.body = { ticket_id: id, items, total: items.length };
  });

  router.get('/:id/assignments', async (ctx) => {
    const id = idOf(ctx);
    if (!(await getTicket(db.sql, id))) throw notFound(id);
    const items = (await listAssignments(db.sql, id)).map(assignmentJson);
    ctx.body = { ticket_id: id, items, total: items.length };
  });

  router.delete('/:id', async (ctx) => {
    const id = idOf(ctx);
    if (!(await softDelete(deps, id, ctx.state.actor ?? 'api'))) throw notFound(id);
    ctx.status = 204;
  });

  return router;
}

function respondCreated(ctx: Context, id: number) {
  ctx.status = 201;
  ctx.set('Location', `/api/v1/requests/${id}`);
  ctx.body = { id, status: 'processing', message: ACCEPTED };
}

function idempotencyKey(ctx: Context): string | undefined {
  const key = ctx.get('idempotency-key').trim();
  if (!key) return undefined;
  if (key.length > 255) throw validationError([{ field: 'Idempotency-Key', message: 'must be at most 255 characters', type: 'too_big' }]);
  // Node's HTTP parser refuses NUL in headers already; this keeps the key column safe behind any other front.
  const problem = textProblem(key);
  if (problem) throw validationError([{ field: 'Idempotency-Key', message: problem, type: 'custom' }]);
  return key;
}
