/**
 * Help Scout: `X-HelpScout-Signature` = base64 HMAC-SHA1(secret, raw body); the event name is in
 * `X-HelpScout-Event`, the body is the conversation (Mailbox API 2.0 shape: `primaryCustomer`,
 * `_embedded.threads`; the legacy shape `customer`, `threads` is read too). Threads come newest first.
 */
import { z } from 'zod';
import { validationError } from '../../lib/http-error.ts';
import { parseJson, validate } from './shared/body.ts';
import { idSchema, optionalText } from './shared/schema.ts';
import { header, hmac, requireSignature } from './shared/signature.ts';
import { dateFrom, emailOrUndefined, htmlToPlainText, present, tagList } from './shared/text.ts';
import type { ProviderModule, WebhookDelivery, WebhookRequest } from './shared/types.ts';

const SIGNATURE = 'X-HelpScout-Signature';
const EVENT = 'X-HelpScout-Event';

const person = z
  .object({ id: idSchema.nullish(), email: optionalText, first: optionalText, last: optionalText, firstName: optionalText, lastName: optionalText, type: optionalText })
  .nullish();
const thread = z.object({
  id: idSchema,
  type: optionalText,
  body: optionalText,
  createdAt: optionalText,
  createdBy: person,
  customer: person,
});
const conversation = z.object({
  id: idSchema,
  number: idSchema.nullish(),
  subject: optionalText,
  preview: optionalText,
  status: optionalText,
  createdAt: optionalText,
  mailboxId: idSchema.nullish(),
  mailbox: z.object({ id: idSchema.nullish() }).nullish(),
  primaryCustomer: person,
  customer: person,
  tags: z.array(z.union([z.string(), z.object({ tag: z.string().nullish(), name: z.string().nullish() })])).nullish(),
  threads: z.union([z.array(thread), z.number()]).nullish(),
  _embedded: z.object({ threads: z.array(thread).nullish() }).nullish(),
});
type Thread = z.infer<typeof thread>;
type Person = z.infer<typeof person>;

function verify(req: WebhookRequest, secret: string): void {
  requireSignature(SIGNATURE, hmac('sha1', secret, [req.raw], 'base64'), header(req.headers, SIGNATURE));
}

function fullName(p: Person): string | undefined {
  if (!p) return undefined;
  return present([p.first ?? p.firstName, p.last ?? p.lastName].filter(Boolean).join(' '));
}

function interpret(req: WebhookRequest): WebhookDelivery {
  const eventType = header(req.headers, EVENT);
  if (!eventType) throw validationError([{ field: EVENT, message: 'Header required', type: 'missing' }]);
  const c = validate(conversation, parseJson(req.raw));
  const threads: Thread[] = c._embedded?.threads ?? (Array.isArray(c.threads) ? c.threads : []);
  const customer = c.primaryCustomer ?? c.customer;
  const metadata = { event_type: eventType, helpscout_conversation_id: c.id, number: c.number ?? null, mailbox_id: c.mailboxId ?? c.mailbox?.id ?? null, status: c.status ?? null };

  if (eventType === 'convo.created') {
    // The opening thread is the oldest one (the list is newest first).
    const first = threads.at(-1);
    const body = htmlToPlainText(first?.body) || htmlToPlainText(c.preview);
    if (!body) throw validationError([{ field: '_embedded.threads', message: 'No thread with a body', type: 'missing' }]);
    const author = first?.customer ?? first?.createdBy;
    return {
      kind: 'ticket',
      deliveryId: `${c.id}:${eventType}`,
      eventType,
      ticketId: c.id,
      message: {
        subject: present(c.subject) ?? null,
        body,
        requesterEmail: emailOrUndefined(customer?.email) ?? emailOrUndefined(author?.email) ?? null,
        requesterName: fullName(customer) ?? fullName(author) ?? null,
        requesterId: customer?.id ?? first?.customer?.id ?? null,
        tags: tagList(c.tags),
        receivedAt: dateFrom(c.createdAt),
        metadata: { ...metadata, thread_id: first?.id ?? null },
      },
    };
  }
  if (eventType === 'convo.customer.reply.created') {
    const reply = threads.find((t) => t.type === 'customer') ?? threads[0];
    const body = htmlToPlainText(reply?.body);
    if (!reply || !body) throw validationError([{ field: '_embedded.threads', message: 'No customer thread with a body', type: 'missing' }]);
    const author = reply.customer ?? reply.createdBy ?? customer;
    return {
      kind: 'update',
      deliveryId: `${c.id}:${eventType}:${reply.id}`,
      eventType,
      ticketId: c.id,
      message: {
        subject: present(c.subject) ?? null,
        body,
        requesterEmail: emailOrUndefined(author?.email) ?? null,
        requesterName: fullName(author) ?? null,
        requesterId: reply.customer?.id ?? null,
        tags: tagList(c.tags),
        receivedAt: dateFrom(reply.createdAt),
        metadata: { ...metadata, thread_id: reply.id },
      },
    };
  }
  return { kind: 'ignored', deliveryId: `${c.id}:${eventType}`, eventType, reason: `event ${eventType} carries no customer text` };
}

export const helpscout: ProviderModule = { name: 'helpscout', verify, interpret };
