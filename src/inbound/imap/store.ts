/**
 * The inbox door's own rows: the per-mailbox cursor (mailbox_cursors), the audit of mail that created no
 * ticket (inbound_events, source 'email'), and the bounce -> ticket lookup.
 */
import type { Sql } from '../../db/sql.ts';
import { cleanJson, cleanText, textProblem } from '../../ingest/normalize.ts';

export interface Cursor {
  uidValidity: bigint;
  lastUid: number;
}

export async function readCursor(sql: Sql, key: string): Promise<Cursor | null> {
  const rows = await sql.query<{ uid_validity: string; last_uid: string | number }>(
    'select uid_validity::text as uid_validity, last_uid from mailbox_cursors where mailbox = $1',
    [key],
  );
  const row = rows[0];
  return row ? { uidValidity: BigInt(row.uid_validity), lastUid: Number(row.last_uid) } : null;
}

export async function writeCursor(sql: Sql, key: string, cursor: Cursor): Promise<void> {
  await sql.query(
    `insert into mailbox_cursors (mailbox, uid_validity, last_uid, updated_at) values ($1, $2, $3, now())
     on conflict (mailbox) do update set uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = now()`,
    [key, cursor.uidValidity.toString(), cursor.lastUid],
  );
}

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
    const seen = await sql.query(
      `select 1 from inbound_events where source = 'email' and delivery_id = $1 and verdict = $2 limit 1`,
      [deliveryId, e.verdict],
    );
    if (seen.length) return;
  }
  await sql.query(
    `insert into inbound_events (source, delivery_id, verdict, reason, ticket_id, size, payload, metadata, created_at)
     values ('email', $1, $2, $3, $4, $5, $6, $7::jsonb, now())`,
    [deliveryId, e.verdict, cleanText(e.reason), e.ticketId ?? null, e.size ?? 0, e.payload ? cleanText(e.payload) : null, JSON.stringify(cleanJson(e.metadata ?? {}))],
  );
}

/** The ticket a bounce concerns: any message id it names that we stored as a ticket or follow-up. */
export async function ticketForMessageIds(sql: Sql, named: string[]): Promise<number | null> {
  const ids = named.filter((id) => !textProblem(id)); // one PostgreSQL cannot hold matches nothing stored
  if (!ids.length) return null;
  const rows = await sql.query<{ id: number }>(
    `select id from tickets where source = 'email' and external_id = any($1::text[]) and deleted_at is null
     union all
     select ticket_id as id from ticket_messages where source = 'email' and external_id = any($1::text[])
     limit 1`,
    [ids],
  );
  return rows[0]?.id ?? null;
}
