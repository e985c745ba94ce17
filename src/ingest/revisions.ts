/**
 * What a door reports about messages it already handed in: an edit or a deletion where the message was
 * written (the ticket's copy changes, the old text is kept in its history), and a teammate answering the
 * customer at the door itself (stored as an outbound message, sent: it stops the first-response clock like
 * a reply from the card). Each is one transaction with its audit row.
 */
import { randomUUID } from 'node:crypto';
import { insertInboundEvents } from '../db/repositories/inbound-events.ts';
import { insertSentReply } from '../db/repositories/replies.ts';
import { reviseSlackMessage } from '../db/repositories/slack-door.ts';
import { findTicketIdByExternalId, lockTicket, updateStatus } from '../db/repositories/tickets.ts';
import type { Sql } from '../db/sql.ts';
import { auditRow } from './audit.ts';
import type { Delivery, DeliveryVerdict } from './delivery.ts';
import { cleanText } from './normalize.ts';
import type { TicketEvents } from './ticket-events.ts';

type Revision = Extract<Delivery['content'], { revision: unknown }>['revision'];
type Answer = Extract<Delivery['content'], { answer: unknown }>['answer'];

export async function storeRevision(tx: Sql, ticketEvents: TicketEvents, d: Delivery, r: Revision): Promise<DeliveryVerdict> {
  const body = cleanText(r.body).trim() || '(empty)';
  const ticketId = (await reviseSlackMessage(tx, r.externalId, { body, deleted: r.deleted, at: r.at })) ?? null;
  const verdict = ticketId === null ? 'ignored' : 'revised';
  const reason = ticketId === null ? 'no stored copy of this message (or the same text)' : r.deleted ? 'deleted at the door' : 'edited at the door';
  await insertInboundEvents(tx, [auditRow(d, verdict, ticketId, reason)]);
  // The card shows the ticket's text: it follows the edit (and open consoles hear of it).
  if (ticketId !== null) await ticketEvents.ticketChanged(tx, ticketId, { kind: 'revised', deleted: r.deleted, actor: `door:${d.door}` });
  return { verdict, ticketId, reason };
}

export async function storeAnswer(tx: Sql, ticketEvents: TicketEvents, d: Delivery, a: Answer): Promise<DeliveryVerdict> {
  const ticketId = (await findTicketIdByExternalId(tx, a.source, a.ticketKey)) ?? null;
  const text = cleanText(a.text).trim();
  const none = async (reason: string): Promise<DeliveryVerdict> => {
    await insertInboundEvents(tx, [auditRow(d, 'ignored', ticketId, reason)]);
    return { verdict: 'ignored', ticketId, reason };
  };
  if (ticketId === null) return none('no ticket on this thread');
  if (!text) return none('an answer without text');
  const current = await lockTicket(tx, ticketId);
  if (!current) return none('no ticket on this thread');
  const replyId = await insertSentReply(tx, {
    ticketId, agentSlackId: a.agent.slackUserId.slice(0, 32), agentName: a.agent.name?.slice(0, 255) ?? null, body: text.slice(0, 20_000),
    messageId: `<answer.${randomUUID()}@slack>`, requestKey: `${a.source}:${a.externalId}`.slice(0, 255), externalId: a.externalId.slice(0, 255), sentAt: a.at,
  });
  if (replyId === null) {
    await insertInboundEvents(tx, [auditRow(d, 'duplicate', ticketId)]);
    return { verdict: 'duplicate', ticketId };
  }
  if (current.status !== 'waiting_on_customer' && current.status !== 'resolved') {
    await updateStatus(tx, ticketId, 'waiting_on_customer');
    await ticketEvents.ticketChanged(tx, ticketId, { kind: 'status', status: 'waiting_on_customer', actor: `slack:${a.agent.slackUserId}` });
  }
  await ticketEvents.replyFinished(tx, ticketId, replyId);
  await insertInboundEvents(tx, [auditRow(d, 'answered', ticketId)]);
  return { verdict: 'answered', ticketId };
}
