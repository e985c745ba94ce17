/** The SQL that stores inbound messages. Runs inside the caller's transaction. */
import type { Sql } from '../db/sql.ts';
import type { InboundAttachment, InboundMessage } from '../domain/inbound-message.ts';

const TICKET_COLUMNS = [
  'source', 'external_id', 'subject', 'body', 'full_body', 'requester_email', 'requester_name', 'participants',
  'original_queue', 'original_priority', 'priority', 'tags', 'metadata', 'received_at', 'reply_to',
] as const;

function ticketValues(m: InboundMessage): unknown[] {
  return [
    m.source, m.externalId ?? null, m.subject ?? null, m.body, m.fullBody ?? null, m.requesterEmail ?? null,
    m.requesterName ?? null, m.participants?.length ? JSON.stringify(m.participants) : null, m.originalQueue ?? null,
    m.originalPriority ?? null, m.priority ?? null, m.tags?.length ? JSON.stringify(m.tags) : null,
    m.metadata ? JSON.stringify(m.metadata) : null, m.receivedAt ?? null, m.replyTo ?? null,
  ];
}

export interface StoredTicket {
  ticketId: number;
  created: boolean;
}

/**
 * Inserts tickets in one statement. A (source, external_id) already stored is not inserted again: its
 * existing id comes back with created=false. Results are in input order.
 */
export async function insertTickets(tx: Sql, messages: InboundMessage[]): Promise<StoredTicket[]> {
  const width = TICKET_COLUMNS.length;
  const params: unknown[] = [];
  const rows = messages.map((m, r) => {
    params.push(...ticketValues(m));
    const cells = TICKET_COLUMNS.map((col, c) => {
      const p = `$${r * width + c + 1}`;
      return col === 'participants' || col === 'tags' || col === 'metadata' ? `${p}::jsonb` : p;
    });
    return `(${cells.join(', ')})`;
  });
  const inserted = await tx.query<{ id: number; source: string; external_id: string | null }>(
    `insert into tickets (${TICKET_COLUMNS.join(', ')}) values ${rows.join(', ')}
     on conflict (source, external_id) do nothing returning id, source, external_id`,
    params,
  );
  // Ids come from one sequence in VALUES order, so sorting by id restores the input order of new rows.
  inserted.sort((a, b) => a.id - b.id);
  const byKey = new Map<string, number>();
  const anonymous: number[] = [];
  for (const row of inserted) {
    if (row.external_id === null) anonymous.push(row.id);
    else byKey.set(`${row.source}\u0000${row.external_id}`, row.id);
  }
  const results: StoredTicket[] = [];
  const missing: { index: number; source: string; externalId: string }[] = [];
  const claimed = new Set<string>();
  messages.forEach((m, i) => {
    if (!m.externalId) {
      results[i] = { ticketId: anonymous.shift()!, created: true };
      return;
    }
    const key = `${m.source}\u0000${m.externalId}`;
    const id = byKey.get(key);
    if (id !== undefined && !claimed.has(key)) {
      claimed.add(key);
      results[i] = { ticketId: id, created: true };
    } else if (id !== undefined) {
      results[i] = { ticketId: id, created: false }; // the same id twice in one group
    } else {
      missing.push({ index: i, source: m.source, externalId: m.externalId });
    }
  });
  if (missing.length) {
    const existing = await tx.query<{ id: number; source: string; external_id: string }>(
      `select id, source, external_id from tickets t
        join unnest($1::text[], $2::text[]) as k(source, external_id) using (source, external_id)`,
      [missing.map((m) => m.source), missing.map((m) => m.externalId)],
    );
    const found = new Map(existing.map((e) => [`${e.source}\u0000${e.external_id}`, e.id]));
    for (const m of missing) {
      const id = found.get(`${m.source}\u0000${m.externalId}`);
      if (id === undefined) throw new Error(`ticket ${m.source}/${m.externalId} conflicted but cannot be found`);
      results[m.index] = { ticketId: id, created: false };
    }
  }
  return results;
}

/** Stores a follow-up; returns null when (source, external_id) is already stored (a redelivery). */
export async function insertFollowup(tx: Sql, ticketId: number, m: InboundMessage): Promise<number | null> {
  const rows = await tx.query<{ id: number }>(
    `insert into ticket_messages (ticket_id, source, external_id, author_email, author_name, subject, body, full_body, metadata, received_at, reply_to)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
     on conflict (source, external_id) do nothing returning id`,
    [
      ticketId, m.source, m.externalId ?? null, m.requesterEmail ?? null, m.requesterName ?? null, m.subject ?? null,
      m.body, m.fullBody ?? null, m.metadata ? JSON.stringify(m.metadata) : null, m.receivedAt ?? null, m.replyTo ?? null,
    ],
  );
  if (!rows[0]) return null;
  await tx.query('update tickets set updated_at = now() where id = $1', [ticketId]);
  return rows[0].id;
}

export async function insertAttachments(
  tx: Sql,
  ticketId: number,
  messageId: number | null,
  attachments: InboundAttachment[] | undefined,
): Promise<void> {
  for (const a of attachments ?? []) {
    await tx.query(
      'insert into attachments (ticket_id, message_id, filename, content_type, size, content) values ($1, $2, $3, $4, $5, $6)',
      [ticketId, messageId, a.filename, a.contentType, a.size, a.content ?? null],
    );
  }
}

/** Dedupe across tables: a message already stored as a ticket or as a follow-up. */
export async function findStoredMessage(tx: Sql, m: InboundMessage): Promise<{ ticketId: number; messageId?: number } | null> {
  if (!m.externalId) return null;
  const rows = await tx.query<{ ticket_id: number; message_id: number | null }>(
    `select id as ticket_id, null::int as message_id from tickets where source = $1 and external_id = $2
     union all
     select ticket_id, id from ticket_messages where source = $1 and external_id = $2
     limit 1`,
    [m.source, m.externalId],
  );
  const row = rows[0];
  if (!row) return null;
  return row.message_id === null ? { ticketId: row.ticket_id } : { ticketId: row.ticket_id, messageId: row.message_id };
}
