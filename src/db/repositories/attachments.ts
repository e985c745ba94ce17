/** Files that came with a ticket or a follow-up (attachments). */
import { sql } from 'kysely';
import type { InboundAttachment } from '../../domain/inbound-message.ts';
import type { Sql } from '../sql.ts';

/** Without the content: `stored` says whether the bytes were kept. */
export async function listAttachments(db: Sql, ticketId: number) {
  return db.kysely
    .selectFrom('attachments')
    .select(['id', 'message_id', 'filename', 'content_type', 'size', sql<boolean>`content is not null`.as('stored')])
    .where('ticket_id', '=', ticketId)
    .orderBy('id')
    .execute();
}

export type AttachmentRow = Awaited<ReturnType<typeof listAttachments>>[number];

export async function insertAttachments(tx: Sql, ticketId: number, messageId: number | null, attachments: InboundAttachment[] | undefined): Promise<void> {
  for (const a of attachments ?? []) {
    await tx.kysely
      .insertInto('attachments')
      .values({ ticket_id: ticketId, message_id: messageId, filename: a.filename, content_type: a.contentType, size: a.size, content: a.content ?? null })
      .execute();
  }
}
