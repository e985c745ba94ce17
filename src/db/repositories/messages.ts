/** Follow-up messages of a ticket (ticket_messages). */
import { sql } from 'kysely';
import type { InboundMessage } from '../../domain/inbound-message.ts';
import { jsonb, type Sql } from '../sql.ts';

export async function listMessages(db: Sql, ticketId: number) {
  return db.kysely
    .selectFrom('ticket_messages')
    .select(['id', 'source', 'author_email', 'author_name', 'reply_to', 'subject', 'body', 'received_at', 'created_at'])
    .select(sql<string | null>`metadata->>'merged_from'`.as('merged_from'))
    .where('ticket_id', '=', ticketId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export type MessageRow = Awaited<ReturnType<typeof listMessages>>[number];

/** Stores a follow-up; returns null when (source, external_id) is already stored (a redelivery). */
export async function insertFollowup(tx: Sql, ticketId: number, m: InboundMessage): Promise<number | null> {
  const row = await tx.kysely
    .insertInto('ticket_messages')
    .values({
      ticket_id: ticketId,
      source: m.source,
      external_id: m.externalId ?? null,
      author_email: m.requesterEmail ?? null,
      author_name: m.requesterName ?? null,
      subject: m.subject ?? null,
      body: m.body,
      full_body: m.fullBody ?? null,
      metadata: jsonb(m.metadata),
      received_at: m.receivedAt ?? null,
      reply_to: m.replyTo ?? null,
    })
    .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** For the follow-up alert: who wrote, what, and when (epoch ms). */
export async function findMessageForAlert(db: Sql, messageId: number) {
  return db.kysely
    .selectFrom('ticket_messages')
    .select(['source', 'author_name', 'author_email', 'subject', 'body', sql<number>`extract(epoch from created_at) * 1000`.as('ms')])
    .where('id', '=', messageId)
    .executeTakeFirst();
}
