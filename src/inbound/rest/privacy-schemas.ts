/** Requests and answers of the admin routes: the audit of people's actions, erasure and export, legal holds. */
import { z } from 'zod';
import { EMAIL_PATTERN, SUBJECT_PATTERN } from '../../privacy/erase.ts';
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

export const subjectBody = z
  .object({
    kind: z.enum(['email', 'domain'], { error: 'must be email or domain' }).describe('What `value` is: one address, or every address of a domain'),
    value: z.string({ error: 'must be a string' }).min(3).max(320).regex(new RegExp(SUBJECT_PATTERN), 'must be an e-mail address or a domain').describe('The address (ana@example.com) or the domain (example.com)'),
  })
  .strict()
  .meta({ id: 'PrivacySubject' });

export const erasureBody = subjectBody
  .extend({ mode: z.enum(['anonymise', 'delete'], { error: 'must be anonymise or delete' }).describe('anonymise: keep tickets, categories, timings and rollups, drop personal data; delete: remove the tickets') })
  .strict()
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
