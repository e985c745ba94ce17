/**
 * Keeps a ticket's SLA clocks (ticket_slas) in step with the ticket, inside the transaction of each change:
 * the state (responded, resolved, pauses) follows the ticket's status and replies, and the due times are
 * recomputed from it by the pure rules in src/domain/sla.ts. Clocks start at classification (the priority
 * is known then) from the ticket's arrival; tickets that arrived before SLA was configured have none.
 */
import type { SlaConfig } from '../config/sla.ts';
import { emittedKinds, lockSla, saveSla, type SlaRow, slaTicketFacts } from '../db/repositories/slas.ts';
import type { Sql } from '../db/sql.ts';
import { clockMinutes, nextEventAt, slaTimes, type SlaState, type SlaTimes } from '../domain/sla.ts';

export interface SlaDeps {
  policy: SlaConfig;
  /** The clock (tests inject theirs). */
  now: () => Date;
}

export type SlaChange =
  /** Classified: starts the clocks, or moves them to a new priority or category. */
  | { kind: 'classified' }
  /** Anything else about the ticket changed (status, priority, a customer's answer): follow it. */
  | { kind: 'changed' }
  /** A reply reached the customer at `at`. */
  | { kind: 'responded'; at: Date };

export const stateOf = (row: SlaRow): SlaState => ({
  priority: row.priority,
  category: row.category,
  startedAt: row.startedAt,
  firstRespondedAt: row.firstRespondedAt,
  resolvedAt: row.resolvedAt,
  pauses: row.pauses.map(([start, end]) => ({ start, end })),
  pausedSince: row.pausedSince,
  snoozes: row.snoozes.map(([start, end]) => ({ start, end })),
  snooze: row.snoozedSince ? { since: row.snoozedSince, until: row.snoozedUntil } : null,
});

export const timesOf = (policy: SlaConfig, row: SlaRow): SlaTimes => slaTimes(policy, stateOf(row));

/** Applies the change to the ticket's clocks; a no-op for tickets without clocks (unless classified). */
export async function updateClocks(deps: SlaDeps, tx: Sql, ticketId: number, change: SlaChange): Promise<void> {
  const ticket = await slaTicketFacts(tx, ticketId);
  if (!ticket) return;
  const existing = await lockSla(tx, ticketId);
  if (!existing && change.kind !== 'classified') return;
  const now = deps.now();
  const row: SlaRow = existing ?? {
    ticketId, priority: null, category: null, startedAt: ticket.createdAt, firstResponseWarnAt: null, firstResponseDueAt: null, firstRespondedAt: null,
    resolutionWarnAt: null, resolutionDueAt: null, resolvedAt: null, pausedSince: null, pauses: [],
    snoozedSince: null, snoozedUntil: null, snoozes: [], nextEventAt: null, firstResponseMinutes: null, resolutionMinutes: null,
  };
  row.priority = ticket.priority;
  row.category = ticket.category;

  if (change.kind === 'responded' && !row.firstRespondedAt) row.firstRespondedAt = change.at;
  if (ticket.status === 'acknowledged' && deps.policy.firstResponse === 'acknowledge' && !row.firstRespondedAt) row.firstRespondedAt = now;

  const waiting = ticket.status === 'waiting_on_customer';
  if (waiting && !row.pausedSince && !row.resolvedAt) row.pausedSince = now;
  if (!waiting && row.pausedSince) {
    row.pauses.push([row.pausedSince.getTime(), now.getTime()]);
    row.pausedSince = null;
  }
  followSnooze(row, ticket.snoozedSince, ticket.snoozedUntil, now);
  if (ticket.status === 'resolved' && !row.resolvedAt) row.resolvedAt = now;
  if (ticket.status !== 'resolved' && row.resolvedAt) {
    // Reopened: the clock runs on; the time it was resolved does not count.
    row.pauses.push([row.resolvedAt.getTime(), now.getTime()]);
    row.resolvedAt = null;
  }

  const times = timesOf(deps.policy, row);
  row.firstResponseWarnAt = times.firstResponse.warnAt;
  row.firstResponseDueAt = times.firstResponse.dueAt;
  row.resolutionWarnAt = times.resolution.warnAt;
  row.resolutionDueAt = times.resolution.dueAt;
  row.nextEventAt = nextEventAt(times, existing ? await emittedKinds(tx, ticketId) : new Set());
  const ran = clockMinutes(deps.policy.calendar, stateOf(row));
  row.firstResponseMinutes = ran.firstResponse;
  row.resolutionMinutes = ran.resolution;
  await saveSla(tx, row);
}

/**
 * The clocks follow the ticket's snooze: one starting is mirrored (a new end time of a running one too); one
 * ended becomes a pause of both clocks, up to its planned end at most (the waker's delay does not count).
 */
function followSnooze(row: SlaRow, since: Date | null, until: Date | null, now: Date): void {
  if (row.snoozedSince && (!since || since.getTime() !== row.snoozedSince.getTime())) {
    const end = Math.min(now.getTime(), row.snoozedUntil?.getTime() ?? Infinity);
    if (end > row.snoozedSince.getTime()) row.snoozes.push([row.snoozedSince.getTime(), end]);
    row.snoozedSince = null;
    row.snoozedUntil = null;
  }
  if (since) {
    row.snoozedSince = since;
    row.snoozedUntil = until;
  }
}
