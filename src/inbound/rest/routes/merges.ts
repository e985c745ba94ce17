/**
 * POST /api/v1/requests/{id}/merge: merge the ticket into another; DELETE: undo it (src/ingest/merges.ts has
 * the rules). The refusals say what to do instead.
 */
import Router from '@koa/router';
import type { TicketWriteDeps } from '../../../ingest/changes.ts';
import { mergeTickets, undoMerge } from '../../../ingest/merges.ts';
import { HttpError, validationError } from '../../../lib/http-error.ts';
import { mergeBody } from '../merge-schemas.ts';
import { ticketId } from '../schemas.ts';
import { parseOr422 } from '../validate.ts';
import { getTicket } from '../../../db/repositories/tickets.ts';

export function mergesRouter(deps: TicketWriteDeps): Router {
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
  return router;
}
