/**
 * Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1(client secret, raw body)>`; Intercom checks the URL with a
 * HEAD request (answered 200 by the router). Topic notifications carry the conversation in `data.item`;
 * `conversation.user.created` opens a ticket, `conversation.user.replied` is a follow-up.
 */
import { z } from 'zod';
import { validationError } from '../../lib/http-error.ts';
import { parseJson, validate } from './shared/body.ts';
import { idSchema, optionalText } from './shared/schema.ts';
import { header, hmac, requireSignature } from './shared/signature.ts';
import { dateFrom, emailOrUndefined, htmlToPlainText, present, tagList } from './shared/text.ts';
import type { ProviderModule, WebhookDelivery, WebhookRequest } from './shared/types.ts';

const SIGNATURE = 'X-Hub-Signature';

const author = z.object({ type: optionalText, id: idSchema.nullish(), name: optionalText, email: optionalText }).nullish();
const part = z.object({ id: idSchema, part_type: optionalText, body: optionalText, created_at: z.number().nullish(), author });
const notification = z.object({
  type: z.literal('notification_event'),
  id: idSchema,
  topic: z.string(),
  app_id: idSchema.nullish(),
  created_at: z.number().nullish(),
  data: z.object({ item: z.object({ type: optionalText, id: idSchema }).passthrough() }),
});
const conversation = z.object({
  id: idSchema,
  created_at: z.number().nullish(),
  updated_at: z.number().nullish(),
  title: optionalText,
  priority: optionalText,
  state: optionalText,
  source: z.object({ id: idSchema.nullish(), subject: optionalText, body: optionalText, author, url: optionalText }),
  tags: z.object({ tags: z.array(z.object({ name: z.string() })).nullish() }).nullish(),
  conversation_parts: z.object({ conversation_parts: z.array(part).nullish() }).nullish(),
});

function verify(req: WebhookRequest, secret: string): void {
  const expected = `sha1=${hmac('sha1', secret, [req.raw], 'hex')}`;
  requireSignature(SIGNATURE, expected, header(req.headers, SIGNATURE)?.toLowerCase());
}

/** Intercom's "priority" is binary: priority or not_priority. */
function priorityOf(value: string | null | undefined): 'high' | null {
  return value === 'priority' ? 'high' : null;
}

function interpret(req: WebhookRequest): WebhookDelivery {
  const n = validate(notification, parseJson(req.raw));
  const eventType = n.topic;
  if (eventType !== 'conversation.user.created' && eventType !== 'conversation.user.replied') {
    return { kind: 'ignored', deliveryId: n.id, eventType, reason: `topic ${eventType} carries no customer text` };
  }
  const parsed = conversation.safeParse(n.data.item, { reportInput: true });
  // Field names relative to the notification, so the 422 points at data.item.<field>.
  const c = parsed.success ? parsed.data : validate(z.object({ data: z.object({ item: conversation }) }), n).data.item;
  const metadata = { event_type: eventType, intercom_notification_id: n.id, intercom_conversation_id: c.id, app_id: n.app_id ?? null, state: c.state ?? null };
  const common = {
    subject: present(htmlToPlainText(c.source.subject)) ?? present(c.title) ?? null,
    priority: priorityOf(c.priority),
    originalPriority: present(c.priority) ?? null,
    tags: tagList(c.tags?.tags),
  };

  if (eventType === 'conversation.user.created') {
    const body = htmlToPlainText(c.source.body);
    if (!body) throw validationError([{ field: 'data.item.source.body', message: 'must not be empty', type: 'missing' }]);
    return {
      kind: 'ticket',
      deliveryId: n.id,
      eventType,
      ticketId: c.id,
      message: {
        ...common,
        body,
        requesterEmail: emailOrUndefined(c.source.author?.email) ?? null,
        requesterName: present(c.source.author?.name) ?? null,
        requesterId: c.source.author?.type === 'admin' ? null : (c.source.author?.id ?? null),
        receivedAt: dateFrom(c.created_at),
        metadata,
      },
    };
  }
  const parts = (c.conversation_parts?.conversation_parts ?? []).filter((p) => p.author?.type !== 'admin' && p.author?.type !== 'bot');
  const reply = parts.at(-1);
  const body = htmlToPlainText(reply?.body);
  if (!reply || !body) {
    throw validationError([{ field: 'data.item.conversation_parts.conversation_parts', message: 'No user part with a body', type: 'missing' }]);
  }
  return {
    kind: 'update',
    deliveryId: n.id,
    eventType,
    ticketId: c.id,
    message: {
      ...common,
      body,
      requesterEmail: emailOrUndefined(reply.author?.email) ?? null,
      requesterName: present(reply.author?.name) ?? null,
      requesterId: reply.author?.id ?? null,
      receivedAt: dateFrom(reply.created_at ?? c.updated_at),
      metadata: { ...metadata, part_id: reply.id },
    },
  };
}

export const intercom: ProviderModule = { name: 'intercom', verify, interpret, extraMethods: ['HEAD'] };
