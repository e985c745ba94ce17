import { defineEntity, p } from '@mikro-orm/core';
import { Ticket } from './ticket.ts';
import { TicketMessage } from './ticket-message.ts';

/** A file that came with a ticket or follow-up. `content` is kept only below the configured size cap. */
export const Attachment = defineEntity({
  name: 'Attachment',
  tableName: 'attachments',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    message: () => p.manyToOne(TicketMessage).nullable().deleteRule('cascade'),
    filename: p.text().nullable(),
    contentType: p.string().length(255),
    size: p.integer(),
    content: p.blob().nullable().lazy(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'attachments_ticket_id_idx', properties: ['ticket'] }],
});
