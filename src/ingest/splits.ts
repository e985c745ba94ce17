/**
 * Splitting chosen follow-ups out of a ticket into a new ticket (REST, the console): a second problem written
 * into the same thread gets a ticket of its own, classified, alerted and clocked like any new one. The two point
 * at each other (split_from_id; the original lists what was split out of it) and the original's Slack thread
 * says where the messages went. Refused: messages that are not the ticket's follow-ups, and messages a merge in
 * force moved (its undo owns them: undo the merge first). The SQL: src/db/repositories/splits.ts.
 */
import { appendAudit } from '../db/repositories/audit-entries.ts';
import { notifyConsole } from '../db/repositories/console-signals.ts';
import type { JobQueue } from '../db/queue.ts';
import { CLASSIFY_QUEUE } from '../db/queue-registry.ts';
import { insertSplitTicket, lockFollowups, moveSplitMessages } from '../db/repositories/splits.ts';
import { lockTicket } from '../db/repositories/tickets.ts';
import type { TicketWriteDeps } from './changes.ts';
import { resolveCustomer } from './customers.ts';

/** The refusal of ids that are not the ticket's follow-ups (one wording: the API document names it). */
export const NOT_FOLLOWUPS = 'must name follow-ups of this ticket (its messages\' ids)';

export interface SplitDeps extends TicketWriteDeps {
  queue: JobQueue;
}

export type SplitOutcome =
  | { split: true; ticketId: number; messages: number }
  | { refused: 'not_found'; message: string }
  | { refused: 'not_followups'; ids: number[]; message: string }
  | { refused: 'in_merge'; ids: number[]; message: string };

export async function splitTicket(deps: SplitDeps, req: { ticketId: number; messageIds: number[]; actor: string }): Promise<SplitOutcome> {
  const { ticketId, actor } = req;
  const ids = [...new Set(req.messageIds)];
  return deps.db.transaction(async (tx) => {
    if (!(await lockTicket(tx, ticketId))) return { refused: 'not_found', message: `Request ${ticketId} not found` };
    const messages = await lockFollowups(tx, ticketId, ids);
    const foreign = ids.filter((id) => !messages.some((m) => m.id === id));
    if (foreign.length) return { refused: 'not_followups', ids: foreign, message: NOT_FOLLOWUPS };
    const merged = messages.filter((m) => m.in_merge).map((m) => m.id);
    if (merged.length) return { refused: 'in_merge', ids: merged, message: `messages ${merged.join(', ')} came with a merge: undo the merge first` };
    const [first, ...rest] = messages;
    const customerId = first!.author_email ? await resolveCustomer(tx, { email: first!.author_email, name: first!.author_name, external: null, company: null }) : null;
    const newId = await insertSplitTicket(tx, { ticketId, first: first!, customerId });
    await moveSplitMessages(tx, newId, first!.id, rest.map((m) => m.id));
    await appendAudit(tx, { actor, action: 'split', ticketId, before: {}, after: { split_into: newId, messages: messages.length } });
    await appendAudit(tx, { actor, action: 'split_from', ticketId: newId, before: {}, after: { split_from: ticketId } });
    // A new ticket like any other: classified, then alerted and clocked (src/classify/job.ts).
    await deps.queue.send(CLASSIFY_QUEUE, { ticketId: newId }, {}, tx);
    await notifyConsole(tx, { ticket: newId, kind: 'created' });
    await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'split', into: newId, messages: messages.length, actor });
    return { split: true, ticketId: newId, messages: messages.length };
  });
}
