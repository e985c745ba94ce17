/**
 * What the service answers, as zod schemas: documentation only (the handlers build the JSON in views.ts),
 * turned into the OpenAPI document's response schemas. The test suite validates every response against that
 * document (test/kit/openapi.ts), so a field added here and not there, or there and not here, fails.
 */
import { z } from 'zod';
import { CATEGORIES, PRIORITIES, SOURCES, STATUSES } from '../../domain/categories.ts';

const timestamp = z.iso.datetime();
const nullableTimestamp = timestamp.nullable();

export const createdResponse = z
  .object({ id: z.number().int(), status: z.literal('processing'), message: z.string() })
  .meta({ id: 'TicketAccepted' });

export const duplicateResponse = z
  .object({ id: z.number().int(), status: z.literal('duplicate'), message: z.string() })
  .meta({ id: 'TicketDuplicate', description: 'A ticket with this external_id exists already: its id, nothing stored' });

export const suppressedResponse = z
  .object({ id: z.null(), status: z.literal('suppressed'), message: z.string() })
  .meta({ id: 'TicketSuppressed', description: 'The sender is blocked: the message is kept as spam, no ticket is made' });

export const classificationView = z
  .object({
    category: z.enum(CATEGORIES),
    confidence_score: z.number(),
    summary: z.string().nullable(),
    model_name: z.string().nullable(),
    processing_time_ms: z.number().nullable(),
    classifier: z.string().nullable(),
    classified_at: nullableTimestamp,
  })
  .meta({ id: 'Classification' });

export const agentView = z
  .object({
    slack_user_id: z.string(),
    name: z.string().nullable().describe('Display name from Slack (users.info); null until Slack answered'),
    email: z.string().nullable().describe('When the workspace shares it (users:read.email)'),
  })
  .meta({ id: 'Agent' });

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
    created_at: timestamp,
    updated_at: timestamp,
    classification: classificationView.nullable(),
    assignee: agentView.nullable().describe('The agent (a Slack user) working on it; null: nobody'),
    snooze: z
      .object({
        since: timestamp,
        until: timestamp.nullable().describe('When it wakes by itself; null: when the customer answers'),
        by: z.string().nullable().describe('Who snoozed it (slack:<user id>)'),
      })
      .nullable()
      .describe('Put aside by an agent (the Snooze button); SLA clocks pause meanwhile. null: not snoozed'),
    origin: z
      .object({
        mailbox_id: z.string().nullable().describe('The configured mailbox it was read from (IMAP_MAILBOXES id; `default` for IMAP_HOST); null: not mail'),
        folder: z.string().nullable().describe('The IMAP folder it was read from; null: not mail'),
        requester_header: z.enum(['from', 'sender', 'reply-to']).nullable().describe('The mail header the requester was taken from: `sender` or `reply-to` when From named no usable address; null: none named anyone, or not mail'),
        parse_problems: z.array(z.string()).describe('What decoding the mail noticed (undecodable bytes, a broken From, ...); empty when nothing'),
      })
      .describe('Where it came in beyond the door (`source`): for mail, the mailbox and what parsing noticed'),
    customer: z
      .object({ id: z.number().int(), name: z.string().nullable() })
      .nullable()
      .describe('Who wrote it, one customer across doors (/api/v1/customers/{id}); null: the message named nobody'),
    company: z
      .object({ id: z.number().int(), name: z.string(), tier: z.string().nullable() })
      .nullable()
      .describe("The customer's company (/api/v1/companies/{id}); null: none known"),
    merged_into_id: z
      .number()
      .int()
      .nullable()
      .describe('Merged into that ticket (POST /api/v1/requests/{id}/merge): its messages are there and it is left out of lists and stats; null: a ticket of its own'),
    split_from_id: z.number().int().nullable().describe('Made from follow-ups split out of that ticket (POST /api/v1/requests/{id}/split); null: not a split'),
    incident_id: z
      .number()
      .int()
      .nullable()
      .describe('In that incident, a flood of similar tickets (GET /api/v1/incidents/{id}); null: none, or taken out of it'),
  })
  .meta({ id: 'Ticket' });

export const messageView = z
  .object({
    id: z.number().int(),
    source: z.string(),
    author_email: z.string().nullable(),
    author_name: z.string().nullable(),
    reply_to: z.string().nullable(),
    subject: z.string().nullable(),
    body: z.string(),
    received_at: nullableTimestamp,
    created_at: timestamp,
    merged_from: z.number().int().nullable().describe('The text of that ticket, merged into this one; null: a follow-up'),
  })
  .meta({ id: 'TicketMessage' });

export const attachmentView = z
  .object({
    id: z.number().int(),
    message_id: z.number().int().nullable(),
    filename: z.string().nullable(),
    content_type: z.string(),
    size: z.number().int(),
    stored: z.boolean(),
  })
  .meta({ id: 'Attachment' });

/** An agent's reply to the customer (sent from Slack), with its delivery state. */
export const replyView = z
  .object({
    id: z.number().int(),
    agent: z.object({ slack_user_id: z.string(), name: z.string().nullable() }),
    body: z.string(),
    draft_origin: z.enum(['ai', 'saved_reply', 'none']),
    state: z.enum(['queued', 'sent', 'failed']),
    message_id: z.string().meta({ description: 'Fixed when the reply is stored: the e-mail Message-ID and the idempotency key of every attempt.' }),
    external_id: z.string().nullable(),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    created_at: timestamp,
    sent_at: nullableTimestamp,
  })
  .meta({ id: 'TicketReply' });

export const ticketDetail = z
  .object({
    ...ticketView.shape,
    messages: z.array(messageView),
    replies: z.array(replyView),
    attachments: z.array(attachmentView),
    legal_hold: z.boolean().describe('A legal hold (on the ticket or its requester) keeps erasure and retention away from it'),
    split_into: z.array(z.number().int()).describe('Tickets made from follow-ups split out of this one, oldest first'),
  })
  .meta({ id: 'TicketWithMessages' });

export const ticketList = z
  .object({ items: z.array(ticketView), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .meta({ id: 'TicketList' });

export const classificationHistory = z
  .object({
    ticket_id: z.number().int(),
    total: z.number().int(),
    items: z.array(
      z.object({
        id: z.number().int(),
        category: z.enum(CATEGORIES),
        confidence_score: z.number(),
        summary: z.string().nullable(),
        language: z.string().nullable(),
        priority: z.enum(PRIORITIES).nullable(),
        model_name: z.string(),
        classifier: z.string(),
        processing_time_ms: z.number(),
        note: z.string().nullable(),
        created_by: z.string().nullable(),
        created_at: timestamp,
      }),
    ),
  })
  .meta({ id: 'ClassificationHistory' });

const counts = z.record(z.string(), z.number().int());
const scoreSummary = z.object({ responses: z.number().int(), average: z.number().nullable().describe("Mean score, 1 to 5; null without responses") });
const slaOutcomes = z.partialRecord(
  z.enum(PRIORITIES),
  z.object({
    met: z.number().int().describe('stopped in time (first response given / resolved before due)'),
    breached: z.number().int().describe('stopped late, or overdue now'),
    pending: z.number().int().describe('running or paused, not yet due'),
    attainment: z.number().nullable().describe('met / (met + breached); null when nothing is decided'),
  }),
);
export const statsView = z
  .object({
    total_tickets: z.number().int(),
    period_days: z.number().int(),
    period_start: timestamp,
    period_end: timestamp,
    categories: z.array(z.object({ category: z.enum(CATEGORIES), count: z.number().int(), percentage: z.number() })),
    daily_counts: counts.describe('"YYYY-MM-DD" -> tickets created that UTC day, every day of the period'),
    average_confidence: z.number().nullable(),
    by_source: counts,
    by_priority: counts,
    pending_classification: z.number().int(),
    low_confidence: z.number().int(),
    sla: z
      .object({ first_response: slaOutcomes, resolution: slaOutcomes })
      .describe('SLA clocks of the period\'s tickets by priority (only priorities with a target; empty without SLA)'),
    spam: z
      .number()
      .int()
      .nullable()
      .describe('Messages from blocked senders kept as spam in the period (they made no ticket); null with a category filter, as spam has no category'),
    spam_by_source: counts.describe('door -> messages kept as spam in the period; empty with a category filter'),
    csat: z
      .object({
        ...scoreSummary.shape,
        distribution: counts.describe('"1" to "5" -> responses with that score'),
        by_category: z.record(z.string(), scoreSummary),
        by_agent: z.array(z.object({ slack_user_id: z.string(), ...scoreSummary.shape })).describe("By the ticket's assignee, most responses first"),
        by_company: z.array(z.object({ id: z.number().int(), name: z.string(), ...scoreSummary.shape })).describe("By the customer's company, most responses first"),
      })
      .describe('Satisfaction scores (1 to 5) answered in the period (README: Satisfaction surveys); responses 0 without surveys'),
    incidents: z
      .object({
        opened: z.number().int().describe('incidents opened in the period'),
        tickets: z.number().int().describe('tickets those incidents hold now (taken-out and deleted tickets not counted)'),
      })
      .describe('Incidents (floods of similar tickets grouped into one at classification) opened in the period; with a category filter, that category\'s'),
  })
  .meta({ id: 'Stats' });

export const rootView = z
  .object({ status: z.literal('healthy'), app: z.string(), version: z.string(), environment: z.string() })
  .meta({ id: 'ServiceInfo' });

export const doorView = z
  .object({
    last_accepted_at: z.string().nullable(),
    last_rejected_at: z.string().nullable(),
    last_rejection_reason: z.string().nullable().describe('unauthorized, invalid, too_large, rate_limited, login, config, ignored, failed ...'),
    last_rejection_detail: z.string().nullable(),
    rejections: z.record(z.string(), z.number().int()).describe('Rejections since start, by reason'),
  })
  .meta({ id: 'DoorActivity' });

export const healthView = z
  .object({
    status: z.enum(['healthy', 'degraded', 'unhealthy']),
    services: z
      .record(z.string(), z.string())
      .describe('Each part as a plain status word, as the original service answered: healthy, degraded, failing, unhealthy, disabled, local-only ...'),
    checks: z
      .record(z.string(), z.object({ status: z.string() }).loose())
      .describe('Each part\'s details (kind, backlog, mailbox, last error ...); checks.X.status is the part\'s own word'),
    doors: z
      .record(z.string(), doorView)
      .optional()
      .describe('Each intake door (rest, webhook:<provider>, imap:<user>/<mailbox>) as this instance saw it since it started'),
  })
  .meta({ id: 'Health' });

export const webhookResult = z
  .object({
    status: z.enum(['accepted', 'followup', 'duplicate', 'suppressed', 'ignored']),
    ticket_id: z.number().int().nullable(),
    reason: z.string().optional(),
  })
  .meta({ id: 'WebhookResult' });

export const webhookChallenge = z.object({ challenge: z.string() }).meta({ id: 'WebhookChallenge', description: 'Front\'s URL validation, echoed' });

export const errorResponse = z
  .object({
    detail: z.string(),
    status: z.number().int(),
    title: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string(), type: z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Error' });

// ---- dead letters ----

export const deadLetterView = z
  .object({
    id: z.string(),
    queue: z.string(),
    data: z.record(z.string(), z.unknown()),
    error: z.string().nullable(),
    dead_since: z.string(),
  })
  .meta({ id: 'DeadLetter' });

export const deadLettersResponse = z
  .object({ items: z.array(deadLetterView), counts: z.record(z.string(), z.number().int()) })
  .meta({ id: 'DeadLetters' });

export const replayResponse = z
  .object({ replayed: z.number().int(), items: z.array(deadLetterView) })
  .meta({ id: 'ReplayResult' });

export const assignmentHistory = z
  .object({
    ticket_id: z.number().int(),
    total: z.number().int(),
    items: z.array(
      z
        .object({
          id: z.number().int(),
          from: agentView.nullable().describe('The assignee before; null: nobody'),
          to: agentView.nullable().describe('The assignee after; null: nobody'),
          actor: z.string().describe('Who changed it: slack:<user id>, console:<user id>, api-key:<key fingerprint>, or api'),
          created_at: timestamp,
        })
        .meta({ id: 'Assignment' }),
    ),
  })
  .meta({ id: 'AssignmentHistory' });

// ---- saved replies ----

export const savedReplyView = z
  .object({
    id: z.number().int(),
    title: z.string(),
    body: z.string(),
    category: z.enum(CATEGORIES).nullable(),
    language: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'SavedReply' });

export const savedReplyList = z.object({ items: z.array(savedReplyView) }).meta({ id: 'SavedReplyList' });

// --- Customers and companies ---

const companyRef = z.object({ id: z.number().int(), name: z.string(), tier: z.string().nullable() });

export const customerView = z
  .object({
    id: z.number().int(),
    name: z.string().nullable(),
    emails: z.array(z.string()),
    external_ids: z.array(z.object({ door: z.string(), id: z.string() })),
    company: companyRef.nullable(),
    company_match: z.enum(['domain', 'helpdesk', 'manual']).nullable().describe('How the company was set; only `domain` is matched again when domains change'),
    first_seen_at: timestamp,
    last_seen_at: timestamp.describe('To the minute'),
    tickets: z.object({ total: z.number().int(), open: z.number().int() }).optional().describe('On a single customer only'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Customer' });

export const customerList = z
  .object({ items: z.array(customerView), next_before: z.number().int().nullable().describe('Pass as `before` for the next page; null: no more') })
  .meta({ id: 'CustomerList' });

export const companyView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    tier: z.string().nullable(),
    custom_fields: z.record(z.string(), z.unknown()),
    domains: z.array(z.string()),
    source: z.string().nullable().describe('The helpdesk this company came from, if any'),
    external_id: z.string().nullable(),
    customers: z.number().int(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Company' });

export const companyList = z
  .object({ items: z.array(companyView), next_before: z.number().int().nullable().describe('Pass as `before` for the next page; null: no more') })
  .meta({ id: 'CompanyList' });

export const companyDomainsResult = companyView.extend({ matched: z.object({ left: z.number().int(), joined: z.number().int() }).describe('Customers who left and joined by this change') }).meta({ id: 'CompanyDomainsResult' });
