/**
 * The one entry every door calls. A door hands in a delivery (src/ingest/delivery.ts): a message, or its
 * reason for storing nothing. Ingest decides what it is (new ticket, follow-up, duplicate; suppressed: a
 * blocked sender's, kept as spam; or ignored, rejected, failed), stores the ticket or follow-up and enqueues its
 * classification in ONE transaction with the verdict's audit row (inbound_events), and returns the verdict.
 * When it resolves, the delivery is durable; the door may acknowledge it (HTTP 2xx, IMAP flag). New tickets
 * without thread hints are group-committed: concurrent deliveries share a statement and a commit, each still
 * answered only after that commit. A follow-up is announced to ticketEvents.followUpAdded (ticket-events.ts)
 * inside its transaction.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { findIdempotencyKey, insertIdempotencyKeys } from '../db/repositories/idempotency-keys.ts';
import { insertInboundEvents } from '../db/repositories/inbound-events.ts';
import { notifyConsole } from '../db/repositories/console-signals.ts';
import { insertTickets } from '../db/repositories/new-tickets.ts';
import { ticketIdForMessageIds } from '../db/repositories/tickets.ts';
import type { Sql } from '../db/sql.ts';
import type { InboundMessage } from '../domain/inbound-message.ts';
import { createGroupCommit } from '../lib/group-commit.ts';
import type { JobQueue } from '../db/queue.ts';
import { auditRow, createAuditTrail } from './audit.ts';
import type { Delivery, DeliveryVerdict } from './delivery.ts';
import { IngestValidationError, normalizeEmail, normalizeMessage, textProblem } from './normalize.ts';
import type { SenderBlocks } from './sender-blocks.ts';
import { createSpamKeeper } from './keep-spam.ts';
import { createCustomerMemo, resolveCustomer, resolveCustomers, senderOf } from './customers.ts';
import type { Person } from '../domain/customer.ts';
import { storeOne, type StoreResult, verdictOf } from './store-one.ts';
import type { TicketEvents } from './ticket-events.ts';
import { CLASSIFY_QUEUE } from '../db/queue-registry.ts';
import { storeAnswer, storeRevision } from './revisions.ts';

/** `replayed`: the delivery repeated an Idempotency-Key; the ticket is the one its first request created. */
export type IngestResult = StoreResult & { replayed?: true };

export interface IngestOptions {
  /** REST Idempotency-Key: stored with the ticket in the same transaction. */
  idempotency?: { key: string; requestHash: string };
  /** false: classify the ticket without a Slack alert (history loaded by the seed command). Default true. */
  alert?: boolean;
}

/**
 * `deliver` is the doors' entry. Called as a function, it takes a message handed in by the service itself
 * (the seed command, tests): a delivery of the message's source with its externalId as the delivery id.
 * Both throw IngestValidationError (recorded as `rejected`) for a message that cannot be stored.
 */
export type Ingest = ((msg: InboundMessage, options?: IngestOptions) => Promise<IngestResult>) & {
  deliver(delivery: Delivery, options?: IngestOptions): Promise<DeliveryVerdict>;
  /**
   * The customer of a person (created when unknown), for a door that needs it before it hands in a message
   * (src/ingest/customers.ts). Messages need no call: ingest resolves their sender as it stores them.
   */
  resolveCustomer(person: Person): Promise<number | null>;
  /** Waits for every audit row of a delivery without a ticket handed in so far (before the database closes). */
  drain(): Promise<void>;
};

/** The Idempotency-Key was taken by a concurrent request (inside ingest: it then re-reads the key). */
class IdempotencyKeyTaken extends Error {
  constructor(key: string) {
    super(`Idempotency-Key "${key}" is already in use`);
    this.name = 'IdempotencyKeyTaken';
  }
}

/** The Idempotency-Key was used before with a different request body: refused, nothing stored (REST: 409). */
export class IdempotencyKeyReused extends Error {
  constructor(key: string) {
    super(`Idempotency-Key "${key}" was already used with a different request body`);
    this.name = 'IdempotencyKeyReused';
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
  /** Blocked senders: their messages are kept as spam, verdict `suppressed` (src/ingest/sender-blocks.ts). */
  blocks?: SenderBlocks;
}

interface Item {
  delivery: Delivery;
  msg: InboundMessage;
  options: IngestOptions;
}

/** The classify job's flag for tickets that must not alert (absent otherwise, so jobs stay as they were). */
const quiet = (options: IngestOptions) => (options.alert === false ? { alert: false } : {});

export function createIngest(deps: IngestDeps): Ingest {
  const { db, queue, ticketEvents } = deps;
  const customers = createCustomerMemo();

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

  /** Completes a new ticket in its transaction: its Idempotency-Key, its classification job. */
  const ticketCreated = (options: IngestOptions) => async (tx: Sql, ticketId: number) => {
    await recordKeys(tx, [{ ticketId, options }]);
    await queue.send(CLASSIFY_QUEUE, { ticketId, ...quiet(options) }, {}, tx);
    // Open consoles (src/console/live.ts) show the new ticket on commit, before it is classified.
    await notifyConsole(tx, { ticket: ticketId, kind: 'created' });
  };

  const ingestOne = ({ delivery, msg, options }: Item): Promise<IngestResult> =>
    db.transaction((tx) => storeOne({ ticketEvents, customers, ticketCreated: ticketCreated(options) }, tx, delivery, msg));

  const writeGroup = async (items: Item[]): Promise<(IngestResult | Error)[]> => {
    try {
      return await db.transaction(async (tx) => {
        const customerIds = await resolveCustomers(tx, items.map((i) => senderOf(i.msg)), customers);
        const stored = await insertTickets(tx, items.map((i) => i.msg), customerIds);
        const created = stored.map((s, i) => ({ ...s, options: items[i]!.options })).filter((s) => s.created);
        await recordKeys(tx, created);
        // One signal for the group: an open inbox reloads once whatever the number of new tickets.
        if (created.length) await notifyConsole(tx, { ticket: created.at(-1)!.ticketId, kind: 'created' });
        // One job for the group, not one per ticket: each job is an insert, a fetch and a completion in
        // pg-boss's table, which cost more than the tickets themselves at high rates.
        // (Two when the group mixes tickets that alert with seeded ones that do not.)
        for (const options of [{}, { alert: false }]) {
          const ids = created.filter((s) => (s.options.alert === false) === (options.alert === false)).map((s) => s.ticketId);
          if (ids.length) await queue.send(CLASSIFY_QUEUE, { ticketIds: ids, ...quiet(options) }, {}, tx);
        }
        const results = stored.map((s): IngestResult => ({ outcome: s.created ? 'created' : 'duplicate', ticketId: s.ticketId }));
        await insertInboundEvents(tx, results.map((r, i) => auditRow(items[i]!.delivery, verdictOf(r.outcome), r.ticketId)));
        return results;
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
  // PGlite is one connection; on PostgreSQL two audit groups may be written at once.
  const audit = createAuditTrail(db.sql, deps.logger, { maxInFlight: db.kind === 'pglite' ? 1 : 2 });
  const keepAsSpam = createSpamKeeper(db);

  const storeMessage = async (delivery: Delivery, options: IngestOptions): Promise<IngestResult> => {
    let msg: InboundMessage;
    try {
      requireStorable('delivery_id', delivery.deliveryId);
      requireStorable('thread_key', delivery.threadKey);
      msg = normalizeMessage((delivery.content as { message: InboundMessage }).message);
    } catch (error) {
      if (error instanceof IngestValidationError) await audit.record(delivery, 'rejected', null, `Message cannot be stored: ${error.message}`);
      throw error;
    }
    const simple = !delivery.threadKey && !msg.thread && !msg.attachments?.length;
    const store = () => (simple ? grouped({ delivery, msg, options }) : ingestOne({ delivery, msg, options }));
    const result = options.idempotency ? await storeOnceByKey(delivery, options.idempotency, store) : await store();
    deps.onResult?.(msg.source, result.outcome);
    return result;
  };

  /**
   * A request repeating an Idempotency-Key is a duplicate of the ticket its first request created (recorded as
   * such); with another body it is refused. A concurrent request taking the key first makes ours a replay too.
   */
  const storeOnceByKey = async (delivery: Delivery, key: { key: string; requestHash: string }, store: () => Promise<IngestResult>) => {
    const replay = async (): Promise<IngestResult | null> => {
      const earlier = await findIdempotencyKey(db.sql, key.key);
      if (!earlier) return null;
      if (earlier.requestHash !== key.requestHash) {
        await audit.record(delivery, 'rejected', earlier.ticketId, 'Idempotency-Key already used with a different request body');
        throw new IdempotencyKeyReused(key.key);
      }
      await audit.record(delivery, 'duplicate', earlier.ticketId, 'Idempotency-Key replay');
      return { outcome: 'duplicate', ticketId: earlier.ticketId, replayed: true };
    };
    const first = await replay();
    if (first) return first;
    try {
      return await store();
    } catch (error) {
      if (!(error instanceof IdempotencyKeyTaken)) throw error;
      const raced = await replay();
      if (raced) return raced;
      throw error;
    }
  };

  const deliver = async (delivery: Delivery, options: IngestOptions = {}): Promise<DeliveryVerdict> => {
    const { content } = delivery;
    if ('message' in content) {
      const block = await deps.blocks?.match(normalizeEmail(content.message.requesterEmail));
      const spamMessage = block ? storableOrUndefined(content.message) : undefined;
      if (block && spamMessage) {
        // A blocked sender: nothing is stored but the delivery's audit row, which keeps what the Spam view shows.
        await keepAsSpam({ delivery, block, msg: spamMessage });
        return { verdict: 'suppressed', ticketId: null, reason: 'the sender is blocked; the message was kept as spam' };
      }
      const result = await storeMessage(delivery, options);
      return {
        verdict: verdictOf(result.outcome),
        ticketId: result.ticketId,
        ...(result.messageId ? { messageId: result.messageId } : {}),
        ...(result.replayed ? { replayed: true as const } : {}),
      };
    }
    if ('revision' in content) return db.transaction((tx) => storeRevision(tx, ticketEvents, delivery, content.revision));
    if ('answer' in content) return db.transaction((tx) => storeAnswer(tx, ticketEvents, delivery, content.answer));
    if ('ignored' in content) {
      // A bounce or a delay notice is linked to the ticket of the mail it returns, when we hold it.
      const mentions = (content.mentions ?? []).filter((id) => !textProblem(id)); // one PostgreSQL cannot hold matches nothing stored
      const ticketId = mentions.length ? await ticketIdForMessageIds(db.sql, delivery.door, mentions) : null;
      await audit.record(delivery, 'ignored', ticketId, content.ignored);
      return { verdict: 'ignored', ticketId, reason: content.ignored };
    }
    const [verdict, reason] = 'rejected' in content ? (['rejected', content.rejected] as const) : (['failed', content.failed] as const);
    await audit.record(delivery, verdict, null, reason);
    return { verdict, ticketId: null, reason };
  };

  const ingestMessage = (msg: InboundMessage, options: IngestOptions = {}) =>
    storeMessage({ door: msg.source, deliveryId: msg.externalId ?? null, content: { message: msg } }, options);
  return Object.assign(ingestMessage, {
    deliver,
    drain: () => audit.drain(),
    resolveCustomer: (person: Person) => db.transaction((tx) => resolveCustomer(tx, person, customers)),
  });
}

/** The message normalized, or undefined when it cannot be stored (storeMessage then records why). */
function storableOrUndefined(msg: InboundMessage): InboundMessage | undefined {
  try {
    return normalizeMessage(msg);
  } catch (error) {
    if (error instanceof IngestValidationError) return undefined;
    throw error;
  }
}

/**
 * A door's ids are dedupe keys: one PostgreSQL cannot store (NUL, lone surrogate) or that is too long is a
 * permanent refusal, not an error the sender would retry forever. (Message ids are checked by normalize.ts.)
 */
function requireStorable(field: string, value: string | null | undefined): void {
  if (!value) return;
  // Characters as PostgreSQL counts them (code points), not UTF-16 units: 255 emoji fit a varchar(255).
  const problem = textProblem(value) ?? ([...value].length > 255 ? 'must be at most 255 characters' : null);
  if (problem) throw new IngestValidationError(field, problem);
}
