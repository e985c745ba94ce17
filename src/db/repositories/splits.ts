/**
 * Splitting follow-ups out of a ticket into a new one (the rules: src/ingest/splits.ts). The first chosen
 * message becomes the new ticket's own text (its external id too, so replies to it find the new ticket), the
 * others its follow-ups; their attachments go with them.
 */
import { sql } from 'kysely';
import type { Sql } from '../sql.ts';

export interface SplitMessage {
  id: number;
  source: string;
  external_id: string | null;
  author_email: string | null;
  author_name: string | null;
  reply_to: string | null;
  subject: string | null;
  body: string;
  full_body: string | null;
  received_at: Date | null;
  created_at: Date;
  /** Carried or moved by a merge in force: the merge's undo owns it. */
  in_merge: boolean;
}

/** The ticket's follow-ups among `ids`, locked, oldest first. */
export async function lockFollowups(tx: Sql, ticketId: number, ids: number[]): Promise<SplitMessage[]> {
  const { rows } = await sql<SplitMessage>`
    select m.id, m.source, m.external_id, m.author_email, m.author_name, m.reply_to, m.subject, m.body, m.full_body, m.received_at, m.created_at,
           (m.metadata ? 'merged_from' or exists (select 1 from ticket_merges g where g.undone_at is null and g.target_ticket_id = m.ticket_id
                                                   and g.moved_message_ids @> to_jsonb(m.id))) as in_merge
      from ticket_messages m
     where m.ticket_id = ${ticketId} and m.id = any(${ids}::int[])
     order by m.created_at, m.id
       for update of m`.execute(tx.kysely);
  return rows;
}

/** The new ticket, from the first message and the original's subject and metadata; returns its id. */
export async function insertSplitTicket(tx: Sql, from: { ticketId: number; first: SplitMessage; customerId: number | null }): Promise<number> {
  const f = from.first;
  const row = await tx.kysely
    .insertInto('tickets')
    .columns(['source', 'external_id', 'subject', 'body', 'full_body', 'requester_email', 'requester_name', 'reply_to', 'received_at', 'created_at', 'customer_id', 'split_from_id', 'metadata'])
    .expression((eb) =>
      eb
        .selectFrom('tickets')
        .select([
          sql<string>`${f.source}`.as('source'), sql<string | null>`${f.external_id}`.as('external_id'),
          sql<string | null>`coalesce(${f.subject}::text, tickets.subject)`.as('subject'), sql<string>`${f.body}`.as('body'), sql<string | null>`${f.full_body}`.as('full_body'),
          sql<string | null>`coalesce(${f.author_email}::text, tickets.requester_email)`.as('requester_email'),
          sql<string | null>`case when ${f.author_email}::text is null then coalesce(${f.author_name}::text, tickets.requester_name) else ${f.author_name}::text end`.as('requester_name'),
          sql<string | null>`${f.reply_to}`.as('reply_to'), sql<Date | null>`${f.received_at}::timestamptz`.as('received_at'), sql<Date>`${f.created_at}::timestamptz`.as('created_at'),
          sql<number | null>`coalesce(${from.customerId}::int, case when ${f.author_email}::text is null then tickets.customer_id end)`.as('customer_id'),
          'id as split_from_id',
          // Where the original came in (a mailbox, a Slack channel) is where the split part came in too.
          sql<unknown>`tickets.metadata`.as('metadata'),
        ])
        .where('id', '=', from.ticketId),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Moves the first message into the new ticket (as its text) and the rest as its follow-ups, attachments along. */
export async function moveSplitMessages(tx: Sql, newTicketId: number, first: number, rest: number[]): Promise<void> {
  await tx.kysely.updateTable('attachments').set({ ticket_id: newTicketId, message_id: null }).where('message_id', '=', first).execute();
  await tx.kysely.deleteFrom('ticket_messages').where('id', '=', first).execute();
  if (!rest.length) return;
  await tx.kysely.updateTable('ticket_messages').set({ ticket_id: newTicketId }).where('id', 'in', rest).execute();
  await tx.kysely.updateTable('attachments').set({ ticket_id: newTicketId }).where('message_id', 'in', rest).execute();
}

/** Tickets split out of this one (newest last). */
export async function splitInto(db: Sql, ticketId: number): Promise<number[]> {
  const rows = await db.kysely.selectFrom('tickets').select('id').where('split_from_id', '=', ticketId).where('deleted_at', 'is', null).orderBy('id').execute();
  return rows.map((r) => r.id);
}
