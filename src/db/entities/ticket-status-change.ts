import { defineEntity, p } from '@mikro-orm/core';
import { Ticket } from './ticket.ts';

/**
 * One change of a ticket's status made by someone (resolved, reopened, waiting on the customer after a reply,
 * open again when the customer answered): from what to what, who, when. Append-only; the ticket's story.
 */
export const TicketStatusChange = defineEntity({
  name: 'TicketStatusChange',
  tableName: 'ticket_status_changes',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    fromStatus: p.string().length(32),
    toStatus: p.string().length(32),
    actor: p.string().length(255),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'ticket_status_changes_ticket_id_idx', properties: ['ticket'] }],
});
