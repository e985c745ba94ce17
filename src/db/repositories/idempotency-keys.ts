/** REST Idempotency-Key records (idempotency_keys): which ticket a key created, and from which request body. */
import type { Sql } from '../sql.ts';

export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  ticketId: number;
}

export async function findIdempotencyKey(sql: Sql, key: string): Promise<IdempotencyRecord | null> {
  const row = await sql.kysely
    .selectFrom('idempotency_keys')
    .select(['key', 'request_hash', 'ticket_id'])
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? { key: row.key, requestHash: row.request_hash, ticketId: row.ticket_id } : null;
}

/** Inserts the keys in one statement; returns the keys inserted (a key already taken is not). */
export async function insertIdempotencyKeys(tx: Sql, records: IdempotencyRecord[]): Promise<string[]> {
  if (!records.length) return [];
  const rows = await tx.kysely
    .insertInto('idempotency_keys')
    .values(records.map((r) => ({ key: r.key, request_hash: r.requestHash, ticket_id: r.ticketId })))
    .onConflict((oc) => oc.doNothing())
    .returning('key')
    .execute();
  return rows.map((r) => r.key);
}
