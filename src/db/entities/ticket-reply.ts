import { defineEntity, p } from '@mikro-orm/core';
import { Ticket } from './ticket.ts';

export const REPLY_STATES = ['queued', 'sent', 'failed'] as const;
export type ReplyState = (typeof REPLY_STATES)[number];
export const DRAFT_ORIGINS = ['ai', 'saved_reply', 'none'] as const;

/**
 * An agent's reply to the customer (outbound message), stored with its send job in one transaction
 * (src/ingest/replies.ts) and sent by src/outbound/send-job.ts. `messageId` is fixed here, before the first
 * attempt: it is the e-mail Message-ID and the helpdesks' idempotency key, the same on every retry.
 */
export const TicketReply = defineEntity({
  name: 'TicketReply',
  tableName: 'ticket_replies',
  properties: {
    id: p.integer().primary().autoincrement(),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    /** The Slack agent who pressed send. */
    agentSlackId: p.string().length(32),
    agentName: p.string().length(255).nullable(),
    body: p.text(),
    draftOrigin: p.enum(DRAFT_ORIGINS),
    savedReplyId: p.integer().nullable(),
    state: p.enum(REPLY_STATES).default('queued'),
    messageId: p.string().length(255),
    /** What makes a resubmission the same reply (the Slack modal's view id): a second Send stores nothing new. */
    requestKey: p.string().length(255).nullable(),
    /** The id the other side gave the reply (SMTP queue id, helpdesk comment id). */
    externalId: p.string().length(255).nullable(),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    sentAt: p.datetime().nullable(),
  },
  uniques: [
    { name: 'ticket_replies_message_id_unique', properties: ['messageId'] },
    { name: 'ticket_replies_request_key_unique', properties: ['requestKey'] },
  ],
  indexes: [{ name: 'ticket_replies_ticket_id_idx', properties: ['ticket'] }],
});
