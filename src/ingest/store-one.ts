/**
 * One delivery decided and stored in its own transaction: the path of follow-ups, deliveries on a door's
 * thread (threadKey), messages with attachments, and the group commit's fallback. Its verdict's audit row
 * commits with it, so a concurrent copy of the delivery that waits on this one's writes sees both.
 */
import { insertAttachments } from '../db/repositories/attachments.ts';
import { findStoredDeliveryTicket, insertInboundEvents } from '../db/repositories/inbound-events.ts';
import { insertFollowup } from '../db/repositories/messages.ts';
import { insertTickets } from '../db/repositories/new-tickets.ts';
import { insertStatusChange } from '../db/repositories/status-changes.ts';
import { endSnooze, findStoredMessage, findTicketIdByExternalId, reopenIfWaiting, touchTicket } from '../db/repositories/tickets.ts';
import type { Sql } from '../db/sql.ts';
import type { InboundMessage } from '../domain/inbound-message.ts';
import { auditRow } from './audit.ts';
import type { Delivery } from './delivery.ts';
import { type CustomerMemo, resolveCustomer, senderOf } from './customers.ts';
import { findThreadTicket } from './thread.ts';
import type { TicketEvents } from './ticket-events.ts';

export interface StoreResult {
  outcome: 'created' | 'followup' | 'duplicate';
  ticketId: number;
  messageId?: number;
}

export interface StoreOneDeps {
  ticketEvents: TicketEvents;
  /** The instance's memo of customers (src/ingest/customers.ts). */
  customers?: CustomerMemo;
  /** Completes a new ticket in its transaction: Idempotency-Key, classification job. */
  ticketCreated(tx: Sql, ticketId: number): Promise<void>;
}

export const verdictOf = (outcome: StoreResult['outcome']) => (outcome === 'created' ? 'accepted' : outcome);

/** Decides and stores `msg` (normalized) for delivery `d` inside `tx`, with the verdict's audit row. */
export async function storeOne(deps: StoreOneDeps, tx: Sql, d: Delivery, msg: InboundMessage): Promise<StoreResult> {
  const result = await decide(deps, tx, d, msg);
  await insertInboundEvents(tx, [auditRow(d, verdictOf(result.outcome), result.ticketId)]);
  return result;
}

async function decide(deps: StoreOneDeps, tx: Sql, d: Delivery, msg: InboundMessage): Promise<StoreResult> {
  // Its sender is seen now, whatever the message turns out to be; a new ticket points at them.
  const customerId = await resolveCustomer(tx, senderOf(msg), deps.customers);
  if (d.threadKey) {
    // On a door's thread the delivery id is the dedupe key: the first copy of an update for a thread we did
    // not hold opened a ticket keyed by the thread, and a second copy would otherwise look like its follow-up.
    // The thread is looked up first: once its ticket is visible, so is the audit row committed with it.
    const open = await findTicketIdByExternalId(tx, msg.source, d.threadKey);
    const earlier = await storedDelivery(tx, d);
    if (earlier !== undefined) return { outcome: 'duplicate', ticketId: earlier };
    if (open === undefined) {
      const [opened] = await insertTickets(tx, [{ ...msg, externalId: d.threadKey }], [customerId]);
      if (opened!.created) return created(deps, tx, opened!.ticketId, msg);
      // Another delivery on this thread opened the ticket meanwhile: its transaction committed before this
      // insert went on (PostgreSQL waits on the conflicting row), so its ticket and audit row are visible now.
      const again = await storedDelivery(tx, d);
      if (again !== undefined) return { outcome: 'duplicate', ticketId: again };
      // The thread's ticket was deleted: nothing to follow.
      if ((await findTicketIdByExternalId(tx, msg.source, d.threadKey)) === undefined) return { outcome: 'duplicate', ticketId: opened!.ticketId };
    }
    msg = { ...msg, externalId: d.deliveryId, thread: { externalTicketId: d.threadKey } };
  }
  const stored = msg.externalId ? await findStoredMessage(tx, msg.source, msg.externalId) : null;
  if (stored) return { outcome: 'duplicate', ...stored };
  const threadTicketId = await findThreadTicket(tx, msg);
  if (threadTicketId !== null) return followUp(deps, tx, threadTicketId, msg);
  const [ticket] = await insertTickets(tx, [msg], [customerId]);
  if (!ticket!.created) return { outcome: 'duplicate', ticketId: ticket!.ticketId };
  return created(deps, tx, ticket!.ticketId, msg);
}

const storedDelivery = (tx: Sql, d: Delivery) => (d.deliveryId ? findStoredDeliveryTicket(tx, d.door, d.deliveryId) : Promise.resolve(undefined));

async function created(deps: StoreOneDeps, tx: Sql, ticketId: number, msg: InboundMessage): Promise<StoreResult> {
  await insertAttachments(tx, ticketId, null, msg.attachments);
  await deps.ticketCreated(tx, ticketId);
  return { outcome: 'created', ticketId };
}

async function followUp(deps: StoreOneDeps, tx: Sql, ticketId: number, msg: InboundMessage): Promise<StoreResult> {
  const { ticketEvents } = deps;
  const messageId = await insertFollowup(tx, ticketId, msg);
  if (messageId === null) return { outcome: 'duplicate', ticketId };
  await touchTicket(tx, ticketId);
  // The customer answered an agent's reply: the ticket needs an agent again.
  if (await reopenIfWaiting(tx, ticketId)) {
    await insertStatusChange(tx, { ticketId, from: 'waiting_on_customer', to: 'open', actor: 'customer' });
    await ticketEvents.ticketChanged(tx, ticketId, { kind: 'status', status: 'open', actor: 'customer' });
  }
  // A snoozed ticket wakes when the customer writes, whatever time the snooze was set for.
  if (await endSnooze(tx, ticketId)) {
    await ticketEvents.ticketChanged(tx, ticketId, { kind: 'unsnooze', reason: 'answered', actor: 'customer' });
  }
  await insertAttachments(tx, ticketId, messageId, msg.attachments);
  await ticketEvents.followUpAdded(tx, ticketId, messageId);
  return { outcome: 'followup', ticketId, messageId };
}
