/**
 * People's changes to a ticket (REST clients, Slack agents): status, a human classification, soft delete.
 * Each runs in one transaction with ticketEvents.ticketChanged (src/ingest/ticket-events.ts), so what the
 * listener enqueues (the Slack card update) commits with the change or not at all. The SQL is in db/repositories; this file owns the rules.
 */
import type { Database } from '../db/database.ts';
import { insertHumanVerdict } from '../db/repositories/classifications.ts';
import { lockTicket, markDeleted, setHumanClassification, updateStatus } from '../db/repositories/tickets.ts';
import type { Category, Priority, TicketStatus } from '../domain/categories.ts';
import type { TicketEvents } from './ticket-events.ts';

export interface TicketWriteDeps {
  db: Database;
  ticketEvents: TicketEvents;
}

/** Returns false when the ticket does not exist (or was deleted). Setting the same status again is a no-op. */
export async function setStatus(deps: TicketWriteDeps, ticketId: number, status: TicketStatus, actor: string): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const current = await lockTicket(tx, ticketId);
    if (!current) return false;
    if (current.status === status) return true;
    await updateStatus(tx, ticketId, status);
    await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'status', status, actor });
    return true;
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

export async function softDelete(deps: TicketWriteDeps, ticketId: number, actor: string): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    if (!(await markDeleted(tx, ticketId))) return false;
    await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'deleted', actor });
    return true;
  });
}
