/**
 * The one entry every door calls: normalize -> dedupe -> thread -> store ticket (or follow-up) and enqueue
 * its classification in ONE transaction -> return. When this resolves, the message is durable; the door may
 * acknowledge it (HTTP 2xx, IMAP flag). New tickets without thread hints are group-committed: concurrent
 * requests share a statement and a commit, each still answered only after that commit. A follow-up is
 * announced to ticketEvents.followUpAdded (ticket-events.ts) inside its transaction.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { insertAttachments } from '../db/repositories/attachments.ts';
import { insertIdempotencyKeys } from '../db/repositories/idempotency-keys.ts';
import { insertFollowup } from '../db/repositories/messages.ts';
import { insertTickets } from '../db/repositories/new-tickets.ts';
import { endSnooze, findStoredMessage, reopenIfWaiting, touchTicket } from '../db/repositories/tickets.ts';
import type { Sql } from '../db/sql.ts';
import type { InboundMessage } from '../domain/inbound-message.ts';
import { createGroupCommit } from '../lib/group-commit.ts';
import type { JobQueue } from '../db/queue.ts';
import { normalizeMessage } from './normalize.ts';
import { findThreadTicket } from './thread.ts';
import type { TicketEvents } from './ticket-events.ts';
import { CLASSIFY_QUEUE } from '../db/queue-registry.ts';

export { IngestValidationError } from './normalize.ts';

export interface IngestResult {
  outcome: 'created' | 'followup' | 'duplicate';
  ticketId: number;
  messageId?: number;
}

export interface IngestOptions {
  /** REST Idempotency-Key: stored with the ticket in the same transaction. */
  idempotency?: { key: string; requestHash: string };
  /** false: classify the ticket without a Slack alert (history loaded by the seed command). Default true. */
  alert?: boolean;
}

export type Ingest = (msg: InboundMessage, options?: IngestOptions) => Promise<IngestResult>;

/** The Idempotency-Key was taken by a concurrent request; the caller re-reads it. */
export class IdempotencyKeyTaken extends Error {
  constructor(key: string) {
    super(`Idempotency-Key "${key}" is already in use`);
    this.name = 'IdempotencyKeyTaken';
  }
}

export interface IngestDeps {
  db: Database;
  queue: JobQueue;
  /** Told of each follow-up, in its transaction (followUpAdded). */
  ticketEvents: TicketEvents;
  logger: Logger;
  onResult?: (source: string, outcome: IngestResult['outcome']) => void;
  /** Group commits written at once (PostgreSQL connections they may hold). */
  maxInFlight?: number;
}

interface Item {
  msg: InboundMessage;
  options: IngestOptions;
}

/** The classify job's flag for tickets that must not alert (absent otherwise, so jobs stay as they were). */
const quiet = (options: IngestOptions) => (options.alert === false ? { alert: false } : {});

export function createIngest(deps: IngestDeps): Ingest {
  const { db, queue, ticketEvents } = deps;

  const recordKeys = async (tx: Sql, pairs: { ticketId: number; options: IngestOptions }[]) => {
    const keyed = pairs.filter((p) => p.options.idempotency);
    if (!keyed.length) return;
    const inserted = await insertIdempotencyKeys(
      tx,
      keyed.map((p) => ({ key: p.options.idempotency!.key, requestHash: p.options.idempotency!.requestHash, ticketId: p.ticketId })),
    );
    if (inserted.length !== keyed.length) {
      const taken = keyed.find((p) => !inserted.includes(p.options.idempotency!.key));
      throw new IdempotencyKeyTaken(taken?.options.idempotency?.key ?? '?');
    }
  };

  const ingestOne = ({ msg, options }: Item): Promise<IngestResult> =>
    db.transaction(async (tx) => {
      const stored = msg.externalId ? await findStoredMessage(tx, msg.source, msg.externalId) : null;
      if (stored) return { outcome: 'duplicate', ...stored };
      const threadTicketId = await findThreadTicket(tx, msg);
      if (threadTicketId !== null) {
        const messageId = await insertFollowup(tx, threadTicketId, msg);
        if (messageId === null) return { outcome: 'duplicate', ticketId: threadTicketId };
        await touchTicket(tx, threadTicketId);
        // The customer answered an agent's reply: the ticket needs an agent again.
        if (await reopenIfWaiting(tx, threadTicketId)) {
          await ticketEvents.ticketChanged(tx, threadTicketId, { kind: 'status', status: 'open', actor: 'customer' });
        }
        // A snoozed ticket wakes when the customer writes, whatever time the snooze was set for.
        if (await endSnooze(tx, threadTicketId)) {
          await ticketEvents.ticketChanged(tx, threadTicketId, { kind: 'unsnooze', reason: 'answered', actor: 'customer' });
        }
        await insertAttachments(tx, threadTicketId, messageId, msg.attachments);
        await ticketEvents.followUpAdded(tx, threadTicketId, messageId);
        return { outcome: 'followup', ticketId: threadTicketId, messageId };
      }
      const [ticket] = await insertTickets(tx, [msg]);
      if (!ticket!.created) return { outcome: 'duplicate', ticketId: ticket!.ticketId };
      await insertAttachments(tx, ticket!.ticketId, null, msg.attachments);
      await recordKeys(tx, [{ ticketId: ticket!.ticketId, options }]);
      await queue.send(CLASSIFY_QUEUE, { ticketId: ticket!.ticketId, ...quiet(options) }, {}, tx);
      return { outcome: 'created', ticketId: ticket!.ticketId };
    });

  const writeGroup = async (items: Item[]): Promise<(IngestResult | Error)[]> => {
    try {
      return await db.transaction(async (tx) => {
        const stored = await insertTickets(tx, items.map((i) => i.msg));
        const created = stored.map((s, i) => ({ ...s, options: items[i]!.options })).filter((s) => s.created);
        await recordKeys(tx, created);
        // One job for the group, not one per ticket: each job is an insert, a fetch and a completion in
        // pg-boss's table, which cost more than the tickets themselves at high rates.
        // (Two when the group mixes tickets that alert with seeded ones that do not.)
        for (const options of [{}, { alert: false }]) {
          const ids = created.filter((s) => (s.options.alert === false) === (options.alert === false)).map((s) => s.ticketId);
          if (ids.length) await queue.send(CLASSIFY_QUEUE, { ticketIds: ids, ...quiet(options) }, {}, tx);
        }
        return stored.map((s): IngestResult => ({ outcome: s.created ? 'created' : 'duplicate', ticketId: s.ticketId }));
      });
    } catch (error) {
      if (items.length === 1) return [error instanceof Error ? error : new Error(String(error))];
      // One bad item must not fail its neighbours: write each on its own.
      deps.logger.warn({ err: error, size: items.length }, 'group commit failed; writing items one by one');
      const settled = await Promise.allSettled(items.map(ingestOne));
      return settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason instanceof Error ? s.reason : new Error(String(s.reason))));
    }
  };

  const grouped = createGroupCommit<Item, IngestResult>({
    write: writeGroup,
    maxGroupSize: 200,
    maxInFlight: db.kind === 'pglite' ? 1 : (deps.maxInFlight ?? 8),
  });

  return async (raw, options = {}) => {
    const msg = normalizeMessage(raw);
    const simple = !msg.thread && !msg.attachments?.length;
    const result = await (simple ? grouped({ msg, options }) : ingestOne({ msg, options }));
    deps.onResult?.(msg.source, result.outcome);
    return result;
  };
}
