/**
 * The send job (queue REPLY_QUEUE, one job per stored reply): finds the ticket's reply sender, sends, and marks the
 * reply sent. Its state row makes it idempotent: a reply already sent (or failed) is skipped, and every
 * attempt carries the reply's Message-ID fixed at store time (src/ingest/replies.ts).
 *   TransientSendError (and anything unexpected): thrown, so pg-boss retries with backoff; failed after the last.
 *     A Retry-After of up to two minutes is waited for first, and the send tried once more in the same job.
 *   PermanentSendError: failed at once, no retry.
 * Sent and failed are announced to ticketEvents.replyFinished in the transaction that marks them (the Slack
 * adapter then posts "replied by" in the alert's thread, or shows the failure and a Retry on the card).
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { JobQueue, QueueJob } from '../db/queue.ts';
import { finishReply, getReply, recordAttempt, recordTransientError } from '../db/repositories/replies.ts';
import { getTicket } from '../db/repositories/tickets.ts';
import { QUEUE_POLICIES, REPLY_QUEUE } from '../db/queue-registry.ts';
import type { TicketEvents } from '../ingest/ticket-events.ts';
import { senderFor, PermanentSendError, TransientSendError, type ReplySender } from '../domain/reply.ts';

export interface ReplyJob { replyId: number }

export interface SendJobDeps {
  db: Database;
  queue: JobQueue;
  senders: readonly ReplySender[];
  ticketEvents: TicketEvents;
  logger: Logger;
}

export async function startReplyWorker(deps: SendJobDeps, options: { retryLimit?: number; retryDelay?: number } = {}): Promise<void> {
  const policy = { ...QUEUE_POLICIES[REPLY_QUEUE], ...options };
  await deps.queue.createQueue(REPLY_QUEUE, policy);
  await deps.queue.work<ReplyJob>(REPLY_QUEUE, { concurrency: 4 }, (job) => sendReply(deps, job, policy.retryLimit));
}

/** A Retry-After up to this long is waited for inside the job; a longer one is left to the queue's backoff. */
const MAX_WAIT_IN_JOB_S = 120;

export async function sendReply(deps: SendJobDeps, job: QueueJob<ReplyJob>, retryLimit: number): Promise<void> {
  const { replyId } = job.data;
  const reply = await getReply(deps.db.sql, replyId);
  // Sent already (a retry after a crash that came after the commit) or given up: nothing to do.
  if (!reply || reply.state !== 'queued') return;
  const log = deps.logger.child({ replyId, ticketId: reply.ticket_id, messageId: reply.message_id });
  const fail = (error: string) =>
    deps.db.transaction(async (tx) => {
      if (await finishReply(tx, replyId, 'failed', { error })) await deps.ticketEvents.replyFinished(tx, reply.ticket_id, replyId);
    });

  const ticket = await getTicket(deps.db.sql, reply.ticket_id);
  const sender = ticket ? senderFor(deps.senders, ticket) : undefined;
  if (!ticket || !sender) {
    log.warn('reply not sent: the ticket is gone or nothing can answer it any more');
    await fail(ticket ? `no way to reply to ${ticket.source} tickets is configured` : 'the ticket was deleted');
    return;
  }
  const attempt = async () => {
    await recordAttempt(deps.db.sql, replyId);
    return sender.send(ticket, {
      replyId,
      ticketId: ticket.id,
      text: reply.body,
      agent: { slackUserId: reply.agent_slack_id, name: reply.agent_name },
      idempotencyKey: reply.message_id,
    });
  };
  try {
    const sent = await attempt().catch(async (error: unknown) => {
      // The helpdesk said how long to wait: a short wait is kept here (the job's heartbeat keeps it), since the
      // queue's backoff would ask again too early and spend a retry on another 429.
      const wait = error instanceof TransientSendError ? error.retryAfterSeconds : undefined;
      if (wait === undefined || wait > MAX_WAIT_IN_JOB_S) throw error;
      log.info({ err: error instanceof Error ? error.message : String(error), retryAfter: wait }, 'reply: waiting as the helpdesk asked, then trying again');
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      return attempt();
    });
    await deps.db.transaction(async (tx) => {
      if (await finishReply(tx, replyId, 'sent', { externalId: sent.externalId ?? null })) await deps.ticketEvents.replyFinished(tx, ticket.id, replyId);
    });
    log.info({ externalId: sent.externalId }, 'reply sent');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof PermanentSendError || job.retryCount >= retryLimit) {
      log.error({ err: message, retries: job.retryCount }, 'reply could not be sent');
      await fail(message);
      return;
    }
    await recordTransientError(deps.db.sql, replyId, message);
    log.warn({ err: message, retries: job.retryCount, retryAfter: error instanceof TransientSendError ? error.retryAfterSeconds : undefined }, 'reply not sent yet, will retry');
    throw error;
  }
}
