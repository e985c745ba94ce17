/**
 * Merging a ticket into another and undoing it (the rules: src/ingest/merges.ts). A merge moves the source's
 * follow-ups and attachments to the target, carries the source's own text there as a message, and marks the
 * source deleted with a pointer (tickets.merged_into_id); ticket_merges remembers what moved, so an undo puts
 * exactly that back.
 */
import { sql } from 'kysely';
import type { Sql } from '../sql.ts';

export interface MergeParty {
  id: number;
  customer_id: number | null;
  requester_email: string | null;
  deleted_at: Date | string | null;
  merged_into_id: number | null;
}

/** Both tickets, locked in id order (two merges of the same pair in opposite directions queue, never deadlock). */
export async function lockMergeParties(tx: Sql, ids: number[]): Promise<Map<number, MergeParty>> {
  const rows = await tx.kysely
    .selectFrom('tickets')
    .select(['id', 'customer_id', 'requester_email', 'deleted_at', 'merged_into_id'])
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Moves the source's follow-ups to the target; returns their ids. */
export async function moveFollowups(tx: Sql, sourceId: number, targetId: number): Promise<number[]> {
  const rows = await tx.kysely.updateTable('ticket_messages').set({ ticket_id: targetId }).where('ticket_id', '=', sourceId).returning('id').execute();
  const ids = rows.map((r) => r.id).sort((a, b) => a - b);
  if (ids.length) await tx.kysely.updateTable('attachments').set({ ticket_id: targetId }).where('message_id', 'in', ids).execute();
  return ids;
}

/**
 * The source's own text as a message of the target, dated as the source was, with the source's own
 * attachments on it. No external id: the source keeps its own, and its thread finds the target through the
 * source's pointer (src/ingest/thread.ts).
 */
export async function carrySourceText(tx: Sql, sourceId: number, targetId: number): Promise<number> {
  const row = await tx.kysely
    .insertInto('ticket_messages')
    .columns(['ticket_id', 'source', 'author_email', 'author_name', 'reply_to', 'subject', 'body', 'full_body', 'metadata', 'received_at', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('tickets')
        .select([
          sql<number>`${targetId}::int`.as('ticket_id'), 'source', 'requester_email', 'requester_name', 'reply_to', 'subject', 'body', 'full_body',
          sql<string>`jsonb_build_object('merged_from', id)`.as('metadata'), 'received_at', 'created_at',
        ])
        .where('id', '=', sourceId),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.kysely.updateTable('attachments').set({ ticket_id: targetId, message_id: row.id }).where('ticket_id', '=', sourceId).where('message_id', 'is', null).execute();
  return row.id;
}

/** The source leaves lists, stats and clocks as a deleted ticket would; updated_at stays, so an undo leaves it as it was. */
export async function markMerged(tx: Sql, sourceId: number, targetId: number): Promise<void> {
  await tx.kysely.updateTable('tickets').set({ deleted_at: sql<Date>`now()`, merged_into_id: targetId }).where('id', '=', sourceId).execute();
}

export async function insertMerge(tx: Sql, m: { sourceId: number; targetId: number; moved: number[]; carried: number; actor: string }): Promise<{ id: number; merged_at: Date }> {
  return tx.kysely
    .insertInto('ticket_merges')
    .values({ source_ticket_id: m.sourceId, target_ticket_id: m.targetId, moved_message_ids: sql<number[]>`${JSON.stringify(m.moved)}::jsonb`, carried_message_id: m.carried, merged_by: m.actor })
    .returning(['id', 'merged_at'])
    .executeTakeFirstOrThrow();
}

export interface MergeRow {
  id: number;
  source_ticket_id: number;
  target_ticket_id: number;
  moved_message_ids: number[];
  carried_message_id: number | null;
  merged_by: string;
  merged_at: Date;
}

/** The merge of this ticket in force, locked; undefined when it is not merged. */
export async function lockActiveMerge(tx: Sql, sourceId: number): Promise<MergeRow | undefined> {
  return tx.kysely
    .selectFrom('ticket_merges')
    .select(['id', 'source_ticket_id', 'target_ticket_id', 'moved_message_ids', 'carried_message_id', 'merged_by', 'merged_at'])
    .where('source_ticket_id', '=', sourceId)
    .where('undone_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

/** Puts back what the merge moved (from wherever it is now: the target may have been merged on since). */
export async function undoMergeRows(tx: Sql, m: MergeRow, actor: string): Promise<void> {
  const source = m.source_ticket_id;
  if (m.carried_message_id !== null) {
    await tx.kysely.updateTable('attachments').set({ ticket_id: source, message_id: null }).where('message_id', '=', m.carried_message_id).execute();
    await tx.kysely.deleteFrom('ticket_messages').where('id', '=', m.carried_message_id).execute();
  }
  if (m.moved_message_ids.length) {
    await tx.kysely.updateTable('ticket_messages').set({ ticket_id: source }).where('id', 'in', m.moved_message_ids).execute();
    await tx.kysely.updateTable('attachments').set({ ticket_id: source }).where('message_id', 'in', m.moved_message_ids).execute();
  }
  await tx.kysely.updateTable('tickets').set({ deleted_at: null, merged_into_id: null }).where('id', '=', source).execute();
  await tx.kysely.updateTable('ticket_merges').set({ undone_by: actor, undone_at: sql<Date>`now()` }).where('id', '=', m.id).execute();
}

/** Where a merged ticket's messages are now: its target, or the target's own target, ... (null: not merged, or gone). */
export async function liveTargetOf(db: Sql, ticketId: number): Promise<number | null> {
  const rows = await db.query<{ id: number }>(
    `with recursive chain(id, merged_into_id, deleted_at, depth) as (
       select id, merged_into_id, deleted_at, 0 from tickets where id = $1
       union all
       select t.id, t.merged_into_id, t.deleted_at, c.depth + 1 from chain c join tickets t on t.id = c.merged_into_id where c.depth < 20
     )
     select id from chain where depth > 0 and deleted_at is null limit 1`,
    [ticketId],
  );
  return rows[0]?.id ?? null;
}

/** A merged ticket's pointer: the merge in force (for GET of the source). */
export async function mergeOfSource(db: Sql, sourceId: number): Promise<{ id: number; target_ticket_id: number; merged_by: string; merged_at: Date } | undefined> {
  return db.kysely
    .selectFrom('ticket_merges')
    .select(['id', 'target_ticket_id', 'merged_by', 'merged_at'])
    .where('source_ticket_id', '=', sourceId)
    .where('undone_at', 'is', null)
    .executeTakeFirst();
}

/** False once the merge was undone (or is gone with its tickets): its Slack notes are not posted any more. */
export async function mergeInForce(db: Sql, mergeId: number): Promise<boolean> {
  const row = await db.kysely.selectFrom('ticket_merges').select('id').where('id', '=', mergeId).where('undone_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}
