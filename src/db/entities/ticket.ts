import { defineEntity, p } from '@mikro-orm/core';
import { Customer } from './customer.ts';
import { CATEGORIES, CLASSIFIERS, PRIORITIES, SOURCES, STATUSES } from '../../domain/categories.ts';

/**
 * A ticket. The current classification is denormalized onto the row (category, confidence, ...) so lists,
 * filters and stats never join the history table; `current_classification_id` points at the history row.
 */
export const Ticket = defineEntity({
  name: 'Ticket',
  tableName: 'tickets',
  properties: {
    id: p.integer().primary().autoincrement(),
    source: p.enum(SOURCES),
    externalId: p.string().length(255).nullable(),
    subject: p.text().nullable(),
    body: p.text(),
    fullBody: p.text().nullable(),
    requesterEmail: p.string().length(320).nullable(),
    requesterName: p.string().length(255).nullable(),
    /** E-mail Reply-To: where agents' replies go; the requester stays the sender (From). */
    replyTo: p.string().length(320).nullable(),
    participants: p.json<string[]>().nullable(),
    originalQueue: p.string().length(255).nullable(),
    originalPriority: p.string().length(50).nullable(),
    status: p.enum(STATUSES).default('processing'),
    priority: p.enum(PRIORITIES).nullable(),
    language: p.string().length(16).nullable(),
    tags: p.json<string[]>().nullable(),
    metadata: p.json<Record<string, unknown>>().nullable(),
    category: p.enum(CATEGORIES).nullable(),
    confidence: p.double().nullable(),
    summary: p.text().nullable(),
    classifier: p.enum(CLASSIFIERS).nullable(),
    /** Below CLASSIFIER_MIN_CONFIDENCE when it was classified (so it was routed to triage); never for a human verdict. */
    lowConfidence: p.boolean().default(false),
    currentClassificationId: p.integer().nullable(),
    /** The Slack user (agents table) working on it; null: nobody. History in ticket_assignments. */
    assigneeSlackUserId: p.string().length(32).nullable(),
    /** Snoozed (by an agent) since; null: not snoozed. The SLA clocks pause meanwhile. */
    snoozedSince: p.datetime().nullable(),
    /** When the snooze ends by itself; null while snoozed: when the customer answers. */
    snoozedUntil: p.datetime().nullable(),
    /** Who snoozed it (slack:<user id>, api). */
    snoozedBy: p.string().length(64).nullable(),
    /** Who wrote it (src/ingest/customers.ts), set when it is stored. */
    customer: () => p.manyToOne(Customer).nullable().deleteRule('set null'),
    receivedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
    deletedAt: p.datetime().nullable(),
    /** Merged into this ticket (src/ingest/merges.ts): deleted as a ticket of its own, kept as a pointer until undone. */
    mergedIntoId: p.integer().nullable(),
    /** Made from follow-ups split out of this ticket (src/ingest/splits.ts). */
    splitFromId: p.integer().nullable(),
    /** Part of this incident (src/ingest/incident-grouping.ts); null: none, or taken out of it. */
    incidentId: p.integer().nullable(),
  },
  uniques: [{ name: 'tickets_source_external_id_unique', properties: ['source', 'externalId'] }],
  indexes: [
    { name: 'tickets_created_at_idx', properties: ['createdAt'] },
    { name: 'tickets_category_created_at_idx', properties: ['category', 'createdAt'] },
    { name: 'tickets_status_created_at_idx', properties: ['status', 'createdAt'] },
    { name: 'tickets_source_created_at_idx', properties: ['source', 'createdAt'] },
    { name: 'tickets_requester_email_idx', properties: ['requesterEmail'] },
    { name: 'tickets_assignee_status_idx', properties: ['assigneeSlackUserId', 'status'] },
    { name: 'tickets_snoozed_until_idx', properties: ['snoozedUntil'] },
    { name: 'tickets_customer_created_at_idx', properties: ['customer', 'createdAt'] },
    // A ticket's split-off tickets (GET /api/v1/requests/{id}: split_into): few rows, found without a scan.
    // An incident's tickets (its card, its actions, the console's incident page).
    { name: 'tickets_incident_idx', expression: 'create index "tickets_incident_idx" on "tickets" ("incident_id", "id") where "incident_id" is not null' },
    { name: 'tickets_split_from_idx', expression: 'create index "tickets_split_from_idx" on "tickets" ("split_from_id") where "split_from_id" is not null' },
    // A customer's open tickets counted on every card: without it the planner may walk every open ticket.
    { name: 'tickets_customer_open_idx', expression: `create index "tickets_customer_open_idx" on "tickets" ("customer_id") where "status" <> 'resolved' and "deleted_at" is null` },
    // The console's Snoozed and Low confidence tabs (src/db/repositories/console-inbox.ts): few rows, found without a scan.
    { name: 'tickets_snoozed_created_at_idx', expression: 'create index "tickets_snoozed_created_at_idx" on "tickets" ("created_at") where "snoozed_since" is not null and "deleted_at" is null' },
    { name: 'tickets_low_confidence_created_at_idx', expression: 'create index "tickets_low_confidence_created_at_idx" on "tickets" ("created_at") where "low_confidence" and "deleted_at" is null' },
    // The dashboard (src/db/repositories/dashboard.ts): people's corrections in a period; the few deleted tickets it leaves out.
    { name: 'tickets_human_created_at_idx', expression: `create index "tickets_human_created_at_idx" on "tickets" ("created_at") where "classifier" = 'human' and "deleted_at" is null` },
    { name: 'tickets_deleted_idx', expression: 'create index "tickets_deleted_idx" on "tickets" ("id") where "deleted_at" is not null' },
    { name: 'tickets_open_created_at_idx', expression: `create index "tickets_open_created_at_idx" on "tickets" ("created_at") where "status" <> 'resolved' and "deleted_at" is null` },
    // ?mailbox= on GET /api/v1/requests and the console: mail of one configured mailbox, newest first.
    { name: 'tickets_mailbox_created_at_idx', expression: `create index "tickets_mailbox_created_at_idx" on "tickets" (("metadata"->>'mailbox_id'), "created_at")` },
    // The Slack door's grouping: an author's open ticket in a channel (src/db/repositories/slack-door.ts).
    { name: 'tickets_slack_author_idx', expression: `create index "tickets_slack_author_idx" on "tickets" (("metadata"->>'slack_channel'), ("metadata"->>'slack_user'), "updated_at") where "source" = 'slack' and "status" <> 'resolved' and "deleted_at" is null` },
    // The inbox's filters (category, language) with its tabs' status and assignee: a count whose filters match
    // nothing (billing in German while waiting on the customer) is a short index walk, not a scan of every open ticket.
    { name: 'tickets_filters_idx', expression: 'create index "tickets_filters_idx" on "tickets" ("category", "language", "status", "assignee_slack_user_id", "created_at") where "deleted_at" is null' },
    // Search (src/db/repositories/ticket-search.ts): trigrams for substrings, 'simple' words for word queries.
    { name: 'tickets_subject_trgm_idx', expression: 'create index "tickets_subject_trgm_idx" on "tickets" using gin ("subject" gin_trgm_ops)' },
    { name: 'tickets_body_trgm_idx', expression: 'create index "tickets_body_trgm_idx" on "tickets" using gin ("body" gin_trgm_ops)' },
    { name: 'tickets_requester_email_lower_idx', expression: 'create index "tickets_requester_email_lower_idx" on "tickets" (lower("requester_email"))' },
    { name: 'tickets_requester_domain_idx', expression: `create index "tickets_requester_domain_idx" on "tickets" (split_part(lower("requester_email"), '@', 2))` },
    { name: 'tickets_words_idx', expression: `create index "tickets_words_idx" on "tickets" using gin (to_tsvector('simple'::regconfig, coalesce("subject", '') || ' ' || left("body", 100000)))` },
  ],
});
