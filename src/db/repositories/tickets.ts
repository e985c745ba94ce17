/**
 * The tickets table: reading tickets (as the one domain Ticket), the lookups of threading and dedupe, and the
 * single-row writes behind people's changes. No pipeline hooks here: src/ingest/changes.ts runs them.
 */
import { type Expression, expressionBuilder, sql, type SqlBool } from 'kysely';
import type { Category, Priority, Source, TicketStatus } from '../../domain/categories.ts';
import type { Ticket } from '../../domain/ticket.ts';
import { type DB, type Sql, ticketLiveOrMerged, ticketNotDeleted } from '../sql.ts';
import { ticketContains } from './ticket-search.ts';

function selectTickets(db: Sql) {
  return selectTicketRows(db).where(ticketNotDeleted);
}

function selectTicketRows(db: Sql) {
  return db.kysely
    .selectFrom('tickets')
    .leftJoin('classifications', 'classifications.id', 'tickets.current_classification_id')
    .leftJoin('agents', 'agents.slack_user_id', 'tickets.assignee_slack_user_id')
    .leftJoin('customers', 'customers.id', 'tickets.customer_id')
    .leftJoin('companies', 'companies.id', 'customers.company_id')
    .select(['tickets.customer_id', 'customers.name as customer_name', 'companies.id as company_id', 'companies.name as company_name', 'companies.tier as company_tier'])
    .select([
      'tickets.id', 'tickets.source', 'tickets.external_id', 'tickets.subject', 'tickets.body', 'tickets.requester_email',
      'tickets.requester_name', 'tickets.reply_to', 'tickets.original_queue', 'tickets.original_priority', 'tickets.language',
      'tickets.priority', 'tickets.status', 'tickets.tags', 'tickets.category', 'tickets.confidence', 'tickets.summary',
      'tickets.classifier', 'classifications.model_name', 'classifications.processing_time_ms',
      'classifications.created_at as classified_at', 'tickets.created_at', 'tickets.updated_at',
      'tickets.assignee_slack_user_id', 'agents.name as assignee_name', 'agents.email as assignee_email',
      'tickets.snoozed_since', 'tickets.snoozed_until', 'tickets.snoozed_by', 'tickets.merged_into_id', 'tickets.split_from_id',
      'tickets.incident_id',
    ])
    // Only mail writes these keys (Help Scout's payload has a mailbox_id of its own), so only mail is read.
    .select(sql<string | null>`case when tickets.source = 'email' then tickets.metadata->>'mailbox_id' end`.as('mailbox_id'))
    .select(sql<string | null>`case when tickets.source = 'email' then tickets.metadata->>'mailbox' end`.as('mailbox_folder'))
    .select(sql<string | null>`case when tickets.source = 'email' then tickets.metadata->>'requester_header' end`.as('requester_header'))
    .select(sql<unknown>`case when tickets.source = 'email' then tickets.metadata->'parse_problems' end`.as('parse_problems'));
}

type TicketRow = Awaited<ReturnType<ReturnType<typeof selectTicketRows>['executeTakeFirstOrThrow']>>;

function toTicket(r: TicketRow): Ticket {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    subject: r.subject,
    body: r.body,
    requesterEmail: r.requester_email,
    requesterName: r.requester_name,
    replyTo: r.reply_to,
    originalQueue: r.original_queue,
    originalPriority: r.original_priority,
    language: r.language,
    priority: r.priority,
    status: r.status,
    tags: r.tags ?? [],
    category: r.category,
    confidence: r.confidence,
    summary: r.summary,
    classifier: r.classifier,
    classification:
      r.model_name === null || r.classified_at === null
        ? null
        : { modelName: r.model_name, processingTimeMs: r.processing_time_ms ?? 0, classifiedAt: new Date(r.classified_at) },
    assignee: r.assignee_slack_user_id === null ? null : { slackUserId: r.assignee_slack_user_id, name: r.assignee_name, email: r.assignee_email },
    snooze: r.snoozed_since === null ? null : { since: new Date(r.snoozed_since), until: r.snoozed_until === null ? null : new Date(r.snoozed_until), by: r.snoozed_by },
    origin: {
      mailboxId: r.mailbox_id,
      folder: r.mailbox_folder,
      requesterHeader: r.requester_header,
      parseProblems: Array.isArray(r.parse_problems) ? r.parse_problems.filter((p): p is string => typeof p === 'string') : [],
    },
    customer: r.customer_id === null ? null : { id: r.customer_id, name: r.customer_name },
    company: r.company_id === null || r.company_name === null ? null : { id: r.company_id, name: r.company_name, tier: r.company_tier },
    mergedInto: r.merged_into_id,
    splitFrom: r.split_from_id,
    incidentId: r.incident_id,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export async function getTicket(db: Sql, id: number): Promise<Ticket | null> {
  const row = await selectTickets(db).where('tickets.id', '=', id).executeTakeFirst();
  return row ? toTicket(row) : null;
}

/** A ticket, or a merged ticket's pointer (its own fields as they were, mergedInto set); null: neither. */
export async function getTicketOrMerged(db: Sql, id: number): Promise<Ticket | null> {
  const row = await selectTicketRows(db).where('tickets.id', '=', id).where(ticketLiveOrMerged).executeTakeFirst();
  return row ? toTicket(row) : null;
}

export interface TicketFilter {
  category?: Category;
  source?: Source;
  status?: TicketStatus;
  /** A Slack user id, or null for tickets nobody is assigned. */
  assignee?: string | null;
  /** Mail read from this configured mailbox (its id). */
  mailbox?: string;
  /** Written by this customer / by a customer of this company. */
  customerId?: number;
  companyId?: number;
  /** Leave resolved tickets out. */
  unresolved?: boolean;
  since?: Date;
  until?: Date;
  q?: string;
  limit: number;
  offset: number;
}

export async function listTickets(db: Sql, f: TicketFilter): Promise<{ items: Ticket[]; total: number }> {
  const eb = expressionBuilder<DB, 'tickets'>();
  const where: Expression<SqlBool>[] = [ticketNotDeleted];
  if (f.category) where.push(eb('tickets.category', '=', f.category));
  if (f.source) where.push(eb('tickets.source', '=', f.source));
  if (f.status) where.push(eb('tickets.status', '=', f.status));
  if (f.assignee !== undefined) where.push(eb('tickets.assignee_slack_user_id', f.assignee === null ? 'is' : '=', f.assignee));
  if (f.mailbox !== undefined) where.push(eb.and([eb('tickets.source', '=', 'email'), eb(sql<string>`tickets.metadata->>'mailbox_id'`, '=', f.mailbox)]));
  if (f.unresolved) where.push(eb('tickets.status', '<>', 'resolved'));
  if (f.customerId !== undefined) where.push(eb('tickets.customer_id', '=', f.customerId));
  if (f.companyId !== undefined) where.push(eb('tickets.customer_id', 'in', eb.selectFrom('customers').select('customers.id').where('customers.company_id', '=', f.companyId)));
  if (f.since) where.push(eb('tickets.created_at', '>=', f.since));
  if (f.until) where.push(eb('tickets.created_at', '<', f.until));
  if (f.q) where.push(ticketContains(f.q));
  const [items, count] = await Promise.all([
    selectTickets(db)
      .where((w) => w.and(where))
      .orderBy('tickets.created_at', 'desc')
      .orderBy('tickets.id', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    db.kysely
      .selectFrom('tickets')
      .select((s) => s.fn.countAll<string>().as('total'))
      .where((w) => w.and(where))
      .executeTakeFirst(),
  ]);
  return { items: items.map(toTicket), total: Number(count?.total ?? 0) };
}

/** Our id of the (not deleted) ticket this source opened under `externalId`, if we hold it. */
export async function findTicketIdByExternalId(db: Sql, source: Source, externalId: string): Promise<number | undefined> {
  const row = await db.kysely
    .selectFrom('tickets')
    .select('id')
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .where(ticketNotDeleted)
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/** A ticket a message may continue, with who may write into it. */
export interface ThreadCandidate {
  id: number;
  requester_email: string | null;
  participants: string[] | null;
  /** Merged into that ticket: the message continues there (src/ingest/thread.ts). */
  merged_into_id: number | null;
}

const candidateColumns = ['tickets.id', 'tickets.requester_email', 'tickets.participants', 'tickets.merged_into_id'] as const;

export async function threadCandidateByExternalId(db: Sql, source: Source, externalId: string): Promise<ThreadCandidate | undefined> {
  return db.kysely
    .selectFrom('tickets')
    .select(candidateColumns)
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .where(ticketLiveOrMerged)
    .executeTakeFirst();
}

export async function threadCandidateById(db: Sql, id: number): Promise<ThreadCandidate[]> {
  return db.kysely.selectFrom('tickets').select(candidateColumns).where('id', '=', id).where(ticketLiveOrMerged).execute();
}

/** Tickets whose own e-mail, or one of whose follow-ups, has one of these Message-IDs. */
export async function threadCandidatesByMessageIds(db: Sql, messageIds: string[]): Promise<ThreadCandidate[]> {
  return db.kysely
    .selectFrom('tickets')
    .select(candidateColumns)
    .where(ticketLiveOrMerged)
    .where('tickets.source', '=', 'email')
    .where('tickets.external_id', '=', sql<string>`any(${messageIds}::text[])`)
    .union(
      db.kysely
        .selectFrom('ticket_messages')
        .innerJoin('tickets', 'tickets.id', 'ticket_messages.ticket_id')
        .select(candidateColumns)
        .where(ticketLiveOrMerged)
        .where('ticket_messages.source', '=', 'email')
        .where('ticket_messages.external_id', '=', sql<string>`any(${messageIds}::text[])`),
    )
    // An answer to an agent's reply names that reply's Message-ID (some clients send In-Reply-To alone).
    .union(
      db.kysely
        .selectFrom('ticket_replies')
        .innerJoin('tickets', 'tickets.id', 'ticket_replies.ticket_id')
        .select(candidateColumns)
        .where(ticketLiveOrMerged)
        .where('ticket_replies.message_id', '=', sql<string>`any(${messageIds}::text[])`),
    )
    .execute();
}

/** The ticket (not deleted) or follow-up of `source` stored under one of these message ids: what a bounce is about. */
export async function ticketIdForMessageIds(db: Sql, source: string, messageIds: string[]): Promise<number | null> {
  const { rows } = await sql<{ id: number }>`
    select id from tickets where source = ${source} and external_id = any(${messageIds}::text[]) and ${ticketNotDeleted}
    union all
    select ticket_id as id from ticket_messages where source = ${source} and external_id = any(${messageIds}::text[])
    limit 1`.execute(db.kysely);
  return rows[0]?.id ?? null;
}

/** Dedupe across tables: a message already stored as a ticket or as a follow-up (deleted tickets included). */
export async function findStoredMessage(db: Sql, source: Source, externalId: string): Promise<{ ticketId: number; messageId?: number } | null> {
  const { rows } = await sql<{ ticket_id: number; message_id: number | null }>`
    select id as ticket_id, null::int as message_id from tickets where source = ${source} and external_id = ${externalId}
    union all
    select ticket_id, id from ticket_messages where source = ${source} and external_id = ${externalId}
    limit 1`.execute(db.kysely);
  const row = rows[0];
  if (!row) return null;
  return row.message_id === null ? { ticketId: row.ticket_id } : { ticketId: row.ticket_id, messageId: row.message_id };
}

export async function touchTicket(tx: Sql, ticketId: number): Promise<void> {
  await tx.kysely.updateTable('tickets').set({ updated_at: sql<Date>`now()` }).where('id', '=', ticketId).execute();
}

/** The fields a person's change starts from, locked for the rest of the transaction; null when gone. */
export async function lockTicket(tx: Sql, id: number) {
  const row = await tx.kysely
    .selectFrom('tickets')
    .select(['status', 'category', 'priority', 'classifier', 'summary', 'language', 'assignee_slack_user_id', 'snoozed_since', 'snoozed_until'])
    .where('id', '=', id)
    .where(ticketNotDeleted)
    .forUpdate()
    .executeTakeFirst();
  return row ?? null;
}

/** The customer answered: a ticket waiting on them is open again. Returns whether it was waiting. */
export async function reopenIfWaiting(tx: Sql, id: number): Promise<boolean> {
  const row = await tx.kysely
    .updateTable('tickets')
    .set({ status: 'open', updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'waiting_on_customer')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Snoozes the ticket (since stays that of a snooze already running), or ends its snooze (null). */
export async function updateSnooze(tx: Sql, id: number, snooze: { since: Date; until: Date | null; by: string } | null): Promise<void> {
  await tx.kysely
    .updateTable('tickets')
    .set({ snoozed_since: snooze?.since ?? null, snoozed_until: snooze?.until ?? null, snoozed_by: snooze?.by ?? null, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

/** Ends the ticket's snooze, whatever kind; returns whether it was snoozed. */
export async function endSnooze(tx: Sql, id: number): Promise<boolean> {
  const row = await tx.kysely
    .updateTable('tickets')
    .set({ snoozed_since: null, snoozed_until: null, snoozed_by: null, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('snoozed_since', 'is not', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Tickets whose snooze ended by time at `now`, locked; rows another instance holds are skipped (it is waking
 * them). Ending the snooze in the same transaction is the claim: each wakes once.
 */
export async function lockLapsedSnoozes(tx: Sql, now: Date, limit: number): Promise<number[]> {
  const rows = await tx.kysely
    .selectFrom('tickets')
    .select('id')
    .where('snoozed_until', '<=', now)
    .where(ticketNotDeleted)
    .orderBy('snoozed_until')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => r.id);
}

export async function updateStatus(tx: Sql, id: number, status: TicketStatus): Promise<void> {
  await tx.kysely.updateTable('tickets').set({ status, updated_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

export async function updateAssignee(tx: Sql, id: number, slackUserId: string | null): Promise<void> {
  await tx.kysely.updateTable('tickets').set({ assignee_slack_user_id: slackUserId, updated_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

/** Makes a human verdict (history row `classificationId`) the ticket's current classification. */
export async function setHumanClassification(tx: Sql, id: number, v: { category: Category; priority: Priority | null; classificationId: number }): Promise<void> {
  await tx.kysely
    .updateTable('tickets')
    .set({
      category: v.category,
      confidence: 1,
      priority: v.priority,
      classifier: 'human',
      current_classification_id: v.classificationId,
      low_confidence: false,
      status: sql<TicketStatus>`case when status = 'processing' then 'open' else status end`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

/** Returns false when the ticket does not exist or was already deleted. */
export async function markDeleted(tx: Sql, id: number): Promise<boolean> {
  const row = await tx.kysely
    .updateTable('tickets')
    .set({ deleted_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where(ticketNotDeleted)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** What routing an alert needs (not deleted tickets). */
/** What decides an alert's channel: the classification, and the channel and category of the mailbox a mail came to. */
export async function findRoutingFields(
  db: Sql,
  id: number,
): Promise<(Pick<Ticket, 'category' | 'confidence' | 'classifier'> & { mailbox_channel: string | null; mailbox_category: string | null }) | undefined> {
  return db.kysely
    .selectFrom('tickets')
    .select(['category', 'confidence', 'classifier'])
    // Only mail sets these (Help Scout tickets carry a mailbox_id of their own), so only mail is trusted.
    .select(sql<string | null>`case when source = 'email' then metadata->>'slack_channel' end`.as('mailbox_channel'))
    .select(sql<string | null>`case when source = 'email' then metadata->>'default_category' end`.as('mailbox_category'))
    .where('id', '=', id)
    .where(ticketNotDeleted)
    .executeTakeFirst();
}

/** When the ticket was created (epoch ms, deleted tickets included); undefined when there is no such ticket. */
export async function ticketCreatedAtMs(db: Sql, id: number): Promise<number | undefined> {
  const row = await db.kysely
    .selectFrom('tickets')
    .select(sql<number>`extract(epoch from created_at) * 1000`.as('ms'))
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? Number(row.ms) : undefined;
}
