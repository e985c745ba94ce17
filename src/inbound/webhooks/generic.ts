/**
 * The generic door for any tool that can sign: `X-Signature: sha256=<hex HMAC-SHA256(secret, X-Timestamp +
 * '.' + raw body)>` with `X-Timestamp` in Unix seconds, 5-minute window. Body `{id, subject, body,
 * requester_email, requester_name, priority?, tags?}`; `ticket_id` (the `id` of an earlier delivery) makes it a
 * follow-up on that ticket, `created_at` (ISO 8601) sets the received time, and `company` ({id?, name, tier?})
 * puts the requester in that company.
 */
import { z } from 'zod';
import { normalizePriority } from '../../domain/categories.ts';
import { parseJson, validate } from './shared/body.ts';
import { idSchema, requiredText } from './shared/schema.ts';
import { header, hmac, requireSignature, unauthorized } from './shared/signature.ts';
import { companyFrom, dateFrom, htmlToPlainText, present, tagList } from './shared/text.ts';
import { requireFreshTimestamp } from './shared/timestamp.ts';
import type { ProviderModule, WebhookDelivery, WebhookRequest } from './shared/types.ts';

const SIGNATURE = 'X-Signature';
const TIMESTAMP = 'X-Timestamp';

const genericBody = z.object({
  id: idSchema,
  subject: z.string().max(500).nullable(),
  body: requiredText,
  requester_email: z.email().nullable(),
  requester_name: z.string().max(255).nullable(),
  priority: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  ticket_id: idSchema.nullish(),
  created_at: z.string().nullish(),
  /** The requester's company in the sending tool: its id there (optional) and name, with a tier. */
  company: z.object({ id: idSchema.nullish(), name: z.string().max(255), tier: z.string().max(64).nullish() }).nullish(),
});

function verify(req: WebhookRequest, secret: string): void {
  const given = header(req.headers, SIGNATURE);
  const timestamp = header(req.headers, TIMESTAMP);
  if (given === undefined) throw unauthorized(`Missing ${SIGNATURE} header`);
  if (timestamp === undefined) throw unauthorized(`Missing ${TIMESTAMP} header`);
  requireSignature(SIGNATURE, `sha256=${hmac('sha256', secret, [timestamp, '.', req.raw], 'hex')}`, given.toLowerCase());
  requireFreshTimestamp(TIMESTAMP, timestamp, req.now);
}

function interpret(req: WebhookRequest): WebhookDelivery {
  const b = validate(genericBody, parseJson(req.raw));
  const isFollowup = b.ticket_id !== undefined && b.ticket_id !== null;
  const eventType = isFollowup ? 'message' : 'ticket';
  const message = {
    subject: present(b.subject) ?? null,
    body: htmlToPlainText(b.body),
    requesterEmail: b.requester_email?.toLowerCase() ?? null,
    requesterName: present(b.requester_name) ?? null,
    requesterCompany: b.company ? companyFrom(b.company) : null,
    priority: normalizePriority(b.priority) ?? null,
    originalPriority: present(b.priority) ?? null,
    tags: tagList(b.tags),
    receivedAt: dateFrom(b.created_at),
    metadata: { event_type: eventType, generic_id: b.id, ...(isFollowup ? { generic_ticket_id: b.ticket_id } : {}) },
  };
  return isFollowup
    ? { kind: 'update', deliveryId: b.id, eventType, ticketId: b.ticket_id!, message }
    : { kind: 'ticket', deliveryId: b.id, eventType, ticketId: b.id, message };
}

export const generic: ProviderModule = { name: 'generic', verify, interpret };
