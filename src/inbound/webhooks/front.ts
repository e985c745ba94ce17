/**
 * Front application webhooks: `X-Front-Signature` = base64 HMAC-SHA256(secret, timestamp + ':' + raw body)
 * with `X-Front-Request-Timestamp` (milliseconds), 5-minute window. Saving the webhook in Front sends a signed
 * request carrying `X-Front-Challenge`, which is echoed. An inbound message (`inbound_received`) opens a
 * ticket for a conversation we do not hold and is a follow-up on one we do. Rule-webhook bodies (the event
 * itself, without the `payload` wrapper) are read the same way.
 */
import { z } from 'zod';
import { validationError } from '../../lib/http-error.ts';
import { parseJson, validate } from './shared/body.ts';
import { idSchema, optionalText } from './shared/schema.ts';
import { header, hmac, requireSignature, unauthorized } from './shared/signature.ts';
import { dateFrom, emailOrUndefined, htmlToPlainText, present, tagList } from './shared/text.ts';
import { requireFreshTimestamp } from './shared/timestamp.ts';
import type { HandshakeReply, ProviderModule, WebhookDelivery, WebhookRequest } from './shared/types.ts';

const SIGNATURE = 'X-Front-Signature';
const TIMESTAMP = 'X-Front-Request-Timestamp';
const CHALLENGE = 'X-Front-Challenge';

const envelope = z.object({ type: z.string(), payload: z.unknown().optional(), authorization: z.object({ id: optionalText }).nullish() });
const eventHead = z.object({ id: idSchema, type: z.string() });
const inboundEvent = z.object({
  id: idSchema,
  type: z.string(),
  emitted_at: z.number().nullish(),
  conversation: z.object({
    id: idSchema,
    subject: optionalText,
    status: optionalText,
    created_at: z.number().nullish(),
    tags: z.array(z.object({ name: z.string() })).nullish(),
  }),
  target: z.object({
    data: z.object({
      id: idSchema,
      type: optionalText,
      is_inbound: z.boolean().nullish(),
      created_at: z.number().nullish(),
      subject: optionalText,
      blurb: optionalText,
      body: optionalText,
      text: optionalText,
      recipients: z.array(z.object({ handle: z.string(), role: z.string(), name: optionalText })).nullish(),
    }),
  }),
});

function verify(req: WebhookRequest, secret: string): void {
  const given = header(req.headers, SIGNATURE);
  const timestamp = header(req.headers, TIMESTAMP);
  if (given === undefined) throw unauthorized(`Missing ${SIGNATURE} header`);
  if (timestamp === undefined) throw unauthorized(`Missing ${TIMESTAMP} header`);
  requireSignature(SIGNATURE, hmac('sha256', secret, [timestamp, ':', req.raw], 'base64'), given);
  requireFreshTimestamp(TIMESTAMP, timestamp, req.now);
}

function interpret(req: WebhookRequest): WebhookDelivery | HandshakeReply {
  const challenge = header(req.headers, CHALLENGE);
  if (challenge !== undefined) {
    return { handshake: { status: 200, body: { challenge }, headers: { [CHALLENGE]: challenge } } };
  }
  const json = parseJson(req.raw);
  const body = validate(envelope, json);
  // Application webhooks wrap the event in `payload`; rule webhooks send the event itself.
  const wrapped = body.payload !== undefined && body.payload !== null;
  const event = wrapped ? body.payload : json;
  const prefix = wrapped ? 'payload.' : '';
  const head = validateAt(eventHead, event, prefix);
  if (body.type === 'sync') return { kind: 'ignored', deliveryId: null, eventType: 'sync', reason: 'validation ping' };
  if (head.type !== 'inbound' && body.type !== 'inbound_received') {
    return { kind: 'ignored', deliveryId: head.id, eventType: head.type, reason: `event ${head.type} carries no customer text` };
  }
  const e = validateAt(inboundEvent, event, prefix);
  const m = e.target.data;
  const from = m.recipients?.find((r) => r.role === 'from');
  const text = htmlToPlainText(m.body) || (m.text ?? '').trim() || (m.blurb ?? '').trim();
  if (!text) throw validationError([{ field: `${prefix}target.data.body`, message: 'must not be empty', type: 'missing' }]);
  return {
    kind: 'update',
    deliveryId: e.id,
    eventType: body.type === 'inbound_received' ? 'inbound_received' : e.type,
    ticketId: e.conversation.id,
    message: {
      subject: present(e.conversation.subject) ?? present(m.subject) ?? null,
      body: text,
      requesterEmail: emailOrUndefined(from?.handle) ?? null,
      requesterName: present(from?.name) ?? null,
      tags: tagList(e.conversation.tags),
      receivedAt: dateFrom(m.created_at) ?? dateFrom(e.emitted_at),
      metadata: {
        event_type: e.type,
        front_event_id: e.id,
        front_conversation_id: e.conversation.id,
        front_message_id: m.id,
        channel: m.type ?? null,
        company_id: body.authorization?.id ?? null,
      },
    },
  };
}

/** Validates a nested value, naming fields by their path in the whole body. */
function validateAt<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.infer<S> {
  if (!prefix) return validate(schema, value);
  return (validate(z.object({ payload: schema }), { payload: value }) as { payload: z.infer<S> }).payload;
}

export const front: ProviderModule = { name: 'front', verify, interpret };
