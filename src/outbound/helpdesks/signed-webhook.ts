/**
 * Replies as a signed outbound webhook, for the tickets whose door is ours (generic webhooks, REST): a POST
 * of JSON to the configured URL, signed exactly as the inbound generic webhook is verified
 * (src/inbound/webhooks/generic.ts): `X-Signature: sha256=<hex HMAC-SHA256(secret, X-Timestamp + '.' + body)>`,
 * `X-Timestamp` in Unix seconds. `Idempotency-Key` (also in the body) is the same on every retry, so the
 * receiver can drop a second delivery.
 */
import { createHmac } from 'node:crypto';
import type { Ticket } from '../../domain/ticket.ts';
import type { OutboundReply, ReplySender, SentReply } from '../../domain/reply.ts';
import { callApi, idAt } from './http.ts';

export interface SignedWebhookReplyOptions {
  /** The ticket sources it answers: ['generic'] or ['api']. */
  sources: readonly string[];
  url: string;
  secret: string;
  timeoutMs: number;
  now?: () => Date;
}

/** The signature header's value for a body sent at `timestamp` (Unix seconds, as text). */
export function signReply(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function replyWebhookBody(ticket: Ticket, reply: OutboundReply, sentAt: Date) {
  return {
    type: reply.survey ? 'survey' : 'reply',
    ...(reply.survey ? { survey_id: reply.replyId, survey_url: reply.survey.url } : { reply_id: reply.replyId }),
    idempotency_key: reply.idempotencyKey,
    ticket_id: ticket.id,
    /** Your id of the ticket: the `id` of the delivery that opened it (generic), or the external_id given to the REST API. */
    external_id: ticket.externalId,
    source: ticket.source,
    text: reply.text,
    agent: { slack_user_id: reply.agent.slackUserId, name: reply.agent.name },
    sent_at: sentAt.toISOString(),
  };
}

export function signedWebhookReplySender(o: SignedWebhookReplyOptions): ReplySender {
  const now = o.now ?? (() => new Date());
  return {
    sources: o.sources,
    // The generic door's tickets carry the sender's id; REST tickets are answered with or without one.
    canReply: (ticket: Ticket) => ticket.source !== 'generic' || ticket.externalId !== null,
    async send(ticket: Ticket, reply: OutboundReply): Promise<SentReply> {
      const at = now();
      const body = JSON.stringify(replyWebhookBody(ticket, reply, at));
      const timestamp = String(Math.floor(at.getTime() / 1000));
      const answer = await callApi({
        service: 'reply webhook',
        method: 'POST',
        url: o.url,
        headers: {
          'content-type': 'application/json',
          'x-timestamp': timestamp,
          'x-signature': signReply(o.secret, timestamp, body),
          'idempotency-key': reply.idempotencyKey,
          'user-agent': 'support-triage-replies',
        },
        body,
        timeoutMs: o.timeoutMs,
      });
      const externalId = idAt(answer.json, ['id']);
      return externalId ? { externalId } : {};
    },
  };
}
