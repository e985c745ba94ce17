import { defineEntity, p } from '@mikro-orm/core';
import { Ticket } from './ticket.ts';

/** One change of a ticket's assignee: from whom to whom (null: nobody), who made it, when. Append-only. */
export const TicketAssignment = defineEntity({
  name: 'TicketAssignment',
  tableName: 'ticket_assignments',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    fromSlackUserId: p.string().length(32).nullable(),
    toSlackUserId: p.string().length(32).nullable(),
    actor: p.string().length(255),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'ticket_assignments_ticket_id_idx', properties: ['ticket'] }],
});
