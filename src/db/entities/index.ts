import { Agent } from './agent.ts';
import { Attachment } from './attachment.ts';
import { Classification } from './classification.ts';
import { ConsolePresence } from './console-presence.ts';
import { ConsoleSession, ConsoleSignInLink } from './console-session.ts';
import { DigestRun } from './digest-run.ts';
import { IdempotencyKey } from './idempotency-key.ts';
import { InboundEvent } from './inbound-event.ts';
import { MailboxCursor } from './mailbox-cursor.ts';
import { OAuthToken } from './oauth-token.ts';
import { OpsIncident } from './ops-incident.ts';
import { OpsSignal } from './ops-signal.ts';
import { RateLimitCount, RateLimitInstance } from './rate-limit-count.ts';
import { SavedReply } from './saved-reply.ts';
import { SlackPost } from './slack-post.ts';
import { Ticket } from './ticket.ts';
import { TicketAssignment } from './ticket-assignment.ts';
import { TicketDailyStat } from './ticket-daily-stat.ts';
import { TicketMessage } from './ticket-message.ts';
import { TicketReply } from './ticket-reply.ts';
import { SlaEvent, TicketSla } from './ticket-sla.ts';

export { Agent, Attachment, Classification, DigestRun, IdempotencyKey, InboundEvent, MailboxCursor, OAuthToken, OpsIncident, OpsSignal, RateLimitCount, RateLimitInstance, SavedReply, SlackPost, Ticket, TicketAssignment, TicketDailyStat, TicketMessage, TicketReply, TicketSla, SlaEvent, ConsoleSession, ConsoleSignInLink, ConsolePresence };

export const entities = [Ticket, TicketMessage, Classification, Attachment, IdempotencyKey, InboundEvent, MailboxCursor, OAuthToken, SlackPost, DigestRun, TicketDailyStat, OpsIncident, OpsSignal, SavedReply, TicketReply, Agent, TicketAssignment, TicketSla, SlaEvent, RateLimitCount, RateLimitInstance, ConsoleSession, ConsoleSignInLink, ConsolePresence];
