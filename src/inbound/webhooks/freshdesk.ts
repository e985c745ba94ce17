/**
 * Freshdesk cannot sign webhooks: the automation rule sends a shared token (custom header
 * `Authorization: Bearer TOKEN` or `X-Webhook-Token: TOKEN`, or the rule's basic auth with TOKEN as password).
 * The body is written from placeholders (docs/webhooks.md); `{"freshdesk_webhook": {ticket_...}}` bodies
 * are accepted too.
 */
import { z } from 'zod';
import { normalizePriority } from '../../domain/categories.ts';
import { parseJson, parsePlaceholderTemplate, validate } from './shared/body.ts';
import { idSchema, optionalText, requiredText } from './shared/schema.ts';
import { contentHash, header, signaturesMatch, unauthorized } from './shared/signature.ts';
import { companyFrom, emailOrUndefined, htmlToPlainText, present, tagList } from './shared/text.ts';
import type { ProviderModule, WebhookDelivery, WebhookRequest } from './shared/types.ts';

/** The keys of the rule templates in docs/webhooks.md, in their order (`id`: hand-written templates say it). */
export const FRESHDESK_TEMPLATE_KEYS = [
  'event', 'ticket_id', 'id', 'subject', 'requester_email', 'requester_name', 'company', 'company_tier', 'priority',
  'status', 'tags', 'url', 'triggered_event', 'comment', 'description',
] as const;

const base = z.object({
  event: z.string().nullish(),
  ticket_id: idSchema,
  subject: optionalText,
  requester_email: optionalText,
  requester_name: optionalText,
  company: optionalText,
  company_tier: optionalText,
  priority: z.union([z.string(), z.number()]).nullish(),
  status: z.union([z.string(), z.number()]).nullish(),
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  url: optionalText,
  triggered_event: optionalText,
});
const created = base.extend({ description: requiredText });
const updated = base.extend({ comment: requiredText });

function presentedToken(req: WebhookRequest): string | undefined {
  const explicit = header(req.headers, 'x-webhook-token');
  if (explicit) return explicit;
  const auth = header(req.headers, 'authorization');
  if (!auth) return undefined;
  const [scheme, value = ''] = auth.split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

function verify(req: WebhookRequest, secret: string): void {
  const token = presentedToken(req);
  if (token === undefined) throw unauthorized('Missing token: send Authorization: Bearer TOKEN or X-Webhook-Token');
  if (!signaturesMatch(secret, token)) throw unauthorized('Invalid webhook token');
}

/** `{"freshdesk_webhook": {"ticket_subject": ...}}` -> the flat template keys. */
function unwrap(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('freshdesk_webhook' in body)) return body;
  const inner = (body as { freshdesk_webhook: unknown }).freshdesk_webhook;
  if (typeof inner !== 'object' || inner === null) return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inner)) {
    const flat = key === 'ticket_id' ? key : key.replace(/^ticket_/, '');
    out[flat === 'latest_public_comment' ? 'comment' : flat] = value;
  }
  return out;
}

/** A hand-written rule often says `"id": "{{ticket.id}}"`; `ticket_id` (the documented key) wins when both are there. */
function aliasTicketId(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const fields = body as Record<string, unknown>;
  const hasTicketId = fields.ticket_id !== undefined && fields.ticket_id !== null && fields.ticket_id !== '';
  return hasTicketId || fields.id === undefined ? body : { ...fields, ticket_id: fields.id };
}

function interpret(req: WebhookRequest): WebhookDelivery {
  let body: unknown;
  try {
    body = parseJson(req.raw);
  } catch (err) {
    body = parsePlaceholderTemplate(req.raw, FRESHDESK_TEMPLATE_KEYS);
    if (body === undefined) throw err;
  }
  body = aliasTicketId(unwrap(body));
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const isUpdate = present(fields.event) === 'ticket_updated' || (present(fields.event) === undefined && present(fields.comment) !== undefined);
  const t = isUpdate ? validate(updated, body) : validate(created, body);
  const eventType = present(t.event) ?? (isUpdate ? 'ticket_updated' : 'ticket_created');
  const message = {
    subject: present(t.subject) ?? null,
    requesterEmail: emailOrUndefined(t.requester_email) ?? null,
    requesterName: present(t.requester_name) ?? null,
    requesterCompany: companyFrom({ name: t.company, tier: t.company_tier }),
    priority: normalizePriority(t.priority) ?? null,
    originalPriority: present(t.priority) ?? null,
    tags: tagList(t.tags),
    metadata: {
      event_type: eventType,
      freshdesk_ticket_id: t.ticket_id,
      status: present(t.status) ?? null,
      url: present(t.url) ?? null,
      triggered_event: present(t.triggered_event) ?? null,
    },
  };
  if ('comment' in t) {
    return {
      kind: 'update',
      deliveryId: `${t.ticket_id}:${eventType}:${contentHash(t.comment)}`,
      eventType,
      ticketId: t.ticket_id,
      message: { ...message, body: htmlToPlainText(t.comment) },
    };
  }
  return {
    kind: 'ticket',
    deliveryId: `${t.ticket_id}:${eventType}`,
    eventType,
    ticketId: t.ticket_id,
    message: { ...message, body: htmlToPlainText(t.description) },
  };
}

export const freshdesk: ProviderModule = { name: 'freshdesk', verify, interpret };
