/**
 * The inbox door's own rows: the per-mailbox cursor (mailbox_cursors), the audit of mail that created no
 * ticket (inbound_events, source 'email'), and the bounce -> ticket lookup.
 */
import { hasInboundEvent, insertInboundEvent } from '../../db/repositories/inbound-events.ts';
import { ticketIdForEmailMessageIds } from '../../db/repositories/tickets.ts';
import type { Sql } from '../../db/sql.ts';
import { cleanJson, cleanText, textProblem } from '../../ingest/normalize.ts';

export { type Cursor, readCursor, writeCursor } from '../../db/repositories/mailbox-cursors.ts';

export interface MailEvent {
  verdict: 'duplicate' | 'ignored' | 'failed';
  deliveryId: string;
  reason: string;
  ticketId?: number | null;
  size?: number;
  payload?: string | null;
  metadata?: Record<string, unknown>;
}

/**
 * Records a mail that created no ticket. Ignored/failed mail is recorded once per Message-ID even when a
 * restart re-reads it; every skipped duplicate delivery is recorded (that is the audit of the skip).
 */
export async function recordMailEvent(sql: Sql, e: MailEvent): Promise<void> {
  // Subjects and ids come from the mail: NUL or lone surrogates would make PostgreSQL refuse the row.
  const deliveryId = cleanText(e.deliveryId).slice(0, 255);
  if (e.verdict !== 'duplicate') {
    if (await hasInboundEvent(sql, 'email', deliveryId, e.verdict)) return;
  }
  await insertInboundEvent(sql, {
    source: 'email',
    deliveryId,
    verdict: e.verdict,
    reason: cleanText(e.reason),
    ticketId: e.ticketId ?? null,
    size: e.size ?? 0,
    payload: e.payload ? cleanText(e.payload) : null,
    metadata: cleanJson(e.metadata ?? {}) as Record<string, unknown>,
  });
}

/** The ticket a bounce concerns: any message id it names that we stored as a ticket or follow-up. */
export async function ticketForMessageIds(sql: Sql, named: string[]): Promise<number | null> {
  const ids = named.filter((id) => !textProblem(id)); // one PostgreSQL cannot hold matches nothing stored
  if (!ids.length) return null;
  return ticketIdForEmailMessageIds(sql, ids);
}
