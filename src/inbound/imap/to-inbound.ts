/**
 * ParsedEmail -> InboundMessage: the normalization the inbox door does before it calls ingest. Pure.
 */
import type { InboundMessage } from '../../domain/inbound-message.ts';
import { cleanText } from '../../ingest/normalize.ts';
import { externalIdOf, ticketReferenceOf, type ParsedEmail } from './parse-mail.ts';
import { FROM_UNUSABLE, type RequesterHeader } from './requester.ts';
import { visibleText } from './visible-text.ts';

export interface MailContext {
  mailbox: string;
  /** The configured mailbox it came from; its default category and channel are applied later (classify, alert). */
  source?: { mailboxId: string; defaultCategory?: string | undefined; slackChannel?: string | undefined };
  uid: number;
  uidValidity: string;
  /** The server's arrival time, used when the Date header is missing. */
  internalDate?: Date | null;
  supportAddresses: string[];
}

export function toInboundMessage(mail: ParsedEmail, ctx: MailContext): InboundMessage {
  const own = new Set(ctx.supportAddresses.map((a) => a.toLowerCase()));
  // A Reply-To naming the support address itself would make our replies loop back: not a reply address.
  const replyTo = mail.replyTo.map((a) => a.address).find((a) => !own.has(a)) ?? null;
  // The requester is who wrote (a From line, else Sender; requester.ts). Reply-To only says where answers go:
  // it must not decide whose ticket this is, or a customer whose mailer sets it could not thread onto their
  // own ticket. Only when From is there but broken (`"name" <>`) and Sender names nobody is it the best guess.
  const fromReplyTo = !mail.from && mail.fromBroken && replyTo !== null;
  const sender = mail.from?.address ?? (fromReplyTo ? replyTo : null);
  const requesterHeader: RequesterHeader | null = fromReplyTo ? 'reply-to' : mail.fromHeader;
  const problems = fromReplyTo ? mail.problems.map((p) => (p === FROM_UNUSABLE ? `${FROM_UNUSABLE}; requester taken from Reply-To` : p)) : mail.problems;
  const participants = [...mail.to, ...mail.cc, ...mail.replyTo]
    .map((a) => a.address)
    .filter((a) => a !== sender && !own.has(a));

  const { visible, trimmed } = visibleText(mail.text);
  let body = visible;
  if (!body.trim()) {
    // No text at all (attachment-only mail, empty body): still a ticket someone must look at.
    const names = mail.attachments.map((a) => a.filename ?? a.contentType).join(', ');
    body = mail.attachments.length ? `(no text; attachments: ${names})` : mail.subject ? `(no text) ${mail.subject}` : '(empty message)';
  }

  const ticketId = ticketReferenceOf(mail.subject);
  const hasThread = !!(ticketId || mail.inReplyTo || mail.references.length);
  return {
    source: 'email',
    // Ingest refuses ids PostgreSQL cannot store; a mail cannot be told so, and must not be lost for a NUL.
    externalId: cleanText(externalIdOf(mail)),
    subject: mail.subject,
    body,
    fullBody: trimmed ? mail.text.trim() : null,
    requesterEmail: sender,
    requesterName: mail.from?.name ?? (fromReplyTo ? (mail.replyTo.find((a) => a.address === replyTo)?.name ?? null) : null),
    replyTo,
    participants: [...new Set(participants)],
    receivedAt: mail.date ?? ctx.internalDate ?? undefined,
    ...(hasThread
      ? {
          thread: {
            ...(ticketId ? { ticketId } : {}),
            ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
            ...(mail.references.length ? { references: mail.references.slice(-50) } : {}),
          },
        }
      : {}),
    ...(mail.attachments.length ? { attachments: mail.attachments } : {}),
    metadata: {
      message_id: mail.messageId,
      mailbox: ctx.mailbox,
      ...(ctx.source
        ? {
            mailbox_id: ctx.source.mailboxId,
            ...(ctx.source.defaultCategory ? { default_category: ctx.source.defaultCategory } : {}),
            ...(ctx.source.slackChannel ? { slack_channel: ctx.source.slackChannel } : {}),
          }
        : {}),
      uid: ctx.uid,
      uid_validity: ctx.uidValidity,
      to: mail.to.map((a) => a.address),
      cc: mail.cc.map((a) => a.address),
      date_header: mail.date?.toISOString() ?? null,
      // The customer's own chain: a reply to this mail carries it on (RFC 5322 3.6.4; src/outbound/email.ts).
      ...(mail.references.length ? { references: mail.references.slice(-50) } : {}),
      ...(mail.inReplyTo ? { in_reply_to: mail.inReplyTo } : {}),
      requester_header: requesterHeader,
      size: mail.size,
      ...(problems.length ? { parse_problems: problems } : {}),
    },
  };
}
