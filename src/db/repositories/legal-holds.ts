/** Legal holds (legal_holds): a ticket or a customer (by address) that erasure and retention leave alone. */
import type { Sql } from '../sql.ts';

export interface LegalHoldRow {
  id: number;
  kind: 'ticket' | 'customer';
  ticketId: number | null;
  email: string | null;
  reason: string | null;
  createdBy: string;
  createdAt: Date;
}

const toRow = (r: { id: number; kind: string; ticket_id: number | null; email: string | null; reason: string | null; created_by: string; created_at: Date | string }): LegalHoldRow => ({
  id: r.id, kind: r.kind as LegalHoldRow['kind'], ticketId: r.ticket_id, email: r.email, reason: r.reason, createdBy: r.created_by, createdAt: new Date(r.created_at),
});

/** Places a hold; an existing hold on the same ticket or address is returned as it is (`created: false`). */
export async function placeHold(tx: Sql, h: { ticketId?: number; email?: string; reason: string | null; createdBy: string }): Promise<{ hold: LegalHoldRow; created: boolean }> {
  const inserted = await tx.kysely
    .insertInto('legal_holds')
    .values({ kind: h.ticketId !== undefined ? 'ticket' : 'customer', ticket_id: h.ticketId ?? null, email: h.email ?? null, reason: h.reason, created_by: h.createdBy.slice(0, 255) })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { hold: toRow(inserted), created: true };
  const existing = await tx.kysely
    .selectFrom('legal_holds')
    .selectAll()
    .where(h.ticketId !== undefined ? 'ticket_id' : 'email', '=', (h.ticketId ?? h.email)!)
    .executeTakeFirstOrThrow();
  return { hold: toRow(existing), created: false };
}

export async function listHolds(db: Sql): Promise<LegalHoldRow[]> {
  return (await db.kysely.selectFrom('legal_holds').selectAll().orderBy('id').execute()).map(toRow);
}

export async function releaseHold(tx: Sql, id: number): Promise<LegalHoldRow | null> {
  const row = await tx.kysely.deleteFrom('legal_holds').where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toRow(row) : null;
}

/** The holds that cover a ticket: its own, or its requester's. */
export async function holdsOfTicket(db: Sql, ticketId: number): Promise<LegalHoldRow[]> {
  const rows = await db.kysely
    .selectFrom('legal_holds as h')
    .selectAll('h')
    .where((eb) => eb.or([
      eb('h.ticket_id', '=', ticketId),
      eb('h.email', 'in', eb.selectFrom('tickets').select((s) => s.fn<string>('lower', ['tickets.requester_email']).as('e')).where('tickets.id', '=', ticketId)),
    ]))
    .execute();
  return rows.map(toRow);
}
