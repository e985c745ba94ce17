/**
 * The OpenAPI 3.1 document, built from the same zod schemas that validate requests (schemas.ts) and that
 * describe the answers (response-schemas.ts). Every status an operation can answer is listed: the test suite
 * fails on a response whose status or body the document does not describe.
 */
import { z } from 'zod';
import { WEBHOOK_PROVIDERS } from '../../domain/categories.ts';
import { BLOCK_RULES, SPAM_RULES } from '../../domain/sender-block.ts';
import { SNOOZE_END_RULE } from '../../domain/ticket.ts';
import { NOT_FOLLOWUPS } from '../../ingest/splits.ts';
import { DOMAIN_RULES } from '../../ingest/companies.ts';
import { SUBJECT_RULE } from '../../privacy/erase.ts';
import * as bs from './block-schemas.ts';
import * as inc from './incident-schemas.ts';
import * as ms from './merge-schemas.ts';
import * as ps from './privacy-schemas.ts';
import * as r from './response-schemas.ts';
import * as s from './schemas.ts';

type Components = Record<string, unknown>;

/** A zod schema as JSON Schema; named schemas (.meta({id})) go to `components` and are referenced. */
function toSchema(components: Components, schema: z.ZodType, io: 'input' | 'output'): unknown {
  const { $defs, $schema: _, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown> & { $defs?: Record<string, unknown> };
  const rewrite = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));
  for (const [name, def] of Object.entries($defs ?? {})) components[name] = rewrite(def);
  return rewrite(rest);
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON',
  401: 'Missing or invalid API key',
  404: 'Not found',
  405: 'Method not allowed on this path',
  409: 'Idempotency-Key reused with a different body',
  403: 'Needs an admin API key (API_ADMIN_KEYS)',
  413: 'Body larger than 1 MiB',
  415: 'Body is not JSON',
  422: 'Validation failed: `errors` lists each field',
  429: 'Too many requests: retry after `Retry-After` seconds',
  503: 'Database unavailable: retry after `Retry-After` seconds',
};

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } };

/** Each property of a query schema as an optional parameter; its description belongs to the parameter. */
function queryParams(schema: z.ZodObject) {
  const js = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, { description?: string }> };
  return Object.entries(js.properties).map(([name, { description, ...schema }]) => ({ name, in: 'query', required: false, ...(description ? { description } : {}), schema }));
}

export function buildOpenApi(info: { title: string; version: string }) {
  const components: Components = {};
  const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({ 'application/json': { schema: toSchema(components, schema, io) } });
  const errors = (...codes: number[]) =>
    Object.fromEntries(codes.map((c) => [String(c), { description: DESCRIPTIONS[c] ?? 'Error', content: json(r.errorResponse) }]));
  /** A 422 that also lists the rules no schema can state (they depend on the clock or the stored data), each as `field`: message. */
  const refusedBeyondSchema = (rules: Record<string, string> | [string, string][]) => ({
    '422': {
      description: `${DESCRIPTIONS[422]}. Beyond the schema, which cannot see the clock or the stored ticket: ${(Array.isArray(rules) ? rules : Object.entries(rules)).map(([field, message]) => `\`${field}\`: ${message}`).join('; ')}`,
      content: json(r.errorResponse),
    },
  });
  const ok = (description: string, schema: z.ZodType) => ({ description, content: json(schema) });
  // Every /api operation: the key check, the rate limits, the database being away.
  const apiErrors = (...codes: number[]) => errors(401, 429, 503, ...codes);
  const withBody = (schema: z.ZodType) => ({ required: true, content: json(schema, 'input') });
  const ticket = ok('The ticket', r.ticketView);

  const paths = {
    '/': { get: { summary: 'Identity of the service (the original service\'s answer)', security: [], responses: { '200': ok('Name, version, environment', r.rootView) } } },
    '/api/v1/requests': {
      post: {
        summary: 'Create a ticket',
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'Retrying with the same key and body answers with the ticket the first request created; with another body, 409',
            // Printable ASCII, what every HTTP client sends as is (the API ignores a blank key).
            schema: { type: 'string', maxLength: 255, pattern: '^[\\x20-\\x7e]*$' },
          },
        ],
        requestBody: withBody(s.createTicketBody),
        responses: {
          '201': ok('Stored; classification runs in the background', r.createdResponse),
          '200': ok('external_id already stored: the existing ticket, nothing new stored', r.duplicateResponse),
          '202': ok('The sender is blocked (/api/v1/sender-blocks): kept as spam, no ticket', r.suppressedResponse),
          ...apiErrors(400, 409, 413, 415, 422),
        },
      },
      get: { summary: 'List tickets, newest first', parameters: queryParams(s.listQuery), responses: { '200': ok('A page of tickets', r.ticketList), ...apiErrors(422) } },
    },
    '/api/v1/requests/{id}': {
      get: { summary: 'A ticket with its follow-up messages', parameters: [idParam], responses: { '200': ok('The ticket', r.ticketDetail), ...apiErrors(404, 422) } },
      patch: { summary: 'Change the status, the assignee (a Slack user id, or null) and/or the snooze', parameters: [idParam], requestBody: withBody(s.patchTicketBody), responses: { '200': ticket, ...apiErrors(400, 404, 413, 415), ...refusedBeyondSchema({ 'snooze.until': SNOOZE_END_RULE, snooze: s.RESOLVED_NOT_SNOOZED }) } },
      delete: { summary: 'Soft-delete: the ticket leaves lists and stats', parameters: [idParam], responses: { '204': { description: 'Deleted' }, ...apiErrors(404, 422) } },
    },
    '/api/v1/requests/{id}/merge': {
      post: {
        summary: 'Merge the ticket into another (`into`): its text and follow-ups move there, it stays as a pointer (merged_into_id) left out of lists, stats and SLA clocks',
        parameters: [idParam],
        requestBody: withBody(ms.mergeBody),
        responses: {
          '200': ok('Merged', ms.mergeResult),
          ...apiErrors(400, 404, 413, 415),
          '409': { description: 'Either ticket was merged already (merge into the ticket it was merged into), or they are from different customers and `across_customers` is not true', content: json(r.errorResponse) },
          ...refusedBeyondSchema([['into', 'a ticket cannot be merged into itself']]),
        },
      },
      delete: {
        summary: 'Undo the merge: the ticket, its messages and attachments come back as they were before it',
        parameters: [idParam],
        responses: { '200': ok('Undone', ms.unmergeResult), '409': { description: 'The ticket is not merged into another', content: json(r.errorResponse) }, ...apiErrors(404, 422) },
      },
    },
    '/api/v1/requests/{id}/split': {
      post: {
        summary: "Split follow-ups out into a new ticket (classified and alerted like any new one); the two point at each other (split_from_id, split_into)",
        parameters: [idParam],
        requestBody: withBody(ms.splitBody),
        responses: {
          '201': ok('The new ticket', ms.splitResult),
          ...apiErrors(400, 404, 413, 415),
          '409': { description: 'A message came with a merge that is in force: undo the merge first', content: json(r.errorResponse) },
          ...refusedBeyondSchema([['message_ids', NOT_FOLLOWUPS]]),
        },
      },
    },
    '/api/v1/requests/{id}/classification': {
      put: {
        summary: 'A human correction; becomes the current classification and is never overwritten',
        parameters: [idParam],
        requestBody: withBody(s.classificationBody),
        responses: { '200': ticket, ...apiErrors(400, 404, 413, 415, 422) },
      },
    },
    '/api/v1/requests/{id}/classifications': {
      get: { summary: 'Classification history, newest first', parameters: [idParam], responses: { '200': ok('History', r.classificationHistory), ...apiErrors(404, 422) } },
    },
    '/api/v1/requests/{id}/assignments': {
      get: { summary: 'Assignee history, oldest first: who assigned whom, replacing whom, when', parameters: [idParam], responses: { '200': ok('History', r.assignmentHistory), ...apiErrors(404, 422) } },
    },
    '/api/v1/incidents': {
      get: {
        summary: 'Incidents (floods of similar tickets of one category, grouped at classification), newest first',
        parameters: queryParams(inc.incidentsQuery),
        responses: { '200': ok('A page of incidents', inc.incidentList), ...apiErrors(422) },
      },
    },
    '/api/v1/incidents/{id}': {
      get: { summary: 'An incident with its counts and its tickets\' ids, oldest first', parameters: [idParam], responses: { '200': ok('The incident', inc.incidentView), ...apiErrors(404, 422) } },
    },
    '/api/v1/incidents/{id}/close': {
      post: {
        summary: 'Close the incident: new similar tickets get their own cards again (its tickets keep incident_id); closing a closed one changes nothing',
        parameters: [idParam],
        responses: { '200': ok('The incident', inc.incidentView), ...apiErrors(404, 422) },
      },
    },
    '/api/v1/incidents/{id}/resolve': {
      post: {
        summary: 'Resolve every ticket of the incident that is not resolved yet, each as its own status change (clocks, card, survey)',
        parameters: [idParam],
        responses: { '200': ok('How many this call resolved, and the incident', inc.resolveIncidentResult), ...apiErrors(404, 422) },
      },
    },
    '/api/v1/incidents/{id}/tickets/{ticketId}': {
      delete: {
        summary: 'Take a ticket out of the incident: a ticket of its own again (its own card; incident_id null)',
        parameters: [idParam, { ...idParam, name: 'ticketId' }],
        responses: {
          '200': ok('The incident without it', inc.incidentView),
          '409': { description: 'The ticket is not in this incident (never was, or taken out already)', content: json(r.errorResponse) },
          ...apiErrors(404, 422),
        },
      },
    },
    '/api/v1/stats': {
      get: { summary: 'Statistics for the last `days` UTC days', parameters: queryParams(s.statsQuery), responses: { '200': ok('Stats', r.statsView), ...apiErrors(422) } },
    },
    '/api/v1/dead-letters': {
      get: {
        summary: 'Jobs that exhausted their retries (alerts, classifications), oldest first, and how many wait per queue',
        parameters: queryParams(s.deadLettersQuery),
        responses: { '200': ok('Dead letters', r.deadLettersResponse), ...apiErrors(404, 422) },
      },
    },
    '/api/v1/dead-letters/replay': {
      post: {
        summary: 'Move dead letters back to their queue, once; they run through the normal handler (exactly-once guards hold)',
        requestBody: withBody(s.replayDeadLettersBody),
        responses: { '200': ok('What this call replayed', r.replayResponse), ...apiErrors(400, 404, 413, 415, 422) },
      },
    },
    '/api/v1/saved-replies': {
      get: { summary: 'Saved replies, oldest first: what a reply draft starts from when no model writes one', parameters: queryParams(s.savedRepliesQuery), responses: { '200': ok('Saved replies', r.savedReplyList), ...apiErrors(422) } },
      post: { summary: 'Add a saved reply', requestBody: withBody(s.savedReplyBody), responses: { '201': ok('Stored', r.savedReplyView), ...apiErrors(400, 413, 415, 422) } },
    },
    '/api/v1/saved-replies/{id}': {
      get: { summary: 'A saved reply', parameters: [idParam], responses: { '200': ok('The saved reply', r.savedReplyView), ...apiErrors(404, 422) } },
      put: { summary: 'Replace a saved reply', parameters: [idParam], requestBody: withBody(s.savedReplyBody), responses: { '200': ok('The saved reply', r.savedReplyView), ...apiErrors(400, 404, 413, 415, 422) } },
      delete: { summary: 'Delete a saved reply (drafts recorded with its id keep the id)', parameters: [idParam], responses: { '204': { description: 'Deleted' }, ...apiErrors(404, 422) } },
    },
    '/api/v1/customers': {
      get: { summary: 'Customers (one per person across doors), newest first; search and keyset paging', parameters: queryParams(s.customersQuery), responses: { '200': ok('A page of customers', r.customerList), ...apiErrors(422) } },
      post: {
        summary: 'Add a customer by hand with addresses and door ids',
        requestBody: withBody(s.customerCreateBody),
        responses: { '201': ok('Stored', r.customerView), ...apiErrors(400, 413, 415, 422), '409': { description: 'An address or id belongs to another customer', content: json(r.errorResponse) } },
      },
    },
    '/api/v1/customers/{id}': {
      get: { summary: 'A customer with addresses, door ids, company and ticket counts', parameters: [idParam], responses: { '200': ok('The customer', r.customerView), ...apiErrors(404, 422) } },
      patch: {
        summary: 'Rename, put in a company by hand (kept when domains change), add addresses or door ids',
        parameters: [idParam],
        requestBody: withBody(s.customerPatchBody),
        responses: {
          '200': ok('The customer', r.customerView),
          ...apiErrors(400, 404, 413, 415),
          ...refusedBeyondSchema({ company_id: 'must be the id of a company' }),
          '409': { description: 'An address or id belongs to another customer', content: json(r.errorResponse) },
        },
      },
    },
    '/api/v1/companies': {
      get: { summary: 'Companies, newest first; search by name or domain, keyset paging', parameters: queryParams(s.companiesQuery), responses: { '200': ok('A page of companies', r.companyList), ...apiErrors(422) } },
      post: {
        summary: 'Add a company, optionally with its domains (customers at them join it)',
        requestBody: withBody(s.companyCreateBody),
        responses: {
          '201': ok('Stored', r.companyView),
          ...apiErrors(400, 413, 415),
          ...refusedBeyondSchema(Object.values(DOMAIN_RULES).map((rule) => ['domains', rule])),
          '409': { description: 'A domain belongs to another company', content: json(r.errorResponse) },
        },
      },
    },
    '/api/v1/companies/{id}': {
      get: { summary: 'A company with its domains and how many customers it has', parameters: [idParam], responses: { '200': ok('The company', r.companyView), ...apiErrors(404, 422) } },
      patch: { summary: 'Change name, tier or custom fields', parameters: [idParam], requestBody: withBody(s.companyPatchBody), responses: { '200': ok('The company', r.companyView), ...apiErrors(400, 404, 413, 415, 422) } },
    },
    '/api/v1/companies/{id}/domains': {
      put: {
        summary: "Replace a company's domains; its customers are matched again (those put in by hand stay)",
        parameters: [idParam],
        requestBody: withBody(s.companyDomainsBody),
        responses: {
          '200': ok('The company, and who left and joined', r.companyDomainsResult),
          ...apiErrors(400, 404, 413, 415),
          ...refusedBeyondSchema(Object.values(DOMAIN_RULES).map((rule) => ['domains', rule])),
          '409': { description: 'A domain belongs to another company', content: json(r.errorResponse) },
        },
      },
    },
    '/api/v1/audit': {
      get: {
        summary: 'Admin: every change a person made (Slack, console, REST key), erasures and retention runs; newest first, keyset-paged',
        parameters: queryParams(ps.auditQuery),
        responses: { '200': ok('A page of audit entries', ps.auditPage), ...apiErrors(403, 422) },
      },
    },
    '/api/v1/privacy/dry-run': {
      post: {
        summary: 'Admin: what erasing a person (an address or a domain) would change, counted per place; changes nothing',
        requestBody: withBody(ps.subjectBody),
        responses: { '200': ok('Counts per place', ps.dryRunView), ...apiErrors(400, 403, 413, 415), ...refusedBeyondSchema({ value: SUBJECT_RULE }) },
      },
    },
    '/api/v1/privacy/erasures': {
      post: {
        summary: 'Admin: erase a person everywhere (tickets, follow-ups, replies, summaries, deliveries, queue jobs, Slack messages); legal holds excepted',
        requestBody: withBody(ps.erasureBody),
        responses: { '201': ok('The erasure record, with counts per place', ps.erasureOutcomeView), ...apiErrors(400, 403, 413, 415), ...refusedBeyondSchema({ value: SUBJECT_RULE }) },
      },
      get: { summary: 'Admin: the erasure records, newest first (who asked, when, mode, counts; never the person)', responses: { '200': ok('Erasure records', ps.erasureList), ...apiErrors(403, 422) } },
    },
    '/api/v1/privacy/export': {
      post: {
        summary: 'Admin: everything held about a person, as one JSON document',
        requestBody: withBody(ps.subjectBody),
        responses: { '200': ok('The document', ps.exportView), ...apiErrors(400, 403, 413, 415), ...refusedBeyondSchema({ value: SUBJECT_RULE }) },
      },
    },
    '/api/v1/legal-holds': {
      get: { summary: 'Admin: the legal holds, oldest first', responses: { '200': ok('Legal holds', ps.holdList), ...apiErrors(403, 422) } },
      post: {
        summary: 'Admin: hold a ticket or a customer: erasure and retention leave it alone until released',
        requestBody: withBody(ps.holdBody),
        responses: { '201': ok('Placed', ps.holdView), '200': ok('Held already: the existing hold', ps.holdView), ...apiErrors(400, 403, 404, 413, 415, 422) },
      },
    },
    '/api/v1/legal-holds/{id}': {
      delete: { summary: 'Admin: release a legal hold', parameters: [idParam], responses: { '204': { description: 'Released' }, ...apiErrors(403, 404, 422) } },
    },
    '/api/v1/sender-blocks': {
      get: { summary: 'Blocked senders, newest first (?ended=true: ended blocks too)', parameters: queryParams(bs.blocksQuery), responses: { '200': ok('Blocks', bs.blockList), ...apiErrors(422) } },
      post: {
        summary: 'Block an address or a domain: their messages are kept as spam (verdict suppressed) and make no ticket',
        requestBody: withBody(bs.blockBody),
        responses: { '201': ok('Blocked', bs.blockView), '200': ok('Blocked already: the block in force', bs.blockView), ...apiErrors(400, 413, 415), ...refusedBeyondSchema([['value', BLOCK_RULES.ours], ['value', BLOCK_RULES.tooWide]]) },
      },
    },
    '/api/v1/sender-blocks/{id}': {
      get: { summary: 'A block', parameters: [idParam], responses: { '200': ok('The block', bs.blockView), ...apiErrors(404, 422) } },
      delete: { summary: 'End a block: new messages from the sender make tickets again', parameters: [idParam], responses: { '204': { description: 'Ended' }, ...apiErrors(404, 422) } },
    },
    '/api/v1/requests/{id}/spam': {
      post: {
        summary: 'The Spam action: block the requester\'s address (or with domain: true, their domain) and resolve the ticket',
        parameters: [idParam],
        requestBody: { required: false, content: json(bs.spamBody, 'input') },
        responses: { '200': ok('Blocked and resolved', bs.spamResult), ...apiErrors(400, 404, 413, 415), ...refusedBeyondSchema([['id', SPAM_RULES.noSender], ['id', SPAM_RULES.unblockable], ['value', BLOCK_RULES.ours], ['value', BLOCK_RULES.tooWide]]) },
      },
    },
    '/webhooks/{provider}': {
      post: {
        summary: 'A helpdesk delivery, verified against the raw body (see docs/webhooks.md); enabled only when the provider\'s secret is set',
        security: [],
        parameters: [{ name: 'provider', in: 'path', required: true, schema: { type: 'string', enum: [...WEBHOOK_PROVIDERS] } }],
        responses: {
          '200': { description: 'Stored (or known already, or nothing to triage); Front\'s challenge is echoed', content: json(z.union([r.webhookResult, r.webhookChallenge])) },
          ...errors(400, 401, 404, 405, 413, 422, 503),
        },
      },
    },
    '/slack/events': {
      post: { summary: 'Slack events, slash commands and interactivity (HTTP mode; Slack-signed)', security: [], responses: { '200': { description: 'Handled' }, ...errors(400, 401, 404, 413, 415) } },
    },
    '/health': {
      get: { summary: 'Health of the service and its parts', security: [], responses: { '200': ok('healthy or degraded', r.healthView), '503': ok('database unreachable', r.healthView) } },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (with METRICS_TOKEN set: Authorization: Bearer TOKEN)',
        security: [],
        responses: { '200': { description: 'text/plain; version=0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors(401, 429) },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'Support Triage: inbound support messages become classified tickets routed to Slack. A request this document admits is never refused as invalid; ' +
        'the few rules that depend on the clock or the stored data are named in the 422 description of their operation.',
    },
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
    security: [{ bearer: [] }, { apiKey: [] }, {}],
    paths,
  };
}
