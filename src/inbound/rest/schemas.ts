/**
 * The request and response schemas of /api/v1. They validate requests and, through z.toJSONSchema, are the
 * OpenAPI document: one source for both.
 */
import { z } from 'zod';
import { CATEGORIES, PRIORITIES, SOURCES, STATUSES } from '../../domain/categories.ts';

const nonSpace = (s: string) => s.replace(/\s/g, '').length;
const optionalText = (max: number) => z.string().max(max, `must be at most ${max} characters`).nullish();

export const createTicketBody = z
  .object({
    text: z
      .string({ error: 'must be a string' })
      .min(10, 'must be at least 10 characters')
      .max(10_000, 'must be at most 10000 characters')
      .optional()
      .describe('The whole message (original API). Use either text or subject + body.'),
    subject: optionalText(500),
    body: z
      .string({ error: 'must be a string' })
      .min(10, 'must be at least 10 characters')
      .max(10_000, 'must be at most 10000 characters')
      .refine((s) => nonSpace(s) >= 10, 'must contain at least 10 non-space characters')
      .optional(),
    original_queue: optionalText(255),
    original_priority: optionalText(50),
    requester_email: z.email('must be an e-mail address').max(320).nullish(),
    requester_name: optionalText(255),
    external_id: z.string().min(1).max(255, 'must be at most 255 characters').nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.text === undefined && v.body === undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'text or body is required' });
    }
    if (v.text !== undefined && v.body !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'give either text or body, not both' });
    }
    if (v.text !== undefined && nonSpace(v.text) < 10) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'must contain at least 10 non-space characters' });
    }
  })
  .meta({ id: 'CreateTicket' });

export const ticketId = z.coerce
  .number({ error: 'must be a positive integer' })
  .int('must be a positive integer')
  .positive('must be a positive integer')
  .max(2_147_483_647, 'is out of range');

const isoDate = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).or(z.iso.date({ error: 'must be an ISO 8601 date' }));

export const listQuery = z.object({
  category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
  source: z.enum(SOURCES, { error: `must be one of ${SOURCES.join(', ')}` }).optional(),
  status: z.enum(STATUSES, { error: `must be one of ${STATUSES.join(', ')}` }).optional(),
  since: isoDate.optional(),
  until: isoDate.optional(),
  q: z.string().min(1).max(200, 'must be at most 200 characters').optional(),
  limit: z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be from 1 to 1000').max(1000, 'must be from 1 to 1000').default(100),
  offset: z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(0, 'must be 0 or more').default(0),
});

export const patchTicketBody = z
  .object({ status: z.enum(['open', 'acknowledged', 'resolved'], { error: 'must be one of open, acknowledged, resolved' }) })
  .meta({ id: 'PatchTicket' });

export const classificationBody = z
  .object({
    category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }),
    priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` }).nullish(),
    note: z.string().max(2000, 'must be at most 2000 characters').nullish(),
  })
  .meta({ id: 'HumanClassification' });

export const statsQuery = z.object({
  days: z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be from 1 to 90').max(90, 'must be from 1 to 90').default(7),
  category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
});

// ---- responses (documentation only; the handlers build them) ----

export const createdResponse = z
  .object({ id: z.number().int(), status: z.literal('processing'), message: z.string() })
  .meta({ id: 'TicketAccepted' });

export const classificationView = z
  .object({
    category: z.enum(CATEGORIES),
    confidence_score: z.number(),
    summary: z.string().nullable(),
    model_name: z.string().nullable(),
    processing_time_ms: z.number().nullable(),
    classifier: z.string().nullable(),
  })
  .meta({ id: 'Classification' });

export const ticketView = z
  .object({
    id: z.number().int(),
    subject: z.string().nullable(),
    body: z.string(),
    source: z.enum(SOURCES),
    external_id: z.string().nullable(),
    requester_email: z.string().nullable(),
    requester_name: z.string().nullable(),
    reply_to: z.string().nullable().describe('E-mail Reply-To: where replies go when the sender asked for another address; the requester stays the sender'),
    original_queue: z.string().nullable(),
    original_priority: z.string().nullable(),
    language: z.string().nullable(),
    priority: z.enum(PRIORITIES).nullable(),
    status: z.enum(STATUSES),
    tags: z.array(z.string()),
    created_at: z.string(),
    updated_at: z.string(),
    classification: classificationView.nullable(),
  })
  .meta({ id: 'Ticket' });

export const errorResponse = z
  .object({
    detail: z.string(),
    status: z.number().int(),
    title: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string(), type: z.string() })).optional(),
  })
  .meta({ id: 'Error' });
