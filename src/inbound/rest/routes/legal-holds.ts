/** /api/v1/legal-holds (admin): place, list and release legal holds on a ticket or a customer. */
import Router from '@koa/router';
import type { Database } from '../../../db/database.ts';
import { type LegalHoldRow, listHolds } from '../../../db/repositories/legal-holds.ts';
import { HttpError, validationError } from '../../../lib/http-error.ts';
import { holdFor, release } from '../../../privacy/holds.ts';
import { parseSubject } from '../../../privacy/erase.ts';
import { requireAdmin } from '../access.ts';
import { holdBody } from '../privacy-schemas.ts';
import { ticketId } from '../schemas.ts';
import { parseOr422 } from '../validate.ts';

const holdJson = (h: LegalHoldRow) => ({
  id: h.id, kind: h.kind, ticket_id: h.ticketId, email: h.email, reason: h.reason, created_by: h.createdBy, created_at: h.createdAt.toISOString(),
});

export function legalHoldsRouter(deps: { db: Database }): Router {
  const router = new Router({ prefix: '/api/v1/legal-holds', sensitive: true });
  router.use(async (ctx, next) => {
    requireAdmin(ctx);
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/', async (ctx) => {
    ctx.body = { items: (await listHolds(deps.db.sql)).map(holdJson) };
  });

  router.post('/', async (ctx) => {
    const body = parseOr422(holdBody, ctx.request.body);
    let email: string | undefined;
    if ('email' in body) {
      try {
        email = parseSubject('email', body.email).value;
      } catch {
        throw validationError([{ field: 'email', message: 'must be an e-mail address', type: 'invalid' }]);
      }
    }
    const placed = await holdFor(deps.db, 'ticket_id' in body ? { ticketId: body.ticket_id } : { email: email! }, body.reason ?? null, ctx.state.actor ?? 'api');
    if (!placed) throw new HttpError(404, `Request ${'ticket_id' in body ? body.ticket_id : ''} not found`);
    ctx.status = placed.created ? 201 : 200;
    ctx.body = holdJson(placed.hold);
  });

  router.delete('/:id', async (ctx) => {
    const id = parseOr422(ticketId, ctx.params.id, 'id');
    if (!(await release(deps.db, id, ctx.state.actor ?? 'api'))) throw new HttpError(404, `Legal hold ${id} not found`);
    ctx.status = 204;
  });
  return router;
}
