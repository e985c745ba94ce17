import { Attachment } from './attachment.ts';
import { Classification } from './classification.ts';
import { DigestRun } from './digest-run.ts';
import { IdempotencyKey } from './idempotency-key.ts';
import { InboundEvent } from './inbound-event.ts';
import { MailboxCursor } from './mailbox-cursor.ts';
import { OAuthToken } from './oauth-token.ts';
import { SlackPost } from './slack-post.ts';
import { Ticket } from './ticket.ts';
import { TicketDailyStat } from './ticket-daily-stat.ts';
import { TicketMessage } from './ticket-message.ts';
import { TicketReply } from './ticket-reply.ts';

export { Attachment, Classification, DigestRun, IdempotencyKey, InboundEvent, MailboxCursor, OAuthToken, SlackPost, Ticket, TicketDailyStat, TicketMessage, TicketReply };

export const entities = [Ticket, TicketMessage, Classification, Attachment, IdempotencyKey, InboundEvent, MailboxCursor, OAuthToken, SlackPost, DigestRun, TicketDailyStat, TicketReply];
