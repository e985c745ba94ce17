import { defineEntity, p } from '@mikro-orm/core';

/**
 * Stopped SLA clocks per UTC day of start (the ticket's creation), priority, clock and outcome, kept exact by
 * statement-level triggers on ticket_slas (the migration that adds this table defines what a clock adds:
 * sla_daily_outcomes_of). Running clocks are not here: whether one is overdue depends on when one asks.
 * Split by writer shard; only sums over shards mean anything.
 */
export const SlaDailyOutcome = defineEntity({
  name: 'SlaDailyOutcome',
  tableName: 'sla_daily_outcomes',
  properties: {
    day: p.date().primary(),
    priority: p.string().length(16).primary(),
    /** first_response or resolution. */
    clock: p.string().length(16).primary(),
    /** met or breached. */
    outcome: p.string().length(8).primary(),
    shard: p.smallint().primary(),
    tickets: p.bigint('number').default(0),
  },
});
