/** Legal holds placed and released by a person: each one an audit entry (the address is never in it). */
import type { Database } from '../db/database.ts';
import { appendAudit } from '../db/repositories/audit-entries.ts';
import { type LegalHoldRow, placeHold, releaseHold } from '../db/repositories/legal-holds.ts';
import { getTicket } from '../db/repositories/tickets.ts';

export type HoldTarget = { ticketId: number } | { email: string };

/** Null when the ticket does not exist. */
export async function holdFor(db: Database, target: HoldTarget, reason: string | null, actor: string): Promise<{ hold: LegalHoldRow; created: boolean } | null> {
  return db.transaction(async (tx) => {
    if ('ticketId' in target && !(await getTicket(tx, target.ticketId))) return null;
    const placed = await placeHold(tx, { ...('ticketId' in target ? { ticketId: target.ticketId } : { email: target.email.trim().toLowerCase() }), reason, createdBy: actor });
    if (placed.created) {
      await appendAudit(tx, { actor, action: 'legal_hold', ticketId: placed.hold.ticketId, before: null, after: { hold_id: placed.hold.id, kind: placed.hold.kind } });
    }
    return placed;
  });
}

export async function release(db: Database, id: number, actor: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const gone = await releaseHold(tx, id);
    if (!gone) return false;
    await appendAudit(tx, { actor, action: 'legal_hold_released', ticketId: gone.ticketId, before: { hold_id: gone.id, kind: gone.kind }, after: null });
    return true;
  });
}
