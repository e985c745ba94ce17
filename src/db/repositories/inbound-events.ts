/** The audit trail (inbound_events): every delivery of every door, with ingest's verdict (src/ingest/audit.ts). */
import { sql } from 'kysely';
import type { Sql } from '../sql.ts';

export interface InboundEventRow {
  source: string;
  deliveryId: string | null;
  verdict: string;
  reason: string | null;
  ticketId: number | null;
  size: number;
  payload: string | null;
  metadata: Record<string, unknown> | null;
}

/**
 * Inserts a group of events in ONE statement (ingest writes a group commit's rows at once):
 * eight array parameters, whatever the group's size.
 */
export async function insertInboundEvents(db: Sql, rows: InboundEventRow[]): Promise<void> {
  if (!rows.length) return;
  const column = <K extends keyof InboundEventRow>(k: K) => rows.map((r) => r[k]);
  const metadata = rows.map((r) => (r.metadata ? JSON.stringify(r.metadata) : null));
  await sql`insert into inbound_events (source, delivery_id, verdict, reason, ticket_id, size, payload, metadata)
    select * from unnest(${column('source')}::text[], ${column('deliveryId')}::text[], ${column('verdict')}::text[],
      ${column('reason')}::text[], ${column('ticketId')}::int[], ${column('size')}::int[], ${column('payload')}::text[], ${metadata}::jsonb[])`.execute(db.kysely);
}

export async function hasInboundEvent(db: Sql, source: string, deliveryId: string, verdict: string): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('inbound_events')
    .select(sql<number>`1`.as('one'))
    .where('source', '=', source)
    .where('delivery_id', '=', deliveryId)
    .where('verdict', '=', verdict)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The ticket of the first stored delivery with this id that reached a ticket (accepted, follow-up or
 * duplicate), or undefined when none is stored.
 */
export async function findStoredDeliveryTicket(db: Sql, source: string, deliveryId: string): Promise<number | undefined> {
  const row = await db.kysely
    .selectFrom('inbound_events')
    .select('ticket_id')
    .where('source', '=', source)
    .where('delivery_id', '=', deliveryId.slice(0, 255))
    .where('verdict', 'in', ['accepted', 'followup', 'duplicate'])
    .where('ticket_id', 'is not', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.ticket_id ?? undefined;
}
