/**
 * POST /api/v1/requests/{id}/merge: merge the ticket into another; DELETE: undo it (src/ingest/merges.ts has
 * the rules). POST .../split: follow-ups out into a new ticket (src/ingest/splits.ts). The refusals say what
 * to do instead.
 */
import Router from '@koa/router';
import { type SplitDeps, splitTicket } from '../../../ingest/splits.ts';
import { mergeTickets, undoMerge } from '../../../ingest/merges.ts';
import { HttpError, validationError } from '../../../lib/http-error.ts';
import { mergeBody, splitBody } from '../merge-schemas.ts';
import { ticketId } from '../schemas.ts';
import { parseOr422 } from '../validate.ts';
import { getTicket } from '../../../db/repositories/tickets.ts';

export function mergesRouter(deps: SplitDeps): Router {
  const router = new Router({ prefix: '/api/v1/requests', sensitive: true });

  router.post('/:id/merge', async (ctx) => {
    const sourceId = parseOr422(ticketId, ctx.params.id, 'id');
    const body = parseOr422(mergeBody, ctx.request.body);
    const out = await mergeTickets(deps, { sourceId, targetId: body.into, actor: ctx.state.actor ?? 'api', acrossCustomers: body.across_customers });
    if ('refused' in out) {
      if (out.refused === 'same') throw validationError([{ field: 'into', message: out.message, type: 'value_error' }]);
      if (out.refused === 'not_found') throw new HttpError(404, out.message);
      throw new HttpError(409, out.message);
    }
    ctx.body = { merge_id: out.mergeId, source_id: out.sourceId, target_id: out.targetId, messages_moved: out.moved };
  });

  router.delete('/:id/merge', async (ctx) => {
    const id = parseOr422(ticketId, ctx.params.id, 'id');
    const out = await undoMerge(deps, id, ctx.state.actor ?? 'api');
    if (!out.undone) {
      if (await getTicket(deps.db.sql, id)) throw new HttpError(409, `Request ${id} is not merged into another`);
      throw new HttpError(404, `Request ${id} not found`);
    }
    ctx.body = { merge_id: out.mergeId, source_id: out.sourceId, target_id: out.targetId };
  });

  router.post('/:id/split', async (ctx) => {
    const id = parseOr422(ticketId, ctx.params.id, 'id');
    const body = parseOr422(splitBody, ctx.request.body);
    const out = await splitTicket(deps, { ticketId: id, messageIds: body.message_ids, actor: ctx.state.actor ?? 'api' });
    if ('refused' in out) {
      if (out.refused === 'not_found') throw new HttpError(404, out.message);
      if (out.refused === 'not_followups') throw validationError([{ field: 'message_ids', message: out.message, type: 'value_error' }]);
      throw new HttpError(409, out.message);
    }
    ctx.status = 201;
    ctx.set('Location', `/api/v1/requests/${out.ticketId}`);
    ctx.body = { ticket_id: out.ticketId, split_from: id, messages: out.messages };
  });
  return router;
}
