import { defineEntity, p } from '@mikro-orm/core';
import { SOURCES } from '../../domain/categories.ts';
import { Ticket } from './ticket.ts';

/** A follow-up on a known ticket: an e-mail reply, a helpdesk update or comment. */
export const TicketMessage = defineEntity({
  name: 'TicketMessage',
  tableName: 'ticket_messages',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    source: p.enum(SOURCES),
    externalId: p.string().length(255).nullable(),
    authorEmail: p.string().length(320).nullable(),
    authorName: p.string().length(255).nullable(),
    /** E-mail Reply-To of this follow-up; the author stays the sender (From). */
    replyTo: p.string().length(320).nullable(),
    subject: p.text().nullable(),
    body: p.text(),
    fullBody: p.text().nullable(),
    metadata: p.json<Record<string, unknown>>().nullable(),
    receivedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  uniques: [{ name: 'ticket_messages_source_external_id_unique', properties: ['source', 'externalId'] }],
  indexes: [
    { name: 'ticket_messages_ticket_id_idx', properties: ['ticket'] },
    // Search over follow-ups (src/db/repositories/ticket-search.ts).
    { name: 'ticket_messages_body_trgm_idx', expression: 'create index "ticket_messages_body_trgm_idx" on "ticket_messages" using gin ("body" gin_trgm_ops)' },
    { name: 'ticket_messages_words_idx', expression: `create index "ticket_messages_words_idx" on "ticket_messages" using gin (to_tsvector('simple'::regconfig, left("body", 100000)))` },
  ],
});
