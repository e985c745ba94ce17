import { defineEntity, p } from '@mikro-orm/core';

/**
 * The dashboard's other daily figures (src/db/repositories/dashboard.ts), per UTC day of ticket creation, kept
 * exact by statement-level triggers on tickets like ticket_daily_stats (the migration that adds this table
 * defines what a ticket adds: ticket_daily_figures_of). figure 'open': tickets not resolved (bucket 0), the
 * backlog by age; 'confidence': machine verdicts by tenth of confidence (bucket 0-9). Split by writer shard;
 * only sums over shards mean anything.
 */
export const TicketDailyFigure = defineEntity({
  name: 'TicketDailyFigure',
  tableName: 'ticket_daily_figures',
  properties: {
    figure: p.string().length(16).primary(),
    day: p.date().primary(),
    bucket: p.smallint().primary(),
    shard: p.smallint().primary(),
    tickets: p.bigint('number').default(0),
  },
});
