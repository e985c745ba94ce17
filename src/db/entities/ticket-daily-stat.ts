import { defineEntity, p } from '@mikro-orm/core';

/**
 * Ticket counts per UTC day and (category, source, priority, low confidence), kept exact by statement-level
 * triggers on tickets (see the migration that adds this table). Stats read these few thousand rows instead of
 * scanning a million tickets. Empty strings stand for "not yet classified" / "no priority".
 */
export const TicketDailyStat = defineEntity({
  name: 'TicketDailyStat',
  tableName: 'ticket_daily_stats',
  properties: {
    day: p.date().primary(),
    category: p.string().length(16).primary(),
    source: p.string().length(20).primary(),
    priority: p.string().length(16).primary(),
    lowConfidence: p.boolean().primary(),
    tickets: p.bigint('number').default(0),
    confidenceSum: p.double().default(0),
    confidenceCount: p.bigint('number').default(0),
  },
});
