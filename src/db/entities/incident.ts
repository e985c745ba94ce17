import { defineEntity, p } from '@mikro-orm/core';
import { CATEGORIES } from '../../domain/categories.ts';
import { Ticket } from './ticket.ts';

/** A ticket's signature an incident keeps (the ticket's, so taking the ticket out takes it too). */
export interface KeptSignature {
  ticket: number;
  minhash: number[];
}

/**
 * An incident: many customers writing about one problem at once (src/ingest/incident-grouping.ts). Its tickets
 * point at it (tickets.incident_id) and stay full tickets; the first few kept their own Slack cards, the rest
 * are shown on the incident's one card. Closing it ends the grouping; its tickets keep the pointer.
 * Not an ops incident (ops_incidents: a part of the service broken).
 */
export const Incident = defineEntity({
  name: 'Incident',
  tableName: 'incidents',
  properties: {
    id: p.integer().primary().autoincrement(),
    category: p.enum(CATEGORIES),
    /** The subject (or the text's start) of the ticket that opened it. */
    title: p.string().length(255),
    /** The ticket whose subject (or text) the title is: erasing that ticket erases the title. */
    titleTicketId: p.integer().nullable(),
    openedAt: p.datetime().defaultRaw('now()'),
    /** When the last ticket joined. */
    lastJoinedAt: p.datetime().defaultRaw('now()'),
    closedAt: p.datetime().nullable(),
    closedBy: p.string().length(255).nullable(),
    /** Signatures of its latest tickets (at most 20): what a new ticket is compared with once the window has passed. */
    minhashes: p.json<KeptSignature[]>(),
    /** Bumped by every change the card shows; the card job edits until it has shown the latest. */
    version: p.integer().default(1),
    shownVersion: p.integer().default(0),
  },
  indexes: [
    { name: 'incidents_open_category_idx', expression: 'create index "incidents_open_category_idx" on "incidents" ("category", "last_joined_at") where "closed_at" is null' },
    { name: 'incidents_opened_at_idx', properties: ['openedAt'] },
  ],
});

/**
 * A recently classified ticket's MinHash signature (src/domain/minhash.ts), what new tickets of its category are
 * compared with. Kept while it can matter: pruned once older than the grouping window, unless its ticket is
 * in an open incident. Deleted with its ticket.
 */
export const TicketFingerprint = defineEntity({
  name: 'TicketFingerprint',
  tableName: 'ticket_fingerprints',
  properties: {
    ticket: () => p.oneToOne(Ticket).primary().owner().deleteRule('cascade'),
    category: p.enum(CATEGORIES),
    minhash: p.json<number[]>(),
    /**
     * The incident whose card showed the ticket instead of its own when it was grouped (null: its own card). A
     * ticket grouped again because its verdicts were never stored (a crash between the two) keeps this verdict.
     */
    shownOnIncidentId: p.integer().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'ticket_fingerprints_category_created_at_idx', properties: ['category', 'createdAt'] }],
});
