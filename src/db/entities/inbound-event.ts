import { defineEntity, p } from '@mikro-orm/core';

/**
 * The audit trail of every door: each delivery (REST call, webhook, e-mail) is recorded by ingest with its
 * verdict and reason, the ticket, and the raw payload up to a cap (src/ingest/audit.ts). `source` is the door.
 */
export const InboundEvent = defineEntity({
  name: 'InboundEvent',
  tableName: 'inbound_events',
  properties: {
    id: p.integer().primary().autoincrement(),
    source: p.string().length(20),
    deliveryId: p.string().length(255).nullable(),
    /** accepted | duplicate | followup | rejected | ignored | failed */
    verdict: p.string().length(20),
    reason: p.text().nullable(),
    ticketId: p.integer().nullable(),
    size: p.integer().default(0),
    payload: p.text().nullable(),
    metadata: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    { name: 'inbound_events_source_created_at_idx', properties: ['source', 'createdAt'] },
    { name: 'inbound_events_delivery_id_idx', properties: ['source', 'deliveryId'] },
    // The console's Spam page: the newest messages kept as spam, however many deliveries there are.
    { name: 'inbound_events_suppressed_idx', expression: `create index "inbound_events_suppressed_idx" on "inbound_events" ("id") where "verdict" = 'suppressed'` },
    // Stats, the digest and the dashboard: a period's spam per day and door, read from this index alone.
    { name: 'inbound_events_suppressed_created_at_idx', expression: `create index "inbound_events_suppressed_created_at_idx" on "inbound_events" ("created_at") include ("source") where "verdict" = 'suppressed'` },
  ],
});
