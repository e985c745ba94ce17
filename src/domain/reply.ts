/**
 * Replies to the customer, the way out of the pipeline: an agent's text goes back through the ticket's own
 * reply sender (e-mail by SMTP, a helpdesk's API, a signed outbound webhook: src/outbound/). This file is the
 * seam between the sending job, which stores, retries and never sends twice, and the senders, which only know
 * their protocol.
 */
import type { Ticket } from './ticket.ts';

/** One reply, as the sending job hands it to a sender. Everything a retry needs is fixed before the first attempt. */
export interface OutboundReply {
  /** Our id of the stored outbound message. */
  replyId: number;
  ticketId: number;
  text: string;
  /** Who sends it (the Slack agent). */
  agent: { slackUserId: string; name: string | null };
  /**
   * Fixed when the reply is stored, before the first attempt, and the same on every retry: the e-mail
   * Message-ID, and the idempotency key wherever a helpdesk API takes one.
   */
  idempotencyKey: string;
  /**
   * A satisfaction survey, not an agent's answer: sent as automatic mail (Auto-Submitted), from `from` when
   * set, and as type "survey" with its page's `url` through a webhook.
   */
  survey?: { url: string; from?: string | undefined };
}

/** What the sender knows after a successful send (the id the other side gave the reply, if any). */
export interface SentReply {
  externalId?: string;
}

/** The other side answered and refused for good (401, 404, 422, a mailbox rejecting the address): no retry. */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
}

/** Anything else (network, timeout, 429, 5xx) is transient: the job retries with backoff. */
export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
  /** Seconds the other side asked us to wait (Retry-After), if it said. */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, retryAfterSeconds?: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** One way back to customers: serves the tickets of one or more sources. */
export interface ReplySender {
  /** The ticket sources this sender answers (e.g. ['email'], ['zendesk'], ['api']). */
  readonly sources: readonly string[];
  /** Whether this particular ticket can be answered (e.g. it has an address or an external id). */
  canReply(ticket: Ticket): boolean;
  send(ticket: Ticket, reply: OutboundReply): Promise<SentReply>;
}

/** Where the reply modal's first text comes from; nothing is sent without an agent pressing send. */
export interface DraftSource {
  draft(ticket: Ticket): Promise<Draft>;
}

export interface Draft {
  text: string;
  /** Recorded with the reply: 'ai' (a model wrote it), 'saved_reply', or 'none' (an empty box). */
  origin: 'ai' | 'saved_reply' | 'none';
  savedReplyId?: number;
}

export const emptyDraft: DraftSource = { draft: async () => ({ text: '', origin: 'none' }) };

/** The sender for a ticket, or undefined when nothing can answer it (then the card shows no Reply button). */
export function senderFor(senders: readonly ReplySender[], ticket: Ticket): ReplySender | undefined {
  return senders.find((d) => d.sources.includes(ticket.source) && d.canReply(ticket));
}

/** One text to many customers (reply to all of an incident): `{name}` becomes each one's first name, or "there". */
export function personalise(text: string, requesterName: string | null): string {
  const first = requesterName?.trim().split(/\s+/)[0];
  return text.replaceAll('{name}', first || 'there');
}
