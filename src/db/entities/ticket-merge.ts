import { defineEntity, p } from '@mikro-orm/core';
import { Ticket } from './ticket.ts';

/**
 * A ticket merged into another (src/ingest/merges.ts), and what undoing it needs: the follow-ups that moved to
 * the target and the message that carries the source's own text there. The source itself is left as it was,
 * deleted as a ticket of its own (tickets.deleted_at) and pointing at its target (tickets.merged_into_id).
 * At most one merge of a ticket is in force; an undone merge keeps its row (who, when).
 */
export const TicketMerge = defineEntity({
  name: 'TicketMerge',
  tableName: 'ticket_merges',
  properties: {
    id: p.integer().primary().autoincrement(),
    sourceTicket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    targetTicket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    movedMessageIds: p.json<number[]>(),
    carriedMessageId: p.integer().nullable(),
    mergedBy: p.string().length(255),
    mergedAt: p.datetime().defaultRaw('now()'),
    undoneBy: p.string().length(255).nullable(),
    undoneAt: p.datetime().nullable(),
  },
  indexes: [
    { name: 'ticket_merges_source_active_unique', expression: `create unique index "ticket_merges_source_active_unique" on "ticket_merges" ("source_ticket_id") where "undone_at" is null` },
    { name: 'ticket_merges_target_ticket_id_idx', properties: ['targetTicket'] },
  ],
});
