/**
 * Zendesk: a public comment on the ticket, `PUT /api/v2/tickets/{id}` with `{ticket: {comment: {body, public:
 * true, author_id?}}}`, basic auth `{email}/token:{api token}`. The reply's idempotency key goes as Zendesk's
 * `Idempotency-Key` header, so a retry after a lost answer does not add the comment twice.
 */
import type { Ticket } from '../../domain/ticket.ts';
import type { OutboundReply, ReplySender, SentReply } from '../../domain/reply.ts';
import { basic, callApi, idAt } from './http.ts';

export interface ZendeskReplyOptions {
  subdomain: string;
  email: string;
  token: string;
  /** Zendesk user shown as the author; unset: the API user. */
  authorId?: string | undefined;
  timeoutMs: number;
  /** Replaces https://{subdomain}.zendesk.com (tests). */
  baseUrl?: string;
}

export function zendeskReplySender(o: ZendeskReplyOptions): ReplySender {
  const base = o.baseUrl ?? `https://${o.subdomain}.zendesk.com`;
  return {
    sources: ['zendesk'],
    // Zendesk ticket ids are numbers; anything else did not come from Zendesk.
    canReply: (ticket: Ticket) => ticket.externalId !== null && /^\d{1,20}$/.test(ticket.externalId),
    async send(ticket: Ticket, reply: OutboundReply): Promise<SentReply> {
      const comment = { body: reply.text, public: true, ...(o.authorId ? { author_id: Number(o.authorId) } : {}) };
      const answer = await callApi({
        service: 'zendesk',
        method: 'PUT',
        url: `${base}/api/v2/tickets/${ticket.externalId}`,
        headers: {
          authorization: basic(`${o.email}/token`, o.token),
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': reply.idempotencyKey,
        },
        body: JSON.stringify({ ticket: { comment } }),
        timeoutMs: o.timeoutMs,
      });
      // The audit lists the events the update made; the Comment event's id is the comment's.
      const events = (answer.json as { audit?: { events?: Array<{ type?: unknown }> } } | undefined)?.audit?.events;
      const commentEvent = Array.isArray(events) ? events.find((e) => e?.type === 'Comment') : undefined;
      const externalId = idAt(commentEvent, ['id']) ?? idAt(answer.json, ['audit', 'id']);
      return externalId ? { externalId } : {};
    },
  };
}
