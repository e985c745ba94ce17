/**
 * A ticket's alert card as it is now: the ticket, whether a reply sender can answer it (and why its last
 * reply failed), its SLA clocks, and the activity lines the caller keeps. The jobs post and refresh it; the
 * buttons edit it in place.
 */
import type { Database } from '../../db/database.ts';
import { latestReply } from '../../db/repositories/replies.ts';
import { getTicketOrMerged } from '../../db/repositories/tickets.ts';
import { senderFor, type ReplySender } from '../../domain/reply.ts';
import { alertFallbackText, buildAlertBlocks, type AlertTicket } from './alert-blocks.ts';
import { cardCustomerLines } from './customer-lines.ts';
import { cardSlaLines } from './sla-lines.ts';
import { ERASED } from '../../db/repositories/privacy-places.ts';

export interface CardDeps {
  db: Database;
  minConfidence: number;
  publicUrl: string | undefined;
  /** The ways back to customers (src/outbound/senders.ts): a card shows Reply when one fits its ticket. */
  replySenders: readonly ReplySender[];
  /** CUSTOMER_RELATED_DAYS: how far back a similar ticket of the same customer is possibly related (default 30). */
  relatedDays?: number;
  /** The Spam button is shown (a sender-block list is wired in). */
  canBlock?: boolean;
}

export function ticketLink(publicUrl: string | undefined, ticketId: number): string | undefined {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/api/v1/requests/${ticketId}` : undefined;
}

/** The card for a ticket as it is now (a merged ticket's says where it went), or null when the ticket is gone or erased. */
export async function renderCard(deps: CardDeps, ticketId: number, activity: string[] = []) {
  const row = await getTicketOrMerged(deps.db.sql, ticketId);
  if (!row) return null;
  // An erased ticket has nothing to draw: its card is the erasure's redacted one (src/slack/jobs/redact.ts), and a
  // refresh or click that comes after must not put a card back in its place; an alert not posted yet is not.
  if (row.body === ERASED) return null;
  if (row.mergedInto !== null) {
    const mergedLink = ticketLink(deps.publicUrl, row.mergedInto);
    const mergedInto = { id: row.mergedInto, ...(mergedLink ? { link: mergedLink } : {}) };
    const own = ticketLink(deps.publicUrl, ticketId);
    return { text: alertFallbackText(row), blocks: buildAlertBlocks(row, { minConfidence: deps.minConfidence, activity, mergedInto, ...(own ? { link: own } : {}) }) };
  }
  const t: AlertTicket = row;
  const link = ticketLink(deps.publicUrl, ticketId);
  const canReply = senderFor(deps.replySenders, row) !== undefined;
  const last = canReply ? await latestReply(deps.db.sql, ticketId) : null;
  const failedReply = last?.state === 'failed' ? { id: last.id, error: last.last_error } : undefined;
  const sla = await cardSlaLines(deps.db.sql, ticketId);
  const customer = await cardCustomerLines(deps.db, row, { publicUrl: deps.publicUrl, relatedDays: deps.relatedDays ?? 30 });
  return {
    text: alertFallbackText(t),
    blocks: buildAlertBlocks(t, { minConfidence: deps.minConfidence, activity, canReply, canBlock: deps.canBlock ?? false, sla, customer, ...(failedReply ? { failedReply } : {}), ...(link ? { link } : {}) }),
  };
}
