/**
 * Finds the ticket a message continues, if any. Hints are tried from the most to the least specific:
 * the provider's ticket id, our own ticket reference, then e-mail In-Reply-To / References. For e-mail,
 * a match only counts when the sender is the ticket's requester or one of its participants, so one
 * customer cannot write into another's ticket by guessing a "[#123]".
 */
import type { Sql } from '../db/sql.ts';
import type { InboundMessage } from '../domain/inbound-message.ts';

interface Candidate {
  id: number;
  requester_email: string | null;
  participants: string[] | null;
}

export async function findThreadTicket(tx: Sql, msg: InboundMessage): Promise<number | null> {
  const hints = msg.thread;
  if (!hints) return null;

  if (hints.externalTicketId) {
    const rows = await tx.query<Candidate>(
      'select id, requester_email, participants from tickets where source = $1 and external_id = $2 and deleted_at is null',
      [msg.source, hints.externalTicketId],
    );
    if (rows[0]) return rows[0].id;
  }

  const candidates: Candidate[] = [];
  const messageIds = [hints.inReplyTo, ...(hints.references ?? [])].filter((id): id is string => !!id);
  if (messageIds.length) {
    candidates.push(
      ...(await tx.query<Candidate>(
        `select t.id, t.requester_email, t.participants from tickets t
          where t.deleted_at is null and t.source = 'email' and t.external_id = any($1::text[])
         union
         select t.id, t.requester_email, t.participants from ticket_messages m join tickets t on t.id = m.ticket_id
          where t.deleted_at is null and m.source = 'email' and m.external_id = any($1::text[])`,
        [messageIds],
      )),
    );
  }
  if (hints.ticketId && Number.isSafeInteger(hints.ticketId)) {
    candidates.push(
      ...(await tx.query<Candidate>(
        'select id, requester_email, participants from tickets where id = $1 and deleted_at is null',
        [hints.ticketId],
      )),
    );
  }
  const allowed = candidates.filter((c) => senderMayJoin(msg, c));
  return allowed[0]?.id ?? null;
}

function senderMayJoin(msg: InboundMessage, ticket: Candidate): boolean {
  if (msg.source !== 'email') return true;
  const sender = msg.requesterEmail?.toLowerCase();
  if (!sender) return false;
  if (ticket.requester_email?.toLowerCase() === sender) return true;
  return (ticket.participants ?? []).some((p) => p.toLowerCase() === sender);
}
