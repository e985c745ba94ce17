/** Requests and answers of /api/v1/sender-blocks and the Spam action (POST /api/v1/requests/{id}/spam). */
import { z } from 'zod';
import { DOMAIN_PATTERN, EMAIL_PATTERN } from '../../privacy/erase.ts';

export const blockBody = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('email').describe('One address'),
      value: z.string({ error: 'must be a string' }).min(3).max(320).regex(new RegExp(EMAIL_PATTERN), 'must be an e-mail address').describe('The address (ana@example.com), any case'),
    }).strict(),
    z.object({
      kind: z.literal('domain').describe('Every address at the domain and its subdomains'),
      value: z.string({ error: 'must be a string' }).min(3).max(254).regex(new RegExp(DOMAIN_PATTERN), 'must be a domain').describe('The domain (spam.example or @spam.example)'),
    }).strict(),
  ], { error: 'must be {kind: email, value: an address} or {kind: domain, value: a domain}' })
  .meta({ id: 'SenderBlockRequest' });

export const spamBody = z
  .object({ domain: z.boolean({ error: 'must be true or false' }).default(false).describe('Block the requester\'s whole domain instead of their address') })
  .strict()
  .meta({ id: 'SpamRequest' });

export const blocksQuery = z.object({
  ended: z.enum(['true', 'false'], { error: 'must be true or false' }).optional().describe('true: ended blocks too'),
});

export const blockView = z
  .object({
    id: z.number().int(),
    kind: z.enum(['email', 'domain']),
    value: z.string(),
    blocked_by: z.string(),
    ticket_id: z.number().int().nullable().describe('The ticket it was blocked from (the Spam action)'),
    created_at: z.string(),
    unblocked_by: z.string().nullable(),
    unblocked_at: z.string().nullable(),
    suppressed: z.number().int().describe('Messages kept as spam under this block'),
    last_suppressed_at: z.string().nullable(),
  })
  .meta({ id: 'SenderBlock' });

export const blockList = z.object({ items: z.array(blockView) }).meta({ id: 'SenderBlockList' });

export const spamResult = z
  .object({ ticket_id: z.number().int(), resolved: z.boolean().describe('false: it was resolved already'), block: blockView })
  .meta({ id: 'SpamResult' });
