/**
 * What the pipeline tells the rest of the service about a ticket: the one listener interface, and who calls
 * which method. Emitters get a TicketEvents at composition (src/service.ts), which hands them the Slack
 * adapter's (src/slack/index.ts) when Slack is configured and noTicketEvents otherwise, behind the SLA clocks'
 * listener (src/sla/ticket-events.ts) when SLA targets are set:
 *   ticketClassified  src/classify/job.ts, in the transaction that stores the classification
 *   followUpAdded     src/ingest/store-one.ts, in the transaction that stores a follow-up on an open ticket
 *   ticketChanged     src/ingest/changes.ts, in the transaction of a person's change (status,
 *                     human classification, assignee, snooze, delete) made through REST or a Slack button;
 *                     src/ingest/merges.ts when a ticket is merged into another (or the merge undone);
 *                     src/ingest/splits.ts when follow-ups are split out into a new ticket;
 *                     src/ingest/snooze.ts when a snooze ends by time, store-one.ts when the customer's answer ends it
 *                     (or moves a ticket waiting on the customer back to open); src/ingest/replies.ts when an
 *                     agent's reply moves the ticket to waiting_on_customer
 *   replyFinished     src/outbound/send-job.ts, in the transaction that marks an agent's reply sent or failed
 *   incidentChanged   src/ingest/incident-actions.ts, in the transaction of a person's action on an incident;
 *                     src/privacy/erase.ts when tickets of an incident are erased
 * Each method runs INSIDE that transaction (`tx`), so whatever it enqueues (a Slack post, say) commits with
 * the change or not at all; a listener that throws rolls the change back.
 */
import type { Sql } from '../db/sql.ts';

export type TicketChange =
  | { kind: 'status'; status: string; actor: string }
  | { kind: 'classification'; category: string; priority: string | null; actor: string; note: string | null }
  | { kind: 'assignment'; from: string | null; to: string | null; actor: string }
  | { kind: 'deleted'; actor: string }
  /** until: ISO time, or null: until the customer answers. */
  | { kind: 'snooze'; until: string | null; actor: string }
  /** The snooze ended: an agent ended it, its time came, the customer answered, or the ticket was resolved. */
  | { kind: 'unsnooze'; reason: UnsnoozeReason; actor: string }
  /** A message of the ticket (its first, or a follow-up) was edited or deleted where the customer wrote it. */
  | { kind: 'revised'; deleted: boolean; actor: string }
  /** Merged into another ticket (src/ingest/merges.ts): told to the source ... */
  | { kind: 'merged'; into: number; mergeId: number; actor: string }
  /** ... and to the target, in the same transaction. */
  | { kind: 'merged_in'; from: number; mergeId: number; actor: string }
  /** The merge was undone: told to the source, which is a ticket of its own again. */
  | { kind: 'unmerged'; mergeId: number; source: number; target: number; actor: string }
  /** Follow-ups were split out into a new ticket (src/ingest/splits.ts). */
  | { kind: 'split'; into: number; messages: number; actor: string }
  /** The customer answered the satisfaction survey (src/ingest/surveys.ts); bad: at or below CSAT_BAD_SCORE. */
  | { kind: 'survey'; score: number; bad: boolean; actor: string };

/** taken_out: the ticket is a ticket of its own again (it gets its own card). */
export type IncidentChange =
  | { kind: 'closed'; actor: string }
  | { kind: 'resolved_all'; resolved: number; actor: string }
  | { kind: 'taken_out'; ticketId: number; actor: string }
  /** Some of its tickets were erased (src/privacy/erase.ts): the card must not show them as they were. */
  | { kind: 'erased'; actor: string };

export type UnsnoozeReason = 'agent' | 'time' | 'answered' | 'resolved';

export interface ClassifiedOptions {
  /** false: the ticket was loaded as history (seed without --alert): no Slack alert. */
  alert?: boolean;
  /**
   * The ticket joined (or opened) an incident (src/ingest/incident-grouping.ts): shown on its card, not its own.
   * announce: the first of its batch to join (one card refresh per batch, not per ticket).
   */
  incident?: { incidentId: number; opened: boolean; announce: boolean };
}

export interface TicketEvents {
  ticketClassified(tx: Sql, ticketId: number, options?: ClassifiedOptions): Promise<void>;
  followUpAdded(tx: Sql, ticketId: number, messageId: number): Promise<void>;
  ticketChanged(tx: Sql, ticketId: number, change: TicketChange): Promise<void>;
  /** An agent's reply (ticket_replies) reached its final state: sent, or failed for good. */
  replyFinished(tx: Sql, ticketId: number, replyId: number): Promise<void>;
  /** A person changed an incident (src/ingest/incident-actions.ts): its card shows it. */
  incidentChanged(tx: Sql, incidentId: number, change: IncidentChange): Promise<void>;
}

/** Nobody listening (Slack not configured). */
export const noTicketEvents: TicketEvents = {
  ticketClassified: async () => undefined,
  followUpAdded: async () => undefined,
  ticketChanged: async () => undefined,
  replyFinished: async () => undefined,
  incidentChanged: async () => undefined,
};
