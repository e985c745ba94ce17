/**
 * Freshdesk: `POST /api/v2/tickets/{id}/reply` with `{body}` (HTML), basic auth with the API key as user and
 * `X` as password. Freshdesk takes no idempotency key; the sending job's never-twice rule is all there is.
 */
import type { Ticket } from '../../domain/ticket.ts';
import type { OutboundReply, ReplySender, SentReply } from '../../domain/reply.ts';
import { basic, callApi, idAt } from './http.ts';
import { plainTextToHtml } from './html.ts';

export interface FreshdeskReplyOptions {
  /** acme.freshdesk.com */
  domain: string;
  apiKey: string;
  timeoutMs: number;
  /** Replaces https://{domain} (tests). */
  baseUrl?: string;
}

export function freshdeskReplySender(o: FreshdeskReplyOptions): ReplySender {
  const base = o.baseUrl ?? `https://${o.domain}`;
  return {
    sources: ['freshdesk'],
    canReply: (ticket: Ticket) => ticket.externalId !== null && /^\d{1,20}$/.test(ticket.externalId),
    async send(ticket: Ticket, reply: OutboundReply): Promise<SentReply> {
      const answer = await callApi({
        service: 'freshdesk',
        method: 'POST',
        url: `${base}/api/v2/tickets/${ticket.externalId}/reply`,
        headers: { authorization: basic(o.apiKey, 'X'), 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ body: plainTextToHtml(reply.text) }),
        timeoutMs: o.timeoutMs,
      });
      const externalId = idAt(answer.json, ['id']);
      return externalId ? { externalId } : {};
    },
  };
}
