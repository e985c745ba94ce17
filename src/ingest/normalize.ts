/**
 * The checks every inbound message passes before it is stored, whatever its door: a usable body, sane
 * lengths, addresses in one case, text PostgreSQL can store. Doors validate their own formats; this is the
 * last line.
 *
 * PostgreSQL refuses two things a JavaScript string may hold: U+0000 (text and jsonb cannot contain it) and
 * lone UTF-16 surrogates (not encodable as UTF-8: the drivers silently turn them into U+FFFD, jsonb rejects
 * the escape). Free text (body, subject, names, labels, tags, metadata) is cleaned: a NUL carries no meaning
 * and rejecting would lose a customer's message. Identifiers (external ids, thread ids) are refused: cleaning
 * "a\0b" to "ab" would make it collide with another message's id.
 */
import type { HelpdeskCompany, InboundMessage } from '../domain/inbound-message.ts';
import { SOURCES } from '../domain/categories.ts';

export class IngestValidationError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'IngestValidationError';
    this.field = field;
  }
}

export const FIELD_LIMITS = {
  body: 200_000,
  subject: 1_000,
  externalId: 255,
  email: 320,
  name: 255,
  tags: 50,
} as const;

/** Text PostgreSQL stores as given: NUL removed, lone surrogates replaced by U+FFFD. */
export function cleanText(value: string): string {
  return (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value).toWellFormed();
}

/** Why PostgreSQL could not store `value` unchanged, or null when it can. For identifiers, which are refused. */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL (U+0000) characters';
  if (!value.isWellFormed()) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

/** Every string in a JSON-like value (keys included) cleaned, for jsonb columns. */
export function cleanJson(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanJson(v)]));
}

const clip = (value: string | null | undefined, max: number): string | null => {
  if (value === undefined || value === null) return null;
  const trimmed = cleanText(value).trim();
  if (trimmed === '') return null;
  return trimmed.length > max ? trimmed.slice(0, max) : trimmed;
};

function identifier(field: string, value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null) return null;
  const problem = textProblem(value);
  if (problem) throw new IngestValidationError(field, problem);
  const trimmed = value.trim();
  // Characters as PostgreSQL's varchar(n) and the OpenAPI document count them: code points, not UTF-16 units.
  if ([...trimmed].length > max) throw new IngestValidationError(field, `must be at most ${max} characters`);
  return trimmed || null;
}

export function normalizeEmail(value: string | null | undefined): string | null {
  const email = clip(value, FIELD_LIMITS.email);
  return email ? email.toLowerCase() : null;
}

/** A helpdesk's company hint, cleaned; none without a name (a template placeholder the helpdesk left empty). */
function normalizeCompany(company: HelpdeskCompany | null | undefined): HelpdeskCompany | null {
  const name = clip(company?.name, FIELD_LIMITS.name);
  if (!company || !name) return null;
  // The key is only matched, never shown: one PostgreSQL cannot store as given falls back to the name.
  const key = company.key && !textProblem(company.key) ? clip(company.key, FIELD_LIMITS.externalId) : null;
  return { key: key ?? name, name, tier: clip(company.tier, 64) };
}

export function normalizeMessage(msg: InboundMessage): InboundMessage {
  if (!(SOURCES as readonly string[]).includes(msg.source)) throw new IngestValidationError('source', `unknown source "${msg.source}"`);
  const body = typeof msg.body === 'string' ? cleanText(msg.body).trim() : '';
  if (body === '') throw new IngestValidationError('body', 'the message has no text');
  const externalId = identifier('external_id', msg.externalId, FIELD_LIMITS.externalId);
  const thread = msg.thread && {
    ...msg.thread,
    externalTicketId: identifier('thread.external_ticket_id', msg.thread.externalTicketId, FIELD_LIMITS.externalId) ?? undefined,
    // Message ids are only hints: one PostgreSQL cannot hold matches nothing stored, so it is dropped.
    inReplyTo: msg.thread.inReplyTo && !textProblem(msg.thread.inReplyTo) ? msg.thread.inReplyTo : undefined,
    references: msg.thread.references?.filter((id) => !textProblem(id)),
  };
  return {
    ...msg,
    externalId,
    ...(thread ? { thread } : {}),
    subject: clip(msg.subject, FIELD_LIMITS.subject),
    body: body.length > FIELD_LIMITS.body ? body.slice(0, FIELD_LIMITS.body) : body,
    fullBody: clip(msg.fullBody, FIELD_LIMITS.body * 2),
    requesterEmail: normalizeEmail(msg.requesterEmail),
    requesterName: clip(msg.requesterName, FIELD_LIMITS.name),
    // Only a hint of who the customer is: one that cannot be stored as given is dropped, never cleaned into another id.
    requesterId: msg.requesterId && !textProblem(String(msg.requesterId)) ? clip(String(msg.requesterId), FIELD_LIMITS.externalId) : null,
    requesterCompany: normalizeCompany(msg.requesterCompany),
    replyTo: normalizeEmail(msg.replyTo),
    participants: [...new Set((msg.participants ?? []).map(normalizeEmail).filter((e): e is string => !!e))],
    originalQueue: clip(msg.originalQueue, 255),
    originalPriority: clip(msg.originalPriority, 50),
    tags: (msg.tags ?? []).map((t) => cleanText(String(t)).trim()).filter(Boolean).slice(0, FIELD_LIMITS.tags),
    ...(msg.attachments ? { attachments: msg.attachments.map((a) => ({ ...a, filename: a.filename === null ? null : cleanText(a.filename), contentType: cleanText(a.contentType) })) } : {}),
    ...(msg.metadata ? { metadata: cleanJson(msg.metadata) as Record<string, unknown> } : {}),
  };
}
