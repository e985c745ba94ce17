/**
 * Intercom: an admin's reply, `POST /conversations/{id}/reply` with `{message_type: 'comment', type: 'admin',
 * admin_id, body}` (HTML), bearer access token, a pinned `Intercom-Version` so the answer's shape holds.
 */
import type { Ticket } from '../../domain/ticket.ts';
import type { OutboundReply, ReplySender, SentReply } from '../../domain/reply.ts';
import { callApi, isPathId } from './http.ts';
import { plainTextToHtml } from './html.ts';

export const INTERCOM_API_VERSION = '2.11';

export interface IntercomReplyOptions {
  accessToken: string;
  adminId: string;
  timeoutMs: number;
  /** Replaces https://api.intercom.io (tests; a regional host such as https://api.eu.intercom.io). */
  baseUrl?: string;
}

export function intercomReplySender(o: IntercomReplyOptions): ReplySender {
  const base = o.baseUrl ?? 'https://api.intercom.io';
  return {
    sources: ['intercom'],
    canReply: (ticket: Ticket) => isPathId(ticket.externalId),
    async send(ticket: Ticket, reply: OutboundReply): Promise<SentReply> {
      const answer = await callApi({
        service: 'intercom',
        method: 'POST',
        url: `${base}/conversations/${encodeURIComponent(ticket.externalId!)}/reply`,
        headers: {
          authorization: `Bearer ${o.accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'intercom-version': INTERCOM_API_VERSION,
        },
        body: JSON.stringify({ message_type: 'comment', type: 'admin', admin_id: o.adminId, body: plainTextToHtml(reply.text) }),
        timeoutMs: o.timeoutMs,
      });
      // The whole conversation comes back; the reply is its newest part.
      const parts = (answer.json as { conversation_parts?: { conversation_parts?: Array<{ id?: unknown }> } } | undefined)?.conversation_parts?.conversation_parts;
      const last = Array.isArray(parts) ? parts.at(-1)?.id : undefined;
      return typeof last === 'string' || typeof last === 'number' ? { externalId: String(last) } : {};
    },
  };
}
