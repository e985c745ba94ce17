/**
 * New tickets as ingest stores them: one multi-row INSERT per group commit (the ingest hot path), with
 * (source, external_id) deduplication. `customerIds[i]` is the customer of `messages[i]` (src/ingest/customers.ts). Reading and changing tickets is in tickets.ts.
 */
import type { InboundMessage } from '../../domain/inbound-message.ts';
import type { Sql } from '../sql.ts';

const TICKET_COLUMNS = [
  'source', 'external_id', 'subject', 'body', 'full_body', 'requester_email', 'requester_name', 'participants',
  'original_queue', 'original_priority', 'priority', 'tags', 'metadata', 'received_at', 'reply_to',
  'customer_id',
] as const;

function ticketValues(m: InboundMessage, customerId: number | null): unknown[] {
  return [
    m.source, m.externalId ?? null, m.subject ?? null, m.body, m.fullBody ?? null, m.requesterEmail ?? null,
    m.requesterName ?? null, m.participants?.length ? JSON.stringify(m.participants) : null, m.originalQueue ?? null,
    m.originalPriority ?? null, m.priority ?? null, m.tags?.length ? JSON.stringify(m.tags) : null,
    m.metadata ? JSON.stringify(m.metadata) : null, m.receivedAt ?? null, m.replyTo ?? null, customerId,
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
export async function insertTickets(tx: Sql, messages: InboundMessage[], customerIds: (number | null)[] = []): Promise<StoredTicket[]> {
  // Text built here, not by the query builder: this is the ingest hot path (up to 200 rows, 15 columns each).
  const width = TICKET_COLUMNS.length;
  const params: unknown[] = [];
  const rows = messages.map((m, r) => {
    params.push(...ticketValues(m, customerIds[r] ?? null));
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
