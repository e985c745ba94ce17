/**
 * Merging a ticket into another (REST, the console, the card) and undoing it. The source's messages move to the
 * target, the source stays as a pointer to it (deleted as a ticket of its own, so lists, stats and SLA clocks
 * count the pair once), and both Slack threads hear of it. Undo puts back exactly what moved. The rules:
 *  - never into itself, never from or into a merged ticket (so no chain is ever a cycle);
 *  - the same customer, unless the person says across customers on purpose;
 *  - one transaction with the audit entries and the ticket events (the Slack notes commit with the merge).
 * The SQL: src/db/repositories/merges.ts.
 */
import { appendAudit } from '../db/repositories/audit-entries.ts';
import { carrySourceText, insertMerge, lockActiveMerge, lockMergeParties, markMerged, type MergeParty, moveFollowups, undoMergeRows } from '../db/repositories/merges.ts';
import type { TicketWriteDeps } from './changes.ts';

export type MergeRefusal =
  | { refused: 'same'; message: string }
  | { refused: 'not_found'; id: number; message: string }
  | { refused: 'merged'; id: number; into: number; message: string }
  | { refused: 'other_customer'; message: string };

export type MergeOutcome = { merged: true; mergeId: number; sourceId: number; targetId: number; moved: number } | MergeRefusal;

export interface MergeRequest {
  sourceId: number;
  targetId: number;
  actor: string;
  /** Merge tickets of two different customers (else refused). */
  acrossCustomers?: boolean;
}

export async function mergeTickets(deps: TicketWriteDeps, req: MergeRequest): Promise<MergeOutcome> {
  const { sourceId, targetId, actor } = req;
  if (sourceId === targetId) return { refused: 'same', message: 'a ticket cannot be merged into itself' };
  return deps.db.transaction(async (tx) => {
    const parties = await lockMergeParties(tx, [sourceId, targetId]);
    for (const id of [sourceId, targetId]) {
      const p = parties.get(id);
      if (p?.merged_into_id != null) return { refused: 'merged', id, into: p.merged_into_id, message: mergedMessage(id, p.merged_into_id, id === targetId) };
      if (!p || p.deleted_at !== null) return { refused: 'not_found', id, message: `Request ${id} not found` };
    }
    if (!req.acrossCustomers && differentCustomers(parties.get(sourceId)!, parties.get(targetId)!)) {
      return { refused: 'other_customer', message: 'the tickets are from different customers: merge them only on purpose (across_customers: true)' };
    }
    const moved = await moveFollowups(tx, sourceId, targetId);
    const carried = await carrySourceText(tx, sourceId, targetId);
    await markMerged(tx, sourceId, targetId);
    const merge = await insertMerge(tx, { sourceId, targetId, moved, carried, actor });
    await appendAudit(tx, { actor, action: 'merge', ticketId: sourceId, before: { merged_into: null }, after: { merged_into: targetId, merge_id: merge.id, messages: moved.length + 1 } });
    await appendAudit(tx, { actor, action: 'merged_in', ticketId: targetId, before: {}, after: { merged_from: sourceId, merge_id: merge.id } });
    await deps.ticketEvents.ticketChanged(tx, sourceId, { kind: 'merged', into: targetId, mergeId: merge.id, actor });
    await deps.ticketEvents.ticketChanged(tx, targetId, { kind: 'merged_in', from: sourceId, mergeId: merge.id, actor });
    return { merged: true, mergeId: merge.id, sourceId, targetId, moved: moved.length + 1 };
  });
}

export type UndoOutcome = { undone: true; mergeId: number; sourceId: number; targetId: number } | { undone: false };

/** Undoes the merge of `sourceId` in force: its messages, attachments and the ticket itself come back as they were. */
export async function undoMerge(deps: TicketWriteDeps, sourceId: number, actor: string): Promise<UndoOutcome> {
  return deps.db.transaction(async (tx) => {
    const merge = await lockActiveMerge(tx, sourceId);
    if (!merge) return { undone: false };
    const targetId = merge.target_ticket_id;
    await lockMergeParties(tx, [sourceId, targetId]);
    await undoMergeRows(tx, merge, actor);
    await appendAudit(tx, { actor, action: 'unmerge', ticketId: sourceId, before: { merged_into: targetId, merge_id: merge.id }, after: { merged_into: null } });
    await deps.ticketEvents.ticketChanged(tx, sourceId, { kind: 'unmerged', mergeId: merge.id, source: sourceId, target: targetId, actor });
    return { undone: true, mergeId: merge.id, sourceId, targetId };
  });
}

/** Known to be two people: two customers, or (without customers) two addresses. A ticket that names nobody differs from no one. */
function differentCustomers(a: MergeParty, b: MergeParty): boolean {
  if (a.customer_id !== null && b.customer_id !== null) return a.customer_id !== b.customer_id;
  const [x, y] = [a.requester_email?.toLowerCase(), b.requester_email?.toLowerCase()];
  return !!x && !!y && x !== y;
}

function mergedMessage(id: number, into: number, isTarget: boolean): string {
  return isTarget ? `Request ${id} was merged into ${into}: merge into that one` : `Request ${id} was merged into ${into} already`;
}
