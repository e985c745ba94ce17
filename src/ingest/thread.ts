/**
 * Finds the ticket a message continues, if any. Hints are tried from the most to the least specific:
 * the provider's ticket id, our own ticket reference, then e-mail In-Reply-To / References. For e-mail,
 * a match only counts when the sender is the ticket's requester or one of its participants, so one
 * customer cannot write into another's ticket by guessing a "[#123]". A message to a merged ticket's thread
 * continues the ticket it was merged into (checked against the merged ticket's people: they wrote to that one).
 */
import { type ThreadCandidate, threadCandidateByExternalId, threadCandidateById, threadCandidatesByMessageIds } from '../db/repositories/tickets.ts';
import { liveTargetOf } from '../db/repositories/merges.ts';
import type { Sql } from '../db/sql.ts';
import type { InboundMessage } from '../domain/inbound-message.ts';

export async function findThreadTicket(tx: Sql, msg: InboundMessage): Promise<number | null> {
  const hints = msg.thread;
  if (!hints) return null;
  if (hints.externalTicketId) {
    const byProvider = await threadCandidateByExternalId(tx, msg.source, hints.externalTicketId);
    if (byProvider) return live(tx, byProvider);
  }
  const candidates: ThreadCandidate[] = [];
  const messageIds = [hints.inReplyTo, ...(hints.references ?? [])].filter((id): id is string => !!id);
  if (messageIds.length) candidates.push(...(await threadCandidatesByMessageIds(tx, messageIds)));
  if (hints.ticketId && Number.isSafeInteger(hints.ticketId)) candidates.push(...(await threadCandidateById(tx, hints.ticketId)));
  const allowed = candidates.filter((c) => senderMayJoin(msg, c));
  return allowed[0] ? live(tx, allowed[0]) : null;
}

/** The ticket itself, or where it was merged (null: merged into a ticket that is gone: a new ticket). */
async function live(tx: Sql, c: ThreadCandidate): Promise<number | null> {
  return c.merged_into_id === null ? c.id : liveTargetOf(tx, c.id);
}

function senderMayJoin(msg: InboundMessage, ticket: ThreadCandidate): boolean {
  if (msg.source !== 'email') return true;
  const sender = msg.requesterEmail?.toLowerCase();
  if (!sender) return false;
  if (ticket.requester_email?.toLowerCase() === sender) return true;
  return (ticket.participants ?? []).some((p) => p.toLowerCase() === sender);
}
