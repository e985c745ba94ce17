/** The audit of people's actions (audit_entries): appended in the transaction of the change, read by keyset. */
import type { Sql } from '../sql.ts';
import { jsonb } from '../sql.ts';

export interface AuditEntryInput {
  actor: string;
  action: string;
  ticketId: number | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface AuditEntryRow {
  id: number;
  actor: string;
  action: string;
  ticketId: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  createdAt: Date;
}

export async function appendAudit(tx: Sql, e: AuditEntryInput): Promise<void> {
  await tx.kysely
    .insertInto('audit_entries')
    .values({ actor: e.actor.slice(0, 255), action: e.action, ticket_id: e.ticketId, before: jsonb(e.before ?? null), after: jsonb(e.after ?? null) })
    .execute();
}

export interface AuditQuery {
  ticketId?: number;
  actor?: string;
  /** Keyset: entries older than this id (the previous page's `next`). */
  before?: number;
  limit: number;
}

/** Newest first; one more than `limit` is read to know whether a next page exists. */
export async function listAudit(db: Sql, q: AuditQuery): Promise<{ items: AuditEntryRow[]; next: number | null }> {
  let query = db.kysely.selectFrom('audit_entries').select(['id', 'actor', 'action', 'ticket_id', 'before', 'after', 'created_at']);
  if (q.ticketId !== undefined) query = query.where('ticket_id', '=', q.ticketId);
  if (q.actor !== undefined) query = query.where('actor', '=', q.actor);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  const rows = await query.orderBy('id', 'desc').limit(q.limit + 1).execute();
  const items = rows.slice(0, q.limit).map((r) => ({
    id: Number(r.id),
    actor: r.actor,
    action: r.action,
    ticketId: r.ticket_id,
    before: (r.before as Record<string, unknown> | null) ?? null,
    after: (r.after as Record<string, unknown> | null) ?? null,
    createdAt: new Date(r.created_at),
  }));
  return { items, next: rows.length > q.limit ? items[items.length - 1]!.id : null };
}
