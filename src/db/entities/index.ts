import { Agent } from './agent.ts';
import { Attachment } from './attachment.ts';
import { Classification } from './classification.ts';
import { DigestRun } from './digest-run.ts';
import { IdempotencyKey } from './idempotency-key.ts';
import { InboundEvent } from './inbound-event.ts';
import { MailboxCursor } from './mailbox-cursor.ts';
import { OAuthToken } from './oauth-token.ts';
import { SlackPost } from './slack-post.ts';
import { Ticket } from './ticket.ts';
import { TicketAssignment } from './ticket-assignment.ts';
import { TicketDailyStat } from './ticket-daily-stat.ts';
import { TicketMessage } from './ticket-message.ts';

export { Agent, Attachment, Classification, DigestRun, IdempotencyKey, InboundEvent, MailboxCursor, OAuthToken, SlackPost, Ticket, TicketAssignment, TicketDailyStat, TicketMessage };

export const entities = [Ticket, TicketMessage, Classification, Attachment, IdempotencyKey, InboundEvent, MailboxCursor, OAuthToken, SlackPost, DigestRun, TicketDailyStat, Agent, TicketAssignment];
