import { defineEntity, p } from '@mikro-orm/core';

/**
 * Ticket counts per UTC day and (category, source, priority, low confidence), kept exact by statement-level
 * triggers on tickets (see the migration that adds this table). Stats read these few thousand rows instead of
 * scanning a million tickets. Empty strings stand for "not yet classified" / "no priority". Rows are split by
writer shard so concurrent commits never wait on one hot row; a shard's counts may go negative (a ticket
counted in by one connection and out by another), only sums over shards mean anything.
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
    /** The writing connection's slot (backend pid mod 16): concurrent transactions update different rows. */
    shard: p.smallint().primary(),
    tickets: p.bigint('number').default(0),
    confidenceSum: p.double().default(0),
    confidenceCount: p.bigint('number').default(0),
  },
});
