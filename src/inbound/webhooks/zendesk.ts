/**
 * Zendesk: base64 HMAC-SHA256(secret, timestamp + raw body), 5-minute window. Two body shapes: the event
 * subscription envelope (`type: zen:event-type:ticket.created`, ticket in `detail`) and the trigger body of
 * docs/webhooks.md (flat placeholders; read line-wise when Zendesk's substitution broke the JSON).
 */
import { z } from 'zod';
import { normalizePriority } from '../../domain/categories.ts';
import { parseJson, parsePlaceholderTemplate, validate } from './shared/body.ts';
import { idSchema, optionalText, requiredText } from './shared/schema.ts';
import { contentHash, header, hmac, requireSignature, unauthorized } from './shared/signature.ts';
import { companyFrom, dateFrom, emailOrUndefined, htmlToPlainText, present, tagList } from './shared/text.ts';
import { requireFreshTimestamp } from './shared/timestamp.ts';
import type { ProviderModule, WebhookDelivery, WebhookRequest } from './shared/types.ts';

const SIGNATURE = 'X-Zendesk-Webhook-Signature';
const TIMESTAMP = 'X-Zendesk-Webhook-Signature-Timestamp';
const EVENT_PREFIX = 'zen:event-type:';

const ticketDetail = z.object({
  id: idSchema,
  subject: optionalText,
  description: optionalText,
  priority: optionalText,
  status: optionalText,
  tags: z.array(z.string()).nullish(),
  created_at: optionalText,
  updated_at: optionalText,
  requester_id: idSchema.nullish(),
  via: z.object({ channel: z.unknown() }).partial().nullish(),
});

const envelopeBase = z.object({ type: z.string(), id: idSchema, time: optionalText, account_id: idSchema.nullish() });
const createdEnvelope = envelopeBase.extend({ detail: ticketDetail.extend({ description: requiredText }) });
const commentEnvelope = envelopeBase.extend({
  detail: ticketDetail,
  event: z.object({
    comment: z.object({
      id: idSchema,
      body: requiredText,
      is_public: z.boolean().nullish(),
      author: z.object({ id: idSchema.nullish(), name: optionalText, is_staff: z.boolean().nullish() }).nullish(),
    }),
  }),
});
const otherEnvelope = envelopeBase.extend({ detail: z.object({ id: idSchema }) });

/** The keys of the trigger templates in docs/webhooks.md, in their order. */
export const ZENDESK_TRIGGER_KEYS = [
  'event', 'ticket_id', 'subject', 'requester_email', 'requester_name', 'company', 'company_tier', 'priority', 'status',
  'tags', 'created_at', 'updated_at', 'url', 'comment', 'description',
] as const;

const triggerBase = z.object({
  event: z.string().nullish(),
  ticket_id: idSchema,
  subject: optionalText,
  requester_email: optionalText,
  requester_name: optionalText,
  company: optionalText,
  company_tier: optionalText,
  priority: optionalText,
  status: optionalText,
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  created_at: optionalText,
  updated_at: optionalText,
  url: optionalText,
});
const triggerCreated = triggerBase.extend({ description: requiredText });
const triggerUpdated = triggerBase.extend({ comment: requiredText });

function verify(req: WebhookRequest, secret: string): void {
  const given = header(req.headers, SIGNATURE);
  const timestamp = header(req.headers, TIMESTAMP);
  if (given === undefined) throw unauthorized(`Missing ${SIGNATURE} header`);
  if (timestamp === undefined) throw unauthorized(`Missing ${TIMESTAMP} header`);
  requireSignature(SIGNATURE, hmac('sha256', secret, [timestamp, req.raw], 'base64'), given);
  requireFreshTimestamp(TIMESTAMP, timestamp, req.now);
}

function interpret(req: WebhookRequest): WebhookDelivery {
  let body: unknown;
  try {
    body = parseJson(req.raw);
  } catch (err) {
    body = parsePlaceholderTemplate(req.raw, ZENDESK_TRIGGER_KEYS);
    if (body === undefined) throw err;
  }
  const type = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).type : undefined;
  if (typeof type === 'string' && type.startsWith(EVENT_PREFIX)) return fromEnvelope(type.slice(EVENT_PREFIX.length), body);
  return fromTrigger(body);
}

function fromEnvelope(eventType: string, body: unknown): WebhookDelivery {
  if (eventType === 'ticket.created') {
    const e = validate(createdEnvelope, body);
    const t = e.detail;
    return {
      kind: 'ticket',
      deliveryId: e.id,
      eventType,
      ticketId: t.id,
      message: {
        subject: present(t.subject) ?? null,
        body: htmlToPlainText(t.description),
        priority: normalizePriority(t.priority) ?? null,
        originalPriority: present(t.priority) ?? null,
        tags: tagList(t.tags),
        receivedAt: dateFrom(t.created_at) ?? dateFrom(e.time),
        requesterId: t.requester_id ?? null,
        metadata: { zendesk_event_id: e.id, event_type: eventType, zendesk_ticket_id: t.id, requester_id: t.requester_id ?? null, status: t.status ?? null, account_id: e.account_id ?? null },
      },
    };
  }
  if (eventType === 'ticket.comment_added') {
    const e = validate(commentEnvelope, body);
    const c = e.event.comment;
    if (c.is_public === false) return { kind: 'ignored', deliveryId: e.id, eventType, reason: 'private comment' };
    if (c.author?.is_staff) return { kind: 'ignored', deliveryId: e.id, eventType, reason: 'comment by an agent' };
    // A new ticket's description is its first comment; that one is the ticket, not a follow-up.
    if (e.detail.description && htmlToPlainText(e.detail.description) === htmlToPlainText(c.body)) {
      return { kind: 'ignored', deliveryId: e.id, eventType, reason: 'the opening comment (ticket description)' };
    }
    return {
      kind: 'update',
      deliveryId: e.id,
      eventType,
      ticketId: e.detail.id,
      message: {
        subject: present(e.detail.subject) ?? null,
        body: htmlToPlainText(c.body),
        requesterName: present(c.author?.name) ?? null,
        requesterId: c.author?.id ?? null,
        tags: tagList(e.detail.tags),
        receivedAt: dateFrom(e.time),
        metadata: { zendesk_event_id: e.id, event_type: eventType, zendesk_ticket_id: e.detail.id, comment_id: c.id, author_id: c.author?.id ?? null },
      },
    };
  }
  const e = validate(otherEnvelope, body);
  return { kind: 'ignored', deliveryId: e.id, eventType, reason: `event ${eventType} carries no customer text` };
}

function fromTrigger(body: unknown): WebhookDelivery {
  const event = typeof body === 'object' && body !== null ? present((body as Record<string, unknown>).event) : undefined;
  const isUpdate = event === 'ticket.updated';
  const t = isUpdate ? validate(triggerUpdated, body) : validate(triggerCreated, body);
  const eventType = event ?? 'ticket.created';
  const common = {
    subject: present(t.subject) ?? null,
    requesterEmail: emailOrUndefined(t.requester_email) ?? null,
    requesterName: present(t.requester_name) ?? null,
    requesterCompany: companyFrom({ name: t.company, tier: t.company_tier }),
    priority: normalizePriority(t.priority) ?? null,
    originalPriority: present(t.priority) ?? null,
    tags: tagList(t.tags),
  };
  const metadata = { event_type: eventType, zendesk_ticket_id: t.ticket_id, status: present(t.status) ?? null, url: present(t.url) ?? null, via: 'trigger' };
  if ('comment' in t) {
    const version = contentHash(`${t.updated_at ?? ''}\n${t.comment}`);
    return {
      kind: 'update',
      deliveryId: `${t.ticket_id}:${eventType}:${version}`,
      eventType,
      ticketId: t.ticket_id,
      message: { ...common, body: htmlToPlainText(t.comment), receivedAt: dateFrom(t.updated_at), metadata },
    };
  }
  return {
    kind: 'ticket',
    deliveryId: `${t.ticket_id}:${eventType}`,
    eventType,
    ticketId: t.ticket_id,
    message: { ...common, body: htmlToPlainText(t.description), receivedAt: dateFrom(t.created_at), metadata },
  };
}

export const zendesk: ProviderModule = { name: 'zendesk', verify, interpret };
