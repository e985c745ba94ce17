/** The OpenAPI 3.1 document, built from the same zod schemas that validate requests. */
import { z } from 'zod';
import * as s from './schemas.ts';

// Named schemas (those with .meta({id})) go to components.schemas and are referenced from the operations.
const components: Record<string, unknown> = {};

function toSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  const { $defs, $schema: _, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown> & { $defs?: Record<string, unknown> };
  const rewrite = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));
  for (const [name, def] of Object.entries($defs ?? {})) components[io === 'input' ? name : `${name}`] = rewrite(def);
  return rewrite(rest);
}

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({ 'application/json': { schema: toSchema(schema, io) } });

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: DESCRIPTIONS[c] ?? 'Error', content: json(s.errorResponse) }]));

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON',
  401: 'Missing or invalid API key',
  404: 'Not found',
  409: 'Idempotency-Key reused with a different body',
  413: 'Body larger than 1 MiB',
  415: 'Body is not JSON',
  422: 'Validation failed: `errors` lists each field',
};

// Every database-backed operation answers 503 + Retry-After while PostgreSQL is unreachable.
const unavailable = {
  '503': {
    description: 'The database is unavailable; retry after the Retry-After seconds',
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
    content: json(s.errorResponse),
  },
};

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };

function queryParams(schema: z.ZodObject) {
  const js = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, object> };
  return Object.entries(js.properties).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
}

export function buildOpenApi(info: { title: string; version: string }) {
  const ticketWithMessages = z.object({ ...s.ticketView.shape, messages: z.array(z.object({}).loose()), attachments: z.array(z.object({}).loose()) });
  return {
    openapi: '3.1.0',
    info: { ...info, description: 'Support Triage: inbound support messages become classified tickets routed to Slack.' },
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
    security: [{ bearer: [] }, { apiKey: [] }, {}],
    paths: {
      '/api/v1/requests': {
        post: {
          summary: 'Create a ticket',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }],
          requestBody: { required: true, content: json(s.createTicketBody, 'input') },
          responses: { '201': { description: 'Stored; classification runs in the background', content: json(s.createdResponse) }, ...errors(400, 401, 409, 413, 415, 422) },
        },
        get: {
          summary: 'List tickets, newest first',
          parameters: queryParams(s.listQuery),
          responses: {
            '200': { description: 'A page of tickets', content: json(z.object({ items: z.array(s.ticketView), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })) },
            ...errors(401, 422),
          },
        },
      },
      '/api/v1/requests/{id}': {
        get: { summary: 'A ticket with its follow-up messages', parameters: [idParam], responses: { '200': { description: 'The ticket', content: json(ticketWithMessages) }, ...errors(401, 404, 422) } },
        patch: { summary: 'Change the status', parameters: [idParam], requestBody: { required: true, content: json(s.patchTicketBody, 'input') }, responses: { '200': { description: 'The ticket', content: json(s.ticketView) }, ...errors(400, 401, 404, 422) } },
        delete: { summary: 'Soft-delete: the ticket leaves lists and stats', parameters: [idParam], responses: { '204': { description: 'Deleted' }, ...errors(401, 404, 422) } },
      },
      '/api/v1/requests/{id}/classification': {
        put: { summary: 'A human correction; becomes the current classification and is never overwritten', parameters: [idParam], requestBody: { required: true, content: json(s.classificationBody, 'input') }, responses: { '200': { description: 'The ticket', content: json(s.ticketView) }, ...errors(400, 401, 404, 422) } },
      },
      '/api/v1/requests/{id}/classifications': {
        get: { summary: 'Classification history, newest first', parameters: [idParam], responses: { '200': { description: 'History' }, ...errors(401, 404, 422) } },
      },
      '/api/v1/stats': {
        get: { summary: 'Statistics for the last `days` UTC days', parameters: queryParams(s.statsQuery), responses: { '200': { description: 'Stats' }, ...errors(401, 422) } },
      },
      '/api/v1/dead-letters': {
        get: {
          summary: 'Jobs that exhausted their retries (alerts, classifications), oldest first, and how many wait per queue',
          parameters: queryParams(s.deadLettersQuery),
          responses: { '200': { description: 'Dead letters', content: json(s.deadLettersResponse) }, ...errors(401, 404, 422), ...unavailable },
        },
      },
      '/api/v1/dead-letters/replay': {
        post: {
          summary: 'Move dead letters back to their queue, once; they run through the normal handler (exactly-once guards hold)',
          requestBody: { required: true, content: json(s.replayDeadLettersBody, 'input') },
          responses: { '200': { description: 'What this call replayed', content: json(s.replayResponse) }, ...errors(400, 401, 404, 422), ...unavailable },
        },
      },
      '/webhooks/{provider}': {
        post: {
          summary: 'A helpdesk delivery, verified against the raw body (see docs/webhooks.md); enabled only when the provider\'s secret is set',
          security: [],
          parameters: [{ name: 'provider', in: 'path', required: true, schema: { type: 'string', enum: ['zendesk', 'freshdesk', 'helpscout', 'intercom', 'front', 'generic'] } }],
          responses: {
            '200': { description: '{status: accepted | followup | duplicate | ignored, ticket_id}' },
            ...errors(400, 401, 404, 413, 422),
            '405': { description: 'Wrong method', content: json(s.errorResponse) },
          },
        },
      },
      '/slack/events': {
        post: { summary: 'Slack events, slash commands and interactivity (HTTP mode; Slack-signed)', security: [], responses: { '200': { description: 'Handled' }, '401': { description: 'Bad or stale signature' } } },
      },
      '/health': { get: { summary: 'Health of the service and its parts', security: [], responses: { '200': { description: 'healthy or degraded' }, '503': { description: 'database unreachable' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text/plain; version=0.0.4' } } } },
    },
  };
}
