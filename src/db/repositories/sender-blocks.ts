/**
 * Blocked senders (sender_blocks) and the messages kept as spam under them: the deliveries' audit rows with
 * verdict `suppressed` (inbound_events; src/ingest/sender-blocks.ts writes them).
 */
import type { ActiveBlock, BlockSubject } from '../../domain/sender-block.ts';
import type { Sql } from '../sql.ts';

export interface SenderBlockRow extends ActiveBlock {
  blockedBy: string;
  ticketId: number | null;
  createdAt: Date;
  unblockedBy: string | null;
  unblockedAt: Date | null;
  suppressed: number;
  lastSuppressedAt: Date | null;
}

type Raw = {
  id: number; kind: 'email' | 'domain'; value: string; blocked_by: string; ticket_id: number | null; created_at: Date | string;
  unblocked_by: string | null; unblocked_at: Date | string | null; suppressed: number; last_suppressed_at: Date | string | null;
};

const date = (v: Date | string | null) => (v === null ? null : new Date(v));
const toRow = (r: Raw): SenderBlockRow => ({
  id: Number(r.id), kind: r.kind, value: r.value, blockedBy: r.blocked_by, ticketId: r.ticket_id === null ? null : Number(r.ticket_id),
  createdAt: new Date(r.created_at), unblockedBy: r.unblocked_by, unblockedAt: date(r.unblocked_at), suppressed: Number(r.suppressed),
  lastSuppressedAt: date(r.last_suppressed_at),
});

/** The blocks in force (what ingest checks every message against). */
export async function activeBlocks(db: Sql): Promise<ActiveBlock[]> {
  const rows = await db.query<{ id: number; kind: 'email' | 'domain'; value: string }>('select id, kind, value from sender_blocks where unblocked_at is null order by id');
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind, value: r.value }));
}

/** Blocks newest first; with `ended`, the ended ones too. */
export async function listBlocks(db: Sql, options: { ended?: boolean; limit?: number } = {}): Promise<SenderBlockRow[]> {
  const rows = await db.query<Raw>(
    `select * from sender_blocks ${options.ended ? '' : 'where unblocked_at is null'} order by id desc limit $1`,
    [options.limit ?? 500],
  );
  return rows.map(toRow);
}

export async function getBlock(db: Sql, id: number): Promise<SenderBlockRow | undefined> {
  const [row] = await db.query<Raw>('select * from sender_blocks where id = $1', [id]);
  return row ? toRow(row) : undefined;
}

/** Blocks the subject; when it is blocked already, that block is returned with `created` false. */
export async function insertBlock(tx: Sql, subject: BlockSubject, by: string, ticketId: number | null): Promise<{ block: SenderBlockRow; created: boolean }> {
  const [made] = await tx.query<Raw>(
    `insert into sender_blocks (kind, value, blocked_by, ticket_id) values ($1, $2, $3, $4)
     on conflict (kind, value) where unblocked_at is null do nothing returning *`,
    [subject.kind, subject.value, by, ticketId],
  );
  if (made) return { block: toRow(made), created: true };
  const [existing] = await tx.query<Raw>('select * from sender_blocks where kind = $1 and value = $2 and unblocked_at is null', [subject.kind, subject.value]);
  return { block: toRow(existing!), created: false };
}

/** Ends a block; false when there is no such block or it has ended already. */
export async function endBlock(tx: Sql, id: number, by: string): Promise<boolean> {
  const rows = await tx.query('update sender_blocks set unblocked_at = now(), unblocked_by = $2 where id = $1 and unblocked_at is null returning id', [id, by]);
  return rows.length > 0;
}

/**
 * Counts messages kept as spam on their blocks (an id once per message), in the transaction that writes their
 * audit rows. The blocks' rows are locked in id order first, so two groups counting on the same blocks wait for
 * each other instead of deadlocking.
 */
export async function countSuppressed(tx: Sql, blockIds: number[]): Promise<void> {
  if (!blockIds.length) return;
  await tx.query('select id from sender_blocks where id = any($1::int[]) order by id for update', [blockIds]);
  await tx.query(
    `update sender_blocks b set suppressed = b.suppressed + c.n, last_suppressed_at = now()
       from (select id, count(*) as n from unnest($1::int[]) id group by id) c where b.id = c.id`,
    [blockIds],
  );
}

/** A door's delivery: its door (inbound_events.source) and its id there. */
export interface DeliveryKey {
  source: string;
  deliveryId: string;
}

/**
 * Which of these deliveries were kept as spam already ("source\ndelivery id"). Their ids are locked for the
 * transaction first (in hash order, so groups do not deadlock), and read after: concurrent copies of one
 * delivery (a door's retry racing the first) are decided one after the other.
 */
export async function keptAsSpamAlready(tx: Sql, keys: DeliveryKey[]): Promise<Set<string>> {
  if (!keys.length) return new Set();
  const sources = keys.map((k) => k.source);
  const ids = keys.map((k) => k.deliveryId);
  await tx.query(
    `select pg_advisory_xact_lock(h) from (select distinct hashtextextended('spam:' || s || ':' || d, 0) as h
       from unnest($1::text[], $2::text[]) k(s, d) order by h) l`,
    [sources, ids],
  );
  const rows = await tx.query<{ source: string; delivery_id: string }>(
    `select distinct e.source, e.delivery_id
       from inbound_events e join unnest($1::text[], $2::text[]) k(s, d) on e.source = k.s and e.delivery_id = k.d
      where e.verdict = 'suppressed'`,
    [sources, ids],
  );
  return new Set(rows.map((r) => `${r.source}\n${r.delivery_id}`));
}

export interface SpamMessage {
  id: number;
  door: string;
  receivedAt: Date;
  from: string | null;
  name: string | null;
  subject: string | null;
  excerpt: string | null;
}

/** The messages kept as spam, newest first (what the console's Spam view lists). */
export async function listSpam(db: Sql, limit = 100): Promise<SpamMessage[]> {
  const rows = await db.query<{ id: number; source: string; created_at: Date | string; spam: Record<string, unknown> | null }>(
    `select id, source, created_at, metadata->'spam' as spam from inbound_events where verdict = 'suppressed' order by id desc limit $1`,
    [limit],
  );
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return rows.map((r) => ({
    id: Number(r.id), door: r.source, receivedAt: new Date(r.created_at),
    from: text(r.spam?.from), name: text(r.spam?.name), subject: text(r.spam?.subject), excerpt: text(r.spam?.excerpt),
  }));
}

/** Whether a block in force covers the address (its own, or its domain or a parent domain), read now, not from a cache. */
export async function blockCovers(db: Sql, email: string): Promise<boolean> {
  const rows = await db.query(
    `select 1 from sender_blocks where unblocked_at is null
        and ((kind = 'email' and value = lower($1))
          or (kind = 'domain' and (split_part(lower($1), '@', 2) = value or split_part(lower($1), '@', 2) like '%.' || value)))
      limit 1`,
    [email],
  );
  return rows.length > 0;
}
