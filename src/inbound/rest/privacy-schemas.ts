/** Requests and answers of the admin routes: the audit of people's actions, erasure and export, legal holds. */
import { z } from 'zod';
import { ticketId } from './schemas.ts';

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
