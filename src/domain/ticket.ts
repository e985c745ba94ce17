/**
 * The one ticket shape the service passes around (REST views, Slack cards, routing), and the rules about a
 * ticket that do not depend on where it is stored. The database row maps onto it in db/repositories/tickets.ts.
 */
import type { Agent } from './agent.ts';
import { type Category, type ClassifierKind, PRIORITIES, type Priority, type Source, type TicketStatus } from './categories.ts';

export interface Ticket {
  id: number;
  source: Source;
  externalId: string | null;
  subject: string | null;
  body: string;
  requesterEmail: string | null;
  requesterName: string | null;
  replyTo: string | null;
  originalQueue: string | null;
  originalPriority: string | null;
  language: string | null;
  priority: Priority | null;
  status: TicketStatus;
  tags: string[];
  /** The current classification, denormalized onto the ticket; null until classified. */
  category: Category | null;
  confidence: number | null;
  summary: string | null;
  classifier: ClassifierKind | null;
  /** The history row behind the current classification (model, timing); null until classified. */
  classification: { modelName: string; processingTimeMs: number; classifiedAt: Date } | null;
  /** The agent working on it; null: nobody yet. */
  assignee: Agent | null;
  /** Put aside by an agent until a time, or (until null) until the customer answers; null: not snoozed. */
  snooze: Snooze | null;
  /** Where it came in, beyond the door (`source`). */
  origin: TicketOrigin;
  /** Who wrote it (src/ingest/customers.ts); null: the message named nobody. */
  customer: { id: number; name: string | null } | null;
  /** The customer's company; null: none known. */
  company: { id: number; name: string; tier: string | null } | null;
  /** Merged into that ticket (src/ingest/merges.ts): no longer a ticket of its own, only a pointer; null: not merged. */
  mergedInto: number | null;
  /** Made from follow-ups split out of that ticket (src/ingest/splits.ts); null: not a split. */
  splitFrom: number | null;
  /** Part of this incident (a flood of similar tickets, src/ingest/incident-grouping.ts); null: none, or taken out. */
  incidentId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** For mail: which configured mailbox and folder, whose header named the requester, what parsing noticed. Empty for other doors. */
export interface TicketOrigin {
  /** The configured mailbox's id (IMAP_MAILBOXES; `default` for IMAP_HOST). */
  mailboxId: string | null;
  /** The IMAP folder it was read from. */
  folder: string | null;
  /** `from`, `sender` or `reply-to`; null when no header named anyone. */
  requesterHeader: string | null;
  parseProblems: string[];
}

/** How a mailbox id is spelled (IMAP_MAILBOXES `id`): 1 to 40 lowercase letters, digits, - or _. */
export const MAILBOX_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export interface Snooze {
  since: Date;
  /** null: until the customer answers. */
  until: Date | null;
  by: string | null;
}

/** Longest snooze an agent can set: a quarter of a year, in minutes. */
export const MAX_SNOOZE_MINUTES = 90 * 24 * 60;

export const SNOOZE_END_RULE = `must be in the future and at most ${MAX_SNOOZE_MINUTES / 1440} days from now`;

/** Whether a snooze may end at `until` when set at `now`. */
export function isSnoozeEnd(until: Date, now: Date): boolean {
  return until.getTime() > now.getTime() && until.getTime() <= now.getTime() + MAX_SNOOZE_MINUTES * 60_000;
}

/**
 * Below the threshold an automatic verdict goes to triage and is flagged on the card. A human verdict is never
 * low-confidence. The classify job stores this rule's answer on the row (tickets.low_confidence) for the stats.
 */
export function isLowConfidence(t: Pick<Ticket, 'confidence' | 'classifier'>, minConfidence: number): boolean {
  return t.classifier !== 'human' && (t.confidence ?? 0) < minConfidence;
}

const rank = (p: Priority | null | undefined) => (p ? PRIORITIES.indexOf(p) : -1);

/** The classifier may raise a priority the source stated, never lower it. */
export function classifiedPriority(stated: Priority | null, classified: Priority | null): Priority | null {
  return rank(classified) > rank(stated) ? classified : stated;
}
