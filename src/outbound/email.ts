/**
 * The e-mail reply sender: an agent's reply to an e-mail ticket, by SMTP (nodemailer) through the mailbox the
 * ticket came to. The mail threads back onto the ticket three ways, so the customer's answer finds it
 * whatever their client keeps: In-Reply-To / References (the customer's own References chain, the
 * conversation's Message-IDs, then the mail answered; RFC 5322 3.6.4), and our ticket reference `[#42]` in
 * the subject (src/ingest/thread.ts tries all three).
 *
 * A satisfaction survey (reply.survey) goes the same way, marked Auto-Submitted: auto-generated.
 * An agent's reply is a person's answer, so it is NOT marked Auto-Submitted (a customer's auto-responder may then answer
 * it; src/inbound/imap/noise.ts drops those). Our own copy, should it come back to the mailbox (Bcc, a
 * server that files sent mail in the inbox), is from the support address: noise.ts drops it as a loop.
 *
 * Never sent twice with different ids: the Message-ID is the reply's idempotency key, fixed when it was
 * stored. If the process dies after the server accepted the mail and before we stored "sent", the retry
 * sends the same message with the same Message-ID, which mail clients and mailbox providers treat as one
 * message (the accepted answer: SMTP has no idempotent submission).
 */
import type { Transporter } from 'nodemailer';
import type { ImapMailbox, SmtpSettings } from '../config/mailbox.ts';
import type { Sql } from '../db/sql.ts';
import { emailThreadOf } from '../db/repositories/replies.ts';
import type { Ticket } from '../domain/ticket.ts';
import { PermanentSendError, TransientSendError, type OutboundReply, type ReplySender, type SentReply } from '../domain/reply.ts';

/** At most this many Message-IDs in References (RFC 5322 allows any; some servers cap header length). */
const MAX_REFERENCES = 20;

export interface EmailSenderOptions {
  mailboxes: readonly ImapMailbox[];
  db: Sql;
  /** Per-step SMTP deadlines (connect, greeting, each command). */
  timeoutMs?: number;
}

export function createEmailSender(opts: EmailSenderOptions): ReplySender & { close(): void } {
  const sending = opts.mailboxes.filter((m): m is ImapMailbox & { smtp: SmtpSettings; supportAddress: string } => !!m.smtp && !!m.supportAddress);
  const transports = new Map<string, Transporter>();
  const timeout = opts.timeoutMs ?? 30_000;
  const transportFor = async (m: ImapMailbox & { smtp: SmtpSettings }) => {
    let t = transports.get(m.id);
    if (!t) {
      const { host, port, secure, user, password } = m.smtp;
      // Loaded with the first reply by e-mail: ~9 MB a service that never sends mail does not carry.
      const { default: nodemailer } = await import('nodemailer');
      // Two first replies at once: the one that got here first made the transport.
      const made = transports.get(m.id);
      if (made) return made;
      t = nodemailer.createTransport({
        host, port, secure,
        ...(user ? { auth: { user, pass: password ?? '' } } : {}),
        connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout,
      });
      transports.set(m.id, t);
    }
    return t;
  };

  return {
    sources: ['email'],
    canReply: (ticket) => sending.length > 0 && !!(ticket.replyTo ?? ticket.requesterEmail),
    async send(ticket: Ticket, reply: OutboundReply): Promise<SentReply> {
      const to = ticket.replyTo ?? ticket.requesterEmail;
      if (!to) throw new PermanentSendError('the ticket has no address to reply to');
      const thread = await emailThreadOf(opts.db, ticket.id);
      // The mailbox the mail came to; a ticket from before the mailbox ids (or one mailbox) falls back to the only one.
      const mailbox = sending.find((m) => m.id === thread.mailboxId) ?? (sending.length === 1 ? sending[0] : undefined);
      if (!mailbox) throw new PermanentSendError(`no SMTP settings for mailbox ${thread.mailboxId ?? '(unknown)'}`);
      const references = replyReferences(thread.parentReferences, thread.messageIds, thread.lastCustomerMessageId, reply.idempotencyKey);
      try {
        const info = await (await transportFor(mailbox)).sendMail({
          from: { name: reply.agent.name ?? 'Support', address: reply.survey?.from ?? mailbox.supportAddress },
          to,
          subject: replySubject(ticket),
          text: reply.text,
          messageId: reply.idempotencyKey,
          ...(thread.lastCustomerMessageId ? { inReplyTo: thread.lastCustomerMessageId } : {}),
          ...(references.length ? { references } : {}),
          // Asks Exchange/Outlook not to answer with out-of-office notes; says nothing of who wrote it.
          // A survey is automatic mail (RFC 3834): auto-responders leave it alone.
          headers: { 'X-Auto-Response-Suppress': 'OOF, AutoReply', ...(reply.survey ? { 'Auto-Submitted': 'auto-generated' } : {}) },
        });
        if (info.rejected?.length) throw new PermanentSendError(`recipient refused: ${info.rejected.map(String).join(', ')}`);
        return { externalId: info.messageId };
      } catch (error) {
        throw asSendError(error);
      }
    },
    close() {
      for (const t of transports.values()) t.close();
      transports.clear();
    },
  };
}

/**
 * References of a reply (RFC 5322 3.6.4): the answered mail's own References (the customer's chain, which
 * may start long before the ticket), then the ticket's conversation, then the answered mail's Message-ID
 * last, each id once. Past MAX_REFERENCES the first (the thread's root) and the latest are kept.
 */
export function replyReferences(parentReferences: readonly string[], conversation: readonly string[], parentId: string | null, ownId: string): string[] {
  const ids: string[] = [];
  for (const id of [...parentReferences, ...conversation]) if (id !== parentId && id !== ownId && !ids.includes(id)) ids.push(id);
  if (parentId && parentId !== ownId) ids.push(parentId);
  return ids.length > MAX_REFERENCES ? [ids[0]!, ...ids.slice(-(MAX_REFERENCES - 1))] : ids;
}

/** "Re: <their subject> [#42]": our ticket reference kept once, "Re:" not stacked. */
export function replySubject(ticket: Pick<Ticket, 'id' | 'subject'>): string {
  const base = (ticket.subject ?? '').replace(/[\r\n]+/g, ' ').replace(/^\s*((re|aw|sv|vs|antw)\s*:\s*)+/i, '').trim();
  const tag = `[#${ticket.id}]`;
  const subject = base.includes(tag) ? base : `${base ? `${base} ` : ''}${tag}`;
  return `Re: ${subject}`.slice(0, 900);
}

/** SMTP 5xx (and a refused recipient) is for good; 4xx, network and timeouts are worth a retry. */
export function asSendError(error: unknown): Error {
  if (error instanceof PermanentSendError || error instanceof TransientSendError) return error;
  const e = error as { responseCode?: number; code?: string; message?: string };
  const message = `SMTP: ${e.message ?? String(error)}`.slice(0, 500);
  // By the server's answer only: nodemailer's own codes (EMESSAGE, EENVELOPE) come with 4xx answers too.
  if (typeof e.responseCode === 'number' && e.responseCode >= 500) return new PermanentSendError(message);
  return new TransientSendError(message);
}
