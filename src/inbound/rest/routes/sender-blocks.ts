/**
 * /api/v1/sender-blocks: block a sender's address or domain (their messages are kept as spam and make no ticket),
 * list and end blocks; POST /api/v1/requests/{id}/spam: the Spam action on a ticket.
 */
import Router from '@koa/router';
import type { Database } from '../../../db/database.ts';
import { getBlock, listBlocks, type SenderBlockRow } from '../../../db/repositories/sender-blocks.ts';
import { BLOCK_RULES, BlockRefused, SPAM_RULES } from '../../../domain/sender-block.ts';
import type { TicketEvents } from '../../../ingest/ticket-events.ts';
import { markSpam, type SenderBlocks } from '../../../ingest/sender-blocks.ts';
import { HttpError, validationError } from '../../../lib/http-error.ts';
import { blockBody, blocksQuery, spamBody } from '../block-schemas.ts';
import { ticketId } from '../schemas.ts';
import { parseOr422 } from '../validate.ts';

export const blockJson = (b: SenderBlockRow) => ({
  id: b.id, kind: b.kind, value: b.value, blocked_by: b.blockedBy, ticket_id: b.ticketId, created_at: b.createdAt.toISOString(),
  unblocked_by: b.unblockedBy, unblocked_at: b.unblockedAt?.toISOString() ?? null, suppressed: b.suppressed, last_suppressed_at: b.lastSuppressedAt?.toISOString() ?? null,
});

const refused = (error: unknown): never => {
  if (error instanceof BlockRefused) throw validationError([{ field: 'value', message: error.message, type: 'value_error' }]);
  throw error;
};

export function senderBlocksRouter(deps: { db: Database; blocks: SenderBlocks; ticketEvents: TicketEvents }): Router {
  const router = new Router({ prefix: '/api/v1', sensitive: true });
  const idOf = (raw: string | undefined) => parseOr422(ticketId, raw, 'id');

  router.get('/sender-blocks', async (ctx) => {
    const q = parseOr422(blocksQuery, ctx.query);
    ctx.body = { items: (await listBlocks(deps.db.sql, { ended: q.ended === 'true' })).map(blockJson) };
  });

  router.post('/sender-blocks', async (ctx) => {
    const body = parseOr422(blockBody, ctx.request.body);
    const made = await deps.blocks.block(body.kind, body.value, ctx.state.actor ?? 'api').catch(refused);
    ctx.status = made.created ? 201 : 200;
    ctx.body = blockJson(made.block);
  });

  router.get('/sender-blocks/:id', async (ctx) => {
    const id = idOf(ctx.params.id);
    const block = await getBlock(deps.db.sql, id);
    if (!block) throw new HttpError(404, `Sender block ${id} not found`);
    ctx.body = blockJson(block);
  });

  router.delete('/sender-blocks/:id', async (ctx) => {
    const id = idOf(ctx.params.id);
    if (!(await deps.blocks.unblock(id, ctx.state.actor ?? 'api'))) throw new HttpError(404, `Sender block ${id} not found or ended already`);
    ctx.status = 204;
  });

  router.post('/requests/:id/spam', async (ctx) => {
    const id = idOf(ctx.params.id);
    const body = parseOr422(spamBody, ctx.request.body ?? {});
    const outcome = await markSpam(deps, id, ctx.state.actor ?? 'api', { domain: body.domain }).catch((error: unknown) => {
      // The address is the ticket's, not a field of this request: its refusal names the ticket.
      if (error instanceof BlockRefused && error.message === BLOCK_RULES.notAnAddress) throw validationError([{ field: 'id', message: SPAM_RULES.unblockable, type: 'value_error' }]);
      return refused(error);
    });
    if (!outcome.found) throw new HttpError(404, `Request ${id} not found`);
    if ('noSender' in outcome) throw validationError([{ field: 'id', message: SPAM_RULES.noSender, type: 'value_error' }]);
    ctx.body = { ticket_id: id, resolved: outcome.resolved, block: blockJson(outcome.block) };
  });
  return router;
}
