/**
 * Front: a reply appended to the conversation, `POST /conversations/{id}/messages` ("create message reply",
 * scope messages:send) with `{body (HTML), text, author_id?}`, bearer API token. Front sends asynchronously
 * and answers 202 with the message's uid.
 */
import type { Ticket } from '../../domain/ticket.ts';
import type { OutboundReply, ReplySender, SentReply } from '../../domain/reply.ts';
import { callApi, idAt, isPathId } from './http.ts';
import { plainTextToHtml } from './html.ts';

export interface FrontReplyOptions {
  apiToken: string;
  /** Teammate shown as the author (tea_... or alt:email:...); unset: the token's default. */
  authorId?: string | undefined;
  timeoutMs: number;
  /** Replaces https://api2.frontapp.com (tests). */
  baseUrl?: string;
}

export function frontReplySender(o: FrontReplyOptions): ReplySender {
  const base = o.baseUrl ?? 'https://api2.frontapp.com';
  return {
    sources: ['front'],
    canReply: (ticket: Ticket) => isPathId(ticket.externalId),
    async send(ticket: Ticket, reply: OutboundReply): Promise<SentReply> {
      const answer = await callApi({
        service: 'front',
        method: 'POST',
        url: `${base}/conversations/${encodeURIComponent(ticket.externalId!)}/messages`,
        headers: { authorization: `Bearer ${o.apiToken}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ body: plainTextToHtml(reply.text), text: reply.text, ...(o.authorId ? { author_id: o.authorId } : {}) }),
        timeoutMs: o.timeoutMs,
      });
      const externalId = idAt(answer.json, ['message_uid'], ['id']);
      return externalId ? { externalId } : {};
    },
  };
}
