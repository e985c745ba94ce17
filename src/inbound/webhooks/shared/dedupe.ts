import type { Sql } from '../../../db/sql.ts';

/**
 * Dedupe for deliveries whose meaning depends on what we already hold (`update` deliveries): ingest dedupes
 * on (source, externalId), but the first copy of an update for an unknown ticket becomes a ticket keyed by the
 * provider ticket id, and a second copy would then look like a follow-up. So the delivery id is checked
 * against earlier stored deliveries first. Creations need none of this: their key is the ticket id.
 */
export async function findStoredDelivery(sql: Sql, source: string, deliveryId: string): Promise<number | null | undefined> {
  const rows = await sql.query<{ ticket_id: number | null }>(
    `select ticket_id from inbound_events
      where source = $1 and delivery_id = $2 and verdict in ('accepted', 'followup', 'duplicate')
      order by id limit 1`,
    [source, deliveryId.slice(0, 255)],
  );
  return rows.length ? (rows[0]!.ticket_id ?? null) : undefined;
}

/** Our id of the (not deleted) ticket this source opened under `externalTicketId`, if we hold it. */
export async function findTicketByExternalId(sql: Sql, source: string, externalTicketId: string): Promise<number | undefined> {
  const rows = await sql.query<{ id: number }>('select id from tickets where source = $1 and external_id = $2 and deleted_at is null limit 1', [
    source,
    externalTicketId,
  ]);
  return rows[0]?.id;
}
