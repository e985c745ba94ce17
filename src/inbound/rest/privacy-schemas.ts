/** Requests and answers of the admin routes: the audit of people's actions, erasure and export, legal holds. */
import { z } from 'zod';
import { CUSTOMER_PATTERN, DOMAIN_PATTERN, EMAIL_PATTERN } from '../../privacy/erase.ts';
import { optionalText, ticketId } from './schemas.ts';

const actorName = z.string({ error: 'must be given once' }).min(1, 'must not be empty').max(255).regex(/^[\x21-\x7e]+$/, 'must be an actor such as slack:U0123ABCD or api-key:3f2a9c01b7de');

export const auditQuery = z.object({
  ticket: ticketId.optional().describe('Only the changes of this ticket'),
  actor: actorName.optional().describe('Only the changes by this actor (slack:<user id>, console:<user id>, api-key:<fingerprint>, api)'),
  before: z.coerce.number({ error: 'must be an entry id' }).int('must be an entry id').positive('must be an entry id').max(Number.MAX_SAFE_INTEGER, 'is out of range').optional()
    .describe('Keyset: entries older than this id (the previous page\'s `next`)'),
  limit: z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be 1 or more').max(500, 'must be at most 500').default(100),
});

const reference = z.record(z.string(), z.unknown()).nullable();

export const auditEntryView = z
  .object({
    id: z.number().int(),
    actor: z.string(),
    action: z.string(),
    ticket_id: z.number().int().nullable(),
    before: reference,
    after: reference,
    created_at: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export const auditPage = z
  .object({ items: z.array(auditEntryView), next: z.number().int().nullable().describe('Pass as `before` for the next page; null: the last page') })
  .meta({ id: 'AuditPage' });

/** Each kind of subject with the value it takes: the document states exactly what the API accepts. */
const subjects = {
  email: z.object({
    kind: z.literal('email').describe('One address'),
    value: z.string({ error: 'must be a string' }).min(3).max(320).regex(new RegExp(EMAIL_PATTERN), 'must be an e-mail address').describe('The address (ana@example.com), any case'),
  }),
  domain: z.object({
    kind: z.literal('domain').describe('Every address of a domain'),
    value: z.string({ error: 'must be a string' }).min(3).max(254).regex(new RegExp(DOMAIN_PATTERN), 'must be a domain').describe('The domain (example.com or @example.com)'),
  }),
  customer: z.object({
    kind: z.literal('customer').describe('A customer: their tickets and every address among their identities'),
    value: z.string({ error: 'must be a string' }).regex(new RegExp(CUSTOMER_PATTERN), 'must be a customer id').describe('The customer\'s id (GET /api/v1/customers), in decimal'),
  }),
};
const SUBJECT_ERROR = { error: 'must be {kind: email, value: an address}, {kind: domain, value: a domain} or {kind: customer, value: a customer id}' };

export const subjectBody = z
  .discriminatedUnion('kind', [subjects.email.strict(), subjects.domain.strict(), subjects.customer.strict()], SUBJECT_ERROR)
  .meta({ id: 'PrivacySubject' });

const mode = z.enum(['anonymise', 'delete'], { error: 'must be anonymise or delete' }).describe('anonymise: keep tickets, categories, timings and rollups, drop personal data; delete: remove the tickets');
export const erasureBody = z
  .discriminatedUnion('kind', [subjects.email.extend({ mode }).strict(), subjects.domain.extend({ mode }).strict(), subjects.customer.extend({ mode }).strict()], SUBJECT_ERROR)
  .meta({ id: 'ErasureRequest' });

const counts = z.record(z.string(), z.number().int());

export const dryRunView = z
  .object({ tickets: z.number().int(), held_tickets: z.number().int(), follow_ups_on_other_tickets: z.number().int(), counts })
  .meta({ id: 'ErasureDryRun' });

export const erasureOutcomeView = z
  .object({ erasure_id: z.number().int(), mode: z.enum(['anonymise', 'delete']), state: z.string(), tickets: z.number().int(), held_tickets: z.number().int(), counts })
  .meta({ id: 'ErasureOutcome' });

export const erasureRecordView = z
  .object({
    id: z.number().int(),
    requested_by: z.string(),
    mode: z.enum(['anonymise', 'delete']),
    subject_kind: z.string(),
    state: z.string(),
    counts: counts.nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'ErasureRecord' });

export const erasureList = z.object({ items: z.array(erasureRecordView) }).meta({ id: 'ErasureList' });

export const exportView = z
  .object({
    subject: z.object({ kind: z.string(), value: z.string() }),
    exported_at: z.string(),
    addresses: z.array(z.string()),
    tickets: z.array(z.number().int()),
    held_tickets: z.array(z.number().int()),
    places: z.record(z.string(), z.array(z.unknown())),
  })
  .meta({ id: 'PersonExport' });

// Free text like a ticket's: NUL removed and lone surrogates replaced before storing (the document admits both).
const holdReason = optionalText(1000);

export const holdBody = z
  .union([
    z.object({ ticket_id: ticketId.describe('Hold this ticket'), reason: holdReason }).strict(),
    z.object({ email: z.string().max(320).regex(new RegExp(EMAIL_PATTERN), 'must be an e-mail address').describe('Hold every ticket of this customer (their address)'), reason: holdReason }).strict(),
  ], { error: 'give exactly one of ticket_id or email' })
  .meta({ id: 'LegalHoldRequest' });

export const holdView = z
  .object({
    id: z.number().int(),
    kind: z.enum(['ticket', 'customer']),
    ticket_id: z.number().int().nullable(),
    email: z.string().nullable(),
    reason: z.string().nullable(),
    created_by: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'LegalHold' });

export const holdList = z.object({ items: z.array(holdView) }).meta({ id: 'LegalHoldList' });
