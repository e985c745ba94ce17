import { defineEntity, p } from '@mikro-orm/core';

/**
 * One change a person made (from Slack, the console or REST) or the service made on a person's behalf (an
 * erasure, a retention run): who, what, when, before and after. Append-only: rows are never updated, and an
 * erasure removes the rows of the tickets it deletes but never rewrites one. `before`/`after` hold references
 * and codes (status, category, a Slack user id), never names, addresses or texts.
 */
export const AuditEntry = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_entries',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    /** slack:<user id>, console:<user id>, api-key:<fingerprint>, api (open API), system:retention, ... */
    actor: p.string().length(255),
    /** status | assignment | classification | snooze | unsnooze | deleted | reply | erasure | retention | legal_hold */
    action: p.string().length(32),
    ticketId: p.integer().nullable(),
    before: p.json<Record<string, unknown>>().nullable(),
    after: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    { name: 'audit_entries_ticket_id_idx', properties: ['ticketId', 'id'] },
    { name: 'audit_entries_actor_idx', properties: ['actor', 'id'] },
  ],
});
