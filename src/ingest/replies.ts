/**
 * An agent's reply to the customer, the people's change that leaves the building: stored as an outbound
 * message with its send job (src/outbound/send-job.ts) in ONE transaction, and the ticket moves to
 * waiting_on_customer. The Message-ID (the idempotency key of every door) is fixed here, before the first
 * attempt, so every retry sends the very same message.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../db/queue.ts';
import { notifyConsole } from '../db/repositories/console-signals.ts';
import { REPLY_QUEUE } from '../db/queue-registry.ts';
import { appendAudit } from '../db/repositories/audit-entries.ts';
import { findReplyByRequestKey, insertReply, requeueFailedReply } from '../db/repositories/replies.ts';
import { insertStatusChange } from '../db/repositories/status-changes.ts';
import { lockTicket, updateStatus } from '../db/repositories/tickets.ts';
import type { Draft } from '../domain/reply.ts';
import type { TicketEvents } from './ticket-events.ts';

/** Longest reply we store and send (characters); the modal's own limit is lower (Slack's 3000). */
export const MAX_REPLY_CHARS = 20_000;

export interface ReplyWriteDeps {
  db: Database;
  queue: JobQueue;
  ticketEvents: TicketEvents;
  /** The domain of our Message-IDs (the support address's), e.g. `support.example.com`. */
  messageIdDomain: string;
}

export interface ReplyInput {
  ticketId: number;
  text: string;
  agent: { slackUserId: string; name: string | null };
  /** Who pressed send, for the audit (slack:<id>, console:<id>); default slack:<agent's id>. */
  actor?: string;
  draft: Pick<Draft, 'origin' | 'savedReplyId'>;
  /** The same key twice (a Send pressed again after a slow answer) stores and sends one reply. */
  requestKey?: string;
}

export class InvalidReplyError extends Error {
  override readonly name = 'InvalidReplyError';
}

/**
 * What an agent typed, made safe to store and send: NUL and other control characters removed (PostgreSQL
 * text cannot hold NUL; a mail must not carry them), line ends normalized, outer blank space trimmed.
 * Throws InvalidReplyError when nothing is left or it is too long.
 */
export function cleanReplyText(raw: unknown): string {
  if (typeof raw !== 'string') throw new InvalidReplyError('Write a reply first.');
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  if (!text) throw new InvalidReplyError('Write a reply first.');
  if (text.length > MAX_REPLY_CHARS) throw new InvalidReplyError(`A reply can be at most ${MAX_REPLY_CHARS} characters.`);
  return text;
}

/** Our Message-ID for a reply: random, in our domain, stored before the first attempt. */
export function newMessageId(domain: string): string {
  return `<reply.${randomUUID()}@${domain}>`;
}

/**
 * Stores the reply and its send job; null when the ticket does not exist (or was deleted). A request key
 * already stored returns that reply (`duplicate`), with nothing new enqueued.
 */
export async function storeReply(deps: ReplyWriteDeps, input: ReplyInput): Promise<{ replyId: number; messageId: string; duplicate: boolean } | null> {
  const text = cleanReplyText(input.text);
  return deps.db.transaction(async (tx) => {
    const current = await lockTicket(tx, input.ticketId);
    if (!current) return null;
    const messageId = newMessageId(deps.messageIdDomain);
    const replyId = await insertReply(tx, {
      ticketId: input.ticketId,
      agentSlackId: input.agent.slackUserId,
      agentName: input.agent.name?.slice(0, 255) ?? null,
      body: text,
      draftOrigin: input.draft.origin,
      savedReplyId: input.draft.savedReplyId ?? null,
      messageId,
      requestKey: input.requestKey?.slice(0, 255) ?? null,
    });
    if (replyId === null) {
      const earlier = await findReplyByRequestKey(tx, input.requestKey!.slice(0, 255));
      if (!earlier) throw new Error('reply request key conflicted but cannot be found');
      return { replyId: earlier.id, messageId: earlier.message_id, duplicate: true };
    }
    await deps.queue.send(REPLY_QUEUE, { replyId }, { singletonKey: `reply:${replyId}` }, tx);
    const actor = input.actor ?? `slack:${input.agent.slackUserId}`;
    // The reply's text stays in ticket_replies: the entry points at it.
    await appendAudit(tx, { actor, action: 'reply', ticketId: input.ticketId, before: { status: current.status }, after: { reply_id: replyId, draft: input.draft.origin } });
    // Open consoles show the queued reply at once (its sending is a ticket event of its own).
    await notifyConsole(tx, { ticket: input.ticketId, kind: 'reply' });
    if (current.status !== 'waiting_on_customer') {
      await updateStatus(tx, input.ticketId, 'waiting_on_customer');
      await insertStatusChange(tx, { ticketId: input.ticketId, from: current.status, to: 'waiting_on_customer', actor: `slack:${input.agent.slackUserId}` });
      await deps.ticketEvents.ticketChanged(tx, input.ticketId, { kind: 'status', status: 'waiting_on_customer', actor: `slack:${input.agent.slackUserId}` });
    }
    return { replyId, messageId, duplicate: false };
  });
}

/** An agent's Retry on a failed reply: queued again with the same Message-ID. False when it was not failed. */
export async function retryReply(deps: Pick<ReplyWriteDeps, 'db' | 'queue'>, replyId: number, actor = 'slack'): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const ticketId = await requeueFailedReply(tx, replyId);
    if (ticketId === false) return false;
    await appendAudit(tx, { actor, action: 'reply_retry', ticketId, before: { reply_id: replyId, state: 'failed' }, after: { reply_id: replyId, state: 'queued' } });
    // No singletonKey: the first job of this reply is finished (it failed), a new one must run.
    await deps.queue.send(REPLY_QUEUE, { replyId }, {}, tx);
    return true;
  });
}
