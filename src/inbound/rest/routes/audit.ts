/** /api/v1/audit (admin): every change a person made, newest first, by ticket and/or actor, keyset-paged. */
import Router from '@koa/router';
import type { Database } from '../../../db/database.ts';
import { type AuditEntryRow, listAudit } from '../../../db/repositories/audit-entries.ts';
import { requireAdmin } from '../access.ts';
import { auditQuery } from '../privacy-schemas.ts';
import { parseOr422 } from '../validate.ts';

export const auditJson = (e: AuditEntryRow) => ({
  id: e.id,
  actor: e.actor,
  action: e.action,
  ticket_id: e.ticketId,
  before: e.before,
  after: e.after,
  created_at: e.createdAt.toISOString(),
});

export function auditRouter(deps: { db: Database }): Router {
  const router = new Router({ prefix: '/api/v1/audit', sensitive: true });
  router.get('/', async (ctx) => {
    requireAdmin(ctx);
    const q = parseOr422(auditQuery, ctx.query);
    const page = await listAudit(deps.db.sql, {
      limit: q.limit,
      ...(q.ticket === undefined ? {} : { ticketId: q.ticket }),
      ...(q.actor === undefined ? {} : { actor: q.actor }),
      ...(q.before === undefined ? {} : { before: q.before }),
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { items: page.items.map(auditJson), next: page.next };
  });
  return router;
}
