/**
 * People's changes to a ticket (REST clients, Slack agents): status, a human classification, the assignee,
 * a snooze, soft delete.
 * Each runs in one transaction with ticketEvents.ticketChanged (src/ingest/ticket-events.ts), so what the
 * listener enqueues (the Slack card update) commits with the change or not at all, and with its audit entry
 * (audit_entries: who, what, before, after; codes and ids only, never a name or a text). The SQL is in
 * db/repositories; this file owns the rules.
 */
import type { Database } from '../db/database.ts';
import type { Sql } from '../db/sql.ts';
import { ensureAgent, insertAssignment } from '../db/repositories/agents.ts';
import { appendAudit } from '../db/repositories/audit-entries.ts';
import { insertHumanVerdict } from '../db/repositories/classifications.ts';
import { insertStatusChange } from '../db/repositories/status-changes.ts';
import { endSnooze, lockTicket, markDeleted, setHumanClassification, updateAssignee, updateSnooze, updateStatus } from '../db/repositories/tickets.ts';
import type { Category, Priority, TicketStatus } from '../domain/categories.ts';
import { isSnoozeEnd, SNOOZE_END_RULE } from '../domain/ticket.ts';
import type { TicketEvents } from './ticket-events.ts';

export interface TicketWriteDeps {
  db: Database;
  ticketEvents: TicketEvents;
}

/** Returns false when the ticket does not exist (or was deleted). Setting the same status again is a no-op. */
export async function setStatus(deps: TicketWriteDeps, ticketId: number, status: TicketStatus, actor: string): Promise<boolean> {
  return (await changeStatus(deps, ticketId, status, actor)) !== 'not_found';
}

export type StatusOutcome = 'changed' | 'unchanged' | 'not_found';

/** setStatus, saying whether anything changed (bulk actions report "already resolved" per ticket). */
export async function changeStatus(deps: TicketWriteDeps, ticketId: number, status: TicketStatus, actor: string): Promise<StatusOutcome> {
  return deps.db.transaction((tx) => changeStatusIn(tx, deps, ticketId, status, actor));
}

/** changeStatus inside the caller's transaction (a survey's bad score reopens the ticket with the score). */
export async function changeStatusIn(tx: Sql, deps: Pick<TicketWriteDeps, 'ticketEvents'>, ticketId: number, status: TicketStatus, actor: string): Promise<StatusOutcome> {
  const current = await lockTicket(tx, ticketId);
  if (!current) return 'not_found';
  if (current.status === status) return 'unchanged';
  await updateStatus(tx, ticketId, status);
  await insertStatusChange(tx, { ticketId, from: current.status, to: status, actor });
  await appendAudit(tx, { actor, action: 'status', ticketId, before: { status: current.status }, after: { status } });
  // A resolved ticket is not put aside for later any more.
  if (status === 'resolved' && (await endSnooze(tx, ticketId))) {
    await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'unsnooze', reason: 'resolved', actor });
  }
  await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'status', status, actor });
  return 'changed';
}

export type AssignOutcome = { found: false } | { found: true; changed: boolean; from: string | null };

/**
 * Makes `slackUserId` (null: nobody) the ticket's assignee and records who changed it from whom. The row lock
 * serializes concurrent assignments (two agents clicking at once, on two instances): each records the
 * assignee it replaced, so the history chains. Assigning the current assignee again records nothing.
 */
export async function assign(deps: TicketWriteDeps, ticketId: number, slackUserId: string | null, actor: string): Promise<AssignOutcome> {
  return deps.db.transaction(async (tx) => {
    const current = await lockTicket(tx, ticketId);
    if (!current) return { found: false };
    const from = current.assignee_slack_user_id;
    if (from === slackUserId) return { found: true, changed: false, from };
    if (slackUserId !== null) await ensureAgent(tx, slackUserId);
    await updateAssignee(tx, ticketId, slackUserId);
    await insertAssignment(tx, { ticketId, from, to: slackUserId, actor });
    await appendAudit(tx, { actor, action: 'assignment', ticketId, before: { assignee: from }, after: { assignee: slackUserId } });
    await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'assignment', from, to: slackUserId, actor });
    return { found: true, changed: true, from };
  });
}

export interface HumanClassification {
  category: Category;
  priority?: Priority | null;
  note?: string | null;
  actor: string;
}

/**
 * A person's verdict becomes the ticket's classification (model "human", confidence 1) and is kept in the
 * history; automatic runs never overwrite it. Repeating the same verdict adds nothing.
 */
export async function applyHumanClassification(deps: TicketWriteDeps, ticketId: number, input: HumanClassification): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const current = await lockTicket(tx, ticketId);
    if (!current) return false;
    const priority = input.priority ?? current.priority;
    if (current.classifier === 'human' && current.category === input.category && current.priority === priority && !input.note) return true;
    const classificationId = await insertHumanVerdict(tx, {
      ticketId,
      category: input.category,
      priority,
      summary: current.summary,
      language: current.language,
      note: input.note ?? null,
      actor: input.actor,
    });
    await setHumanClassification(tx, ticketId, { category: input.category, priority, classificationId });
    // The note is the agent's free text: the entry points at the history row that holds it.
    await appendAudit(tx, {
      actor: input.actor,
      action: 'classification',
      ticketId,
      before: { category: current.category, priority: current.priority, classifier: current.classifier },
      after: { category: input.category, priority, classifier: 'human', classification_id: classificationId },
    });
    await deps.ticketEvents.ticketChanged(tx, ticketId, {
      kind: 'classification',
      category: input.category,
      priority,
      actor: input.actor,
      note: input.note ?? null,
    });
    return true;
  });
}

export type SnoozeOutcome = 'snoozed' | 'unchanged' | 'not_found' | 'resolved';

/**
 * Puts the ticket aside until `until` (null: until the customer answers); the SLA clocks pause meanwhile.
 * Snoozing a snoozed ticket moves its end and keeps its start. A resolved ticket is not snoozed.
 */
export async function snooze(deps: TicketWriteDeps & { now?: () => Date }, ticketId: number, until: Date | null, actor: string): Promise<SnoozeOutcome> {
  const now = deps.now?.() ?? new Date();
  if (until && !isSnoozeEnd(until, now)) throw new RangeError(`a snooze's end ${SNOOZE_END_RULE}`);
  return deps.db.transaction(async (tx) => {
    const current = await lockTicket(tx, ticketId);
    if (!current) return 'not_found';
    if (current.status === 'resolved') return 'resolved';
    const runningUntil = current.snoozed_until === null ? null : new Date(current.snoozed_until).getTime();
    if (current.snoozed_since !== null && runningUntil === (until?.getTime() ?? null)) return 'unchanged';
    const since = current.snoozed_since === null ? now : new Date(current.snoozed_since);
    await updateSnooze(tx, ticketId, { since, until, by: actor });
    await appendAudit(tx, {
      actor,
      action: 'snooze',
      ticketId,
      before: { snoozed_until: current.snoozed_until === null ? null : new Date(current.snoozed_until).toISOString(), snoozed: current.snoozed_since !== null },
      after: { snoozed_until: until?.toISOString() ?? null, snoozed: true },
    });
    await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'snooze', until: until?.toISOString() ?? null, actor });
    return 'snoozed';
  });
}

/** Ends the ticket's snooze now; false when it was not snoozed (or does not exist). */
export async function unsnooze(deps: TicketWriteDeps, ticketId: number, actor: string): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    if (!(await lockTicket(tx, ticketId)) || !(await endSnooze(tx, ticketId))) return false;
    await appendAudit(tx, { actor, action: 'unsnooze', ticketId, before: { snoozed: true }, after: { snoozed: false } });
    await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'unsnooze', reason: 'agent', actor });
    return true;
  });
}

export async function softDelete(deps: TicketWriteDeps, ticketId: number, actor: string): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    if (!(await markDeleted(tx, ticketId))) return false;
    await appendAudit(tx, { actor, action: 'deleted', ticketId, before: { deleted: false }, after: { deleted: true } });
    await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'deleted', actor });
    return true;
  });
}
