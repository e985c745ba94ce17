/** The status history of tickets (ticket_status_changes): who resolved, reopened, or moved a ticket, when. */
import type { Sql } from '../sql.ts';

export interface StatusChangeRow {
  id: number;
  from: string;
  to: string;
  actor: string;
  createdAt: Date;
}

export async function insertStatusChange(tx: Sql, c: { ticketId: number; from: string; to: string; actor: string }): Promise<void> {
  await tx.kysely.insertInto('ticket_status_changes').values({ ticket_id: c.ticketId, from_status: c.from, to_status: c.to, actor: c.actor.slice(0, 255) }).execute();
}

export async function listStatusChanges(db: Sql, ticketId: number): Promise<StatusChangeRow[]> {
  const rows = await db.kysely
    .selectFrom('ticket_status_changes')
    .select(['id', 'from_status', 'to_status', 'actor', 'created_at'])
    .where('ticket_id', '=', ticketId)
    .orderBy('id', 'asc')
    .execute();
  return rows.map((r) => ({ id: r.id, from: r.from_status, to: r.to_status, actor: r.actor, createdAt: new Date(r.created_at) }));
}
