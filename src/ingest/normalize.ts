/**
 * The checks every inbound message passes before it is stored, whatever its door: a usable body, sane
 * lengths, addresses in one case. Doors validate their own formats; this is the last line.
 */
import { type InboundMessage } from '../domain/inbound-message.ts';
import { SOURCES } from '../domain/categories.ts';

export class IngestValidationError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'IngestValidationError';
    this.field = field;
  }
}

export const LIMITS = {
  body: 200_000,
  subject: 1_000,
  externalId: 255,
  email: 320,
  name: 255,
  tags: 50,
} as const;

const clip = (value: string | null | undefined, max: number): string | null => {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  return trimmed.length > max ? trimmed.slice(0, max) : trimmed;
};

export function normalizeEmail(value: string | null | undefined): string | null {
  const email = clip(value, LIMITS.email);
  return email ? email.toLowerCase() : null;
}

export function normalizeMessage(msg: InboundMessage): InboundMessage {
  if (!(SOURCES as readonly string[]).includes(msg.source)) throw new IngestValidationError('source', `unknown source "${msg.source}"`);
  const body = typeof msg.body === 'string' ? msg.body.replace(/\u0000/g, '').trim() : '';
  if (body === '') throw new IngestValidationError('body', 'the message has no text');
  const externalId = clip(msg.externalId, 10_000);
  if (externalId && externalId.length > LIMITS.externalId) {
    throw new IngestValidationError('external_id', `must be at most ${LIMITS.externalId} characters`);
  }
  return {
    ...msg,
    externalId,
    subject: clip(msg.subject?.replace(/\u0000/g, ''), LIMITS.subject),
    body: body.length > LIMITS.body ? body.slice(0, LIMITS.body) : body,
    fullBody: clip(msg.fullBody?.replace(/\u0000/g, ''), LIMITS.body * 2),
    requesterEmail: normalizeEmail(msg.requesterEmail),
    requesterName: clip(msg.requesterName, LIMITS.name),
    replyTo: normalizeEmail(msg.replyTo),
    participants: [...new Set((msg.participants ?? []).map(normalizeEmail).filter((e): e is string => !!e))],
    originalQueue: clip(msg.originalQueue, 255),
    originalPriority: clip(msg.originalPriority, 50),
    tags: (msg.tags ?? []).map((t) => String(t).trim()).filter(Boolean).slice(0, LIMITS.tags),
  };
}
