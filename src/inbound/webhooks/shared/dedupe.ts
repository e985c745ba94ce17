import { findStoredDeliveryTicket } from '../../../db/repositories/inbound-events.ts';
import { findTicketIdByExternalId } from '../../../db/repositories/tickets.ts';
import type { Sql } from '../../../db/sql.ts';
import type { Source } from '../../../domain/categories.ts';

/**
 * Dedupe for deliveries whose meaning depends on what we already hold (`update` deliveries): ingest dedupes
 * on (source, externalId), but the first copy of an update for an unknown ticket becomes a ticket keyed by the
 * provider ticket id, and a second copy would then look like a follow-up. So the delivery id is checked
 * against earlier stored deliveries first. Creations need none of this: their key is the ticket id.
 */
export async function findStoredDelivery(sql: Sql, source: string, deliveryId: string): Promise<number | null | undefined> {
  return findStoredDeliveryTicket(sql, source, deliveryId.slice(0, 255));
}

/** Our id of the (not deleted) ticket this source opened under `externalTicketId`, if we hold it. */
export async function findTicketByExternalId(sql: Sql, source: Source, externalTicketId: string): Promise<number | undefined> {
  return findTicketIdByExternalId(sql, source, externalTicketId);
}
