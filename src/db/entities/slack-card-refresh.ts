import { defineEntity, p } from '@mikro-orm/core';

/**
 * A card edit waiting to be sent (slack/jobs/card-refresh.ts): the activity lines not yet on the ticket's card
 * and a version that moves with every request. Many changes of one ticket before the edit goes out become one
 * edit, rendered from the ticket as it is then; the row is gone once the card shows all of them. The job
 * editing the card holds a claim on the row until `claimedUntil` (renewed before each edit): two jobs of one
 * ticket that the queue let through at once cannot both edit, so an older edit never lands after a newer one.
 */
export const SlackCardRefresh = defineEntity({
  name: 'SlackCardRefresh',
  tableName: 'slack_card_refreshes',
  properties: {
    ticketId: p.integer().primary().autoincrement(false),
    lines: p.json<string[]>(),
    version: p.integer().default(1),
    requestedAt: p.datetime().defaultRaw('now()'),
    claim: p.string().length(64).nullable(),
    claimedUntil: p.datetime().nullable(),
  },
});
