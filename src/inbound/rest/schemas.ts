/**
 * The request schemas of /api/v1. They validate requests and, through z.toJSONSchema, are the OpenAPI
 * document: one source for both. Responses: response-schemas.ts.
 *
 * Text PostgreSQL cannot store (NUL, lone surrogates; see src/ingest/normalize.ts) is cleaned in free text
 * before the length checks (so they measure what is stored) and refused with 422 in identifiers and filters.
 */
import { z } from 'zod';
import { SLACK_USER_ID } from '../../domain/agent.ts';
import { MAILBOX_ID } from '../../domain/ticket.ts';
import { CATEGORIES, PRIORITIES, SOURCES, STATUSES } from '../../domain/categories.ts';
import { cleanText } from '../../ingest/normalize.ts';
import { LANGUAGE_TAG, SAVED_REPLY_MAX, SAVED_REPLY_TITLE_MAX } from '../../domain/saved-reply.ts';

/**
 * Free text as stored: cleaned (NUL removed, lone surrogates replaced), then checked; lengths in characters
 * (code points), as zod and JSON Schema both count them. `visible`: at least that many characters that are
 * neither white space nor NUL (a NUL is removed before storing). The refinement checks it and the .meta()
 * states the same rule in the document (z.toJSONSchema copies it).
 */
function text(max: number, visible = 0) {
  const checked = z.string({ error: 'must be a string' }).max(max, `must be at most ${max} characters`);
  if (visible === 0) return z.preprocess((v) => (typeof v === 'string' ? cleanText(v) : v), checked);
  const rule = visible > 1 ? `must contain at least ${visible} non-space characters` : 'must not be empty';
  const visibleChecked = checked
    .refine((s) => [...s.replace(/\s/g, '')].length >= visible, rule)
    .meta({ minLength: visible, pattern: `^(?:[\\s\\u0000]*[^\\s\\u0000]){${visible}}` });
  return z.preprocess((v) => (typeof v === 'string' ? cleanText(v) : v), visibleChecked);
}
/** Optional free text (null or absent allowed), cleaned as stored. */
export const optionalText = (max: number) => text(max).nullish();

/** Identifiers and filters PostgreSQL stores unchanged: no NUL, no lone surrogate (refused, never rewritten). */
const STORABLE = /^[^\u0000\ud800-\udfff]*$/u;
const identifier = (max: number, error = 'must be a string') =>
  z
    .string({ error })
    .min(1, `must be from 1 to ${max} characters`)
    .max(max, `must be at most ${max} characters`)
    .regex(STORABLE, 'must not contain NUL (U+0000) characters or unpaired UTF-16 surrogates');

export const createTicketBody = z
  .object({
    text: text(10_000, 10).optional().describe('The whole message (original API). Use either text or subject + body.'),
    subject: optionalText(500),
    body: text(10_000, 10).optional(),
    original_queue: optionalText(255),
    original_priority: optionalText(50),
    requester_email: z.email('must be an e-mail address').max(320).nullish(),
    requester_name: optionalText(255),
    external_id: identifier(255)
      .nullish()
      .describe('Your id for this request; a second request with the same id answers 200 with the first ticket. No NUL characters.'),
  })
  .superRefine((v, ctx) => {
    if (v.text === undefined && v.body === undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'text or body is required' });
    }
    if (v.text !== undefined && v.body !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'give either text or body, not both' });
    }
  })
  // The superRefine above, for the document: exactly one of text and body.
  .meta({ id: 'CreateTicket', oneOf: [{ required: ['text'], not: { required: ['body'] } }, { required: ['body'], not: { required: ['text'] } }] });

export const ticketId = z.coerce
  .number({ error: 'must be a positive integer' })
  .int('must be a positive integer')
  .positive('must be a positive integer')
  .max(2_147_483_647, 'is out of range');

// The instants PostgreSQL and JavaScript both hold and a person means: UTC years 1 to 9999 (year 0 gives
// "BC" dates that PGlite cannot parse; larger years are typos). The format already limits years to four
// digits; this pattern refuses year 0 and the two days an offset could carry out of range (for the document
// too, as `not: {pattern}`), so a date 0001-01-01 with a positive offset is refused even when it would stay in year 1.
const OUTSIDE_YEARS = /^(?:0000-|0001-01-01T[^+]*\+(?!00:00)|9999-12-31T[^-]*-(?!00:00))/;
const isoDate = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time' })
  .or(z.iso.date({ error: 'must be an ISO 8601 date' }))
  .refine((s) => !OUTSIDE_YEARS.test(s), 'must be a date from 0001-01-01 to 9999-12-31 (UTC)')
  .meta({ not: { pattern: OUTSIDE_YEARS.source } });

export const listLimit = z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be from 1 to 1000').max(1000, 'must be from 1 to 1000');

// int4 range: an offset past every item is an empty page, one past 2^31 a typo (and a bigint error).
export const listOffset = z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(0, 'must be 0 or more').max(2_147_483_647, 'is out of range').default(0);

/** A Slack user id as Slack spells it (checked before anything reaches the database). */
const slackUserId = z
  .string({ error: 'must be a Slack user id such as U0123ABCD' })
  .max(32, 'must be a Slack user id such as U0123ABCD')
  .regex(SLACK_USER_ID, 'must be a Slack user id such as U0123ABCD');

export const listQuery = z.object({
  category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
  source: z.enum(SOURCES, { error: `must be one of ${SOURCES.join(', ')}` }).optional(),
  status: z.enum(STATUSES, { error: `must be one of ${STATUSES.join(', ')}` }).optional(),
  assignee: z
    .union([z.literal('none'), slackUserId], { error: 'must be a Slack user id such as U0123ABCD, or none' })
    .optional()
    .describe('Tickets assigned to this Slack user; `none`: tickets nobody is assigned'),
  mailbox: z
    .string({ error: 'must be given once' })
    .regex(MAILBOX_ID, 'must be a mailbox id: 1 to 40 lowercase letters, digits, - or _')
    .optional()
    .describe('Mail read from this configured mailbox (its id, as in `origin.mailbox_id`)'),
  customer_id: ticketId.optional().describe('Tickets written by this customer'),
  company_id: ticketId.optional().describe("Tickets written by this company's customers"),
  since: isoDate.optional(),
  until: isoDate.optional(),
  q: identifier(200, 'must be given once').optional(),
  limit: listLimit.default(100),
  offset: listOffset,
});

const snoozeBody = z
  .object({
    until: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, or null' })
      .nullable()
      .describe('When the ticket wakes by itself: in the future, at most 90 days ahead; null: when the customer answers'),
  }, { error: 'must be an object such as {"until": "2026-12-03T09:00:00Z"}, or null' })
  .strict();

/** Also the answer when the stored ticket is resolved already (which no schema can see). */
export const RESOLVED_NOT_SNOOZED = 'a resolved ticket cannot be snoozed';

export const patchTicketBody = z
  .object({
    status: z.enum(['open', 'acknowledged', 'waiting_on_customer', 'resolved'], { error: 'must be one of open, acknowledged, waiting_on_customer, resolved' }).optional(),
    assignee: slackUserId.nullable().optional().describe('The Slack user id of the agent to assign; null: nobody'),
    snooze: snoozeBody.nullable().optional().describe('Snooze the ticket (SLA clocks pause until it wakes); null: end its snooze'),
  })
  .refine((b) => b.status !== undefined || b.assignee !== undefined || b.snooze !== undefined, { message: 'give status, assignee, snooze, or several', path: ['status'] })
  .refine((b) => !(b.snooze && b.status === 'resolved'), { message: RESOLVED_NOT_SNOOZED, path: ['snooze'] })
  // The refinements above, for the document: at least one of the three; not resolved and snoozed at once.
  .meta({
    id: 'PatchTicket',
    anyOf: [{ required: ['status'] }, { required: ['assignee'] }, { required: ['snooze'] }],
    not: { required: ['status', 'snooze'], properties: { status: { const: 'resolved' }, snooze: { type: 'object' } } },
  });

export const classificationBody = z
  .object({
    category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }),
    priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` }).nullish(),
    note: optionalText(2000),
  })
  .meta({ id: 'HumanClassification' });

export const statsQuery = z.object({
  days: z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be from 1 to 90').max(90, 'must be from 1 to 90').default(7),
  category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
});

// ---- dead letters (jobs that exhausted their retries) ----

const queueName = z.string().min(1).max(100).regex(/^[a-z][a-z0-9-]*$/, 'must be a queue name such as classify or slack-alert');

export const deadLettersQuery = z.object({ queue: queueName.optional() });

export const replayDeadLettersBody = z
  .object({
    queue: queueName.optional(),
    ids: z.array(z.uuid({ error: 'must be a dead-letter id (a UUID)' })).min(1, 'must list at least one id').max(1000).optional(),
    all: z.literal(true, { error: 'must be true' }).optional(),
  })
  .strict()
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give exactly one of ids or all: true', path: ['ids'] })
  .meta({ id: 'ReplayDeadLetters', oneOf: [{ required: ['ids'], not: { required: ['all'] } }, { required: ['all'], not: { required: ['ids'] } }] });

// ---- saved replies (the drafts agents start from when no model writes one) ----

// The limits and the language tag are the saved reply's own (src/domain/saved-reply.ts), shared with the console.
const languageTag = z
  .string({ error: 'must be a language tag such as en or pt-BR' })
  .regex(LANGUAGE_TAG, 'must be a language tag such as en or pt-BR')
  .max(16);

export const savedReplyBody = z
  .object({
    title: text(SAVED_REPLY_TITLE_MAX, 1).describe('For agents choosing among replies'),
    body: text(SAVED_REPLY_MAX, 1).describe('The text the reply box opens with'),
    category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')} or null` }).nullish().describe('null or absent: for any category'),
    language: languageTag.nullish().describe('null or absent: for any language'),
  })
  .strict()
  .meta({ id: 'SavedReplyInput' });

export const savedRepliesQuery = z.object({
  category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
  language: languageTag.optional(),
});

// --- Customers and companies (README "Customers") ---

const pageQuery = {
  q: identifier(200, 'must be given once').optional().describe('Name, address, door id or domain containing this (any case)'),
  before: ticketId.optional().describe('Keyset paging: items with a smaller id (the `next_before` of the previous page)'),
  limit: listLimit.default(50),
};

export const customersQuery = z.object({ ...pageQuery, company_id: ticketId.optional().describe('Customers of this company') });
export const companiesQuery = z.object(pageQuery);

const emailList = z.array(z.email({ error: 'must be an e-mail address' }).max(320, 'must be at most 320 characters'), { error: 'must be a list of e-mail addresses' }).max(50, 'must list at most 50');
const externalIdList = z
  .array(
    z.object({
      door: z.enum(SOURCES, { error: `must be one of ${SOURCES.join(', ')}` }).describe('The door (helpdesk, slack) whose id this is'),
      id: identifier(255, 'must be a string'),
    }).strict(),
    { error: 'must be a list of {door, id}' },
  )
  .max(50, 'must list at most 50');

export const customerCreateBody = z
  .object({
    name: optionalText(255),
    emails: emailList.optional(),
    external_ids: externalIdList.optional().describe("A door's own ids of the person: Zendesk requester id, Slack user id, ..."),
  })
  .strict()
  .meta({ id: 'CustomerInput' });

export const customerPatchBody = z
  .object({
    name: optionalText(255),
    company_id: ticketId.nullable().optional().describe('Put the customer in this company by hand (kept when domains change); null: in none'),
    add_emails: emailList.optional(),
    add_external_ids: externalIdList.optional(),
  })
  .strict()
  .meta({ id: 'CustomerPatch' });

const tier = z.string({ error: 'must be a string' }).min(1, 'must be from 1 to 64 characters').max(64, 'must be from 1 to 64 characters').regex(STORABLE, 'must not contain NUL or unpaired surrogates');
const customFields = z.record(z.string().max(100), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]), { error: 'must be an object of strings, numbers, booleans' });
const domainList = z
  .array(z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(253, 'must be at most 253 characters'), { error: 'must be a list of domains' })
  .max(100, 'must list at most 100');

export const companyCreateBody = z
  .object({
    name: text(255, 1),
    tier: tier.nullish(),
    custom_fields: customFields.optional(),
    domains: domainList.optional(),
  })
  .strict()
  .meta({ id: 'CompanyInput' });

export const companyPatchBody = z
  .object({ name: text(255, 1).optional(), tier: tier.nullable().optional(), custom_fields: customFields.optional() })
  .strict()
  .meta({ id: 'CompanyPatch' });

export const companyDomainsBody = z.object({ domains: domainList.describe('The whole list: domains left out are removed') }).strict().meta({ id: 'CompanyDomains' });
