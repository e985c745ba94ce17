/**
 * Reading and changing tickets on behalf of people (REST clients, Slack agents). Each write calls
 * ticketEvents.ticketChanged (src/ingest/ticket-events.ts) inside its transaction.
 */
import type { Category, Priority, Source, TicketStatus } from '../../domain/categories.ts';
import type { TicketEvents } from '../../ingest/ticket-events.ts';
import type { Database } from '../database.ts';
import type { Sql } from '../sql.ts';

export interface TicketRow {
  id: number;
  source: Source;
  external_id: string | null;
  subject: string | null;
  body: string;
  requester_email: string | null;
  requester_name: string | null;
  reply_to: string | null;
  original_queue: string | null;
  original_priority: string | null;
  language: string | null;
  priority: Priority | null;
  status: TicketStatus;
  tags: string[] | null;
  category: Category | null;
  confidence: number | null;
  summary: string | null;
  classifier: string | null;
  model_name: string | null;
  processing_time_ms: number | null;
  classified_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT_TICKET = `
  select t.id, t.source, t.external_id, t.subject, t.body, t.requester_email, t.requester_name, t.reply_to, t.original_queue,
         t.original_priority, t.language, t.priority, t.status, t.tags, t.category, t.confidence, t.summary, t.classifier,
         c.model_name, c.processing_time_ms, c.created_at as classified_at, t.created_at, t.updated_at
    from tickets t left join classifications c on c.id = t.current_classification_id`;

export interface TicketFilter {
  category?: Category;
  source?: Source;
  status?: TicketStatus;
  since?: Date;
  until?: Date;
  q?: string;
  limit: number;
  offset: number;
}

export async function getTicket(sql: Sql, id: number): Promise<TicketRow | null> {
  const rows = await sql.query<TicketRow>(`${SELECT_TICKET} where t.id = $1 and t.deleted_at is null`, [id]);
  return rows[0] ?? null;
}

export async function listTickets(sql: Sql, f: TicketFilter): Promise<{ items: TicketRow[]; total: number }> {
  const where = ['t.deleted_at is null'];
  const params: unknown[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (f.category) add((p) => `t.category = ${p}`, f.category);
  if (f.source) add((p) => `t.source = ${p}`, f.source);
  if (f.status) add((p) => `t.status = ${p}`, f.status);
  if (f.since) add((p) => `t.created_at >= ${p}`, f.since);
  if (f.until) add((p) => `t.created_at < ${p}`, f.until);
  if (f.q) add((p) => `(t.subject ilike ${p} or t.body ilike ${p})`, `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const whereSql = where.join(' and ');
  const [items, count] = await Promise.all([
    sql.query<TicketRow>(
      `${SELECT_TICKET} where ${whereSql} order by t.created_at desc, t.id desc limit $${params.length + 1} offset $${params.length + 2}`,
      [...params, f.limit, f.offset],
    ),
    sql.query<{ total: string }>(`select count(*) as total from tickets t where ${whereSql}`, params),
  ]);
  return { items, total: Number(count[0]?.total ?? 0) };
}

export interface MessageRow {
  id: number;
  source: string;
  author_email: string | null;
  author_name: string | null;
  reply_to: string | null;
  subject: string | null;
  body: string;
  received_at: Date | null;
  created_at: Date;
}

export function listMessages(sql: Sql, ticketId: number): Promise<MessageRow[]> {
  return sql.query<MessageRow>(
    `select id, source, author_email, author_name, reply_to, subject, body, received_at, created_at
       from ticket_messages where ticket_id = $1 order by created_at, id`,
    [ticketId],
  );
}

export interface AttachmentRow {
  id: number;
  message_id: number | null;
  filename: string | null;
  content_type: string;
  size: number;
  stored: boolean;
}

export function listAttachments(sql: Sql, ticketId: number): Promise<AttachmentRow[]> {
  return sql.query<AttachmentRow>(
    `select id, message_id, filename, content_type, size, content is not null as stored
       from attachments where ticket_id = $1 order by id`,
    [ticketId],
  );
}

export interface ClassificationRow {
  id: number;
  category: Category;
  confidence: number;
  summary: string | null;
  language: string | null;
  priority: Priority | null;
  model_name: string;
  classifier: string;
  processing_time_ms: number;
  note: string | null;
  created_by: string | null;
  created_at: Date;
}

export function listClassifications(sql: Sql, ticketId: number): Promise<ClassificationRow[]> {
  return sql.query<ClassificationRow>(
    `select id, category, confidence, summary, language, priority, model_name, classifier, processing_time_ms, note,
            created_by, created_at
       from classifications where ticket_id = $1 order by created_at desc, id desc`,
    [ticketId],
  );
}

export interface TicketWriteDeps {
  db: Database;
  ticketEvents: TicketEvents;
}

/** Returns false when the ticket does not exist (or was deleted). Setting the same status again is a no-op. */
export async function setStatus(deps: TicketWriteDeps, ticketId: number, status: TicketStatus, actor: string): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const current = await lockTicket(tx, ticketId);
    if (!current) return false;
    if (current.status === status) return true;
    await tx.query('update tickets set status = $2, updated_at = now() where id = $1', [ticketId, status]);
    await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'status', status, actor });
    return true;
  });
}

export interface HumanClassification {
  category: Category;
  priority?: Priority | null;
  note?: string | null;
  actor: string;
}

/**
 * A person's verdict becomes the ticket's classification (model "human", confidence 1) and is kept in the
 * history; automatic runs never overwrite it. Repeating the same verdict adds nothing.
 */
export async function applyHumanClassification(deps: TicketWriteDeps, ticketId: number, input: HumanClassification): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const current = await lockTicket(tx, ticketId);
    if (!current) return false;
    const priority = input.priority ?? current.priority;
    if (current.classifier === 'human' && current.category === input.category && current.priority === priority && !input.note) return true;
    const [row] = await tx.query<{ id: number }>(
      `insert into classifications (ticket_id, category, confidence, summary, language, priority, model_name, classifier, processing_time_ms, note, created_by)
       values ($1, $2, 1, $3, $4, $5, 'human', 'human', 0, $6, $7) returning id`,
      [ticketId, input.category, current.summary, current.language, priority, input.note ?? null, input.actor],
    );
    await tx.query(
      `update tickets set category = $2, confidence = 1, priority = $3, classifier = 'human', current_classification_id = $4, low_confidence = false,
              status = case when status = 'processing' then 'open' else status end, updated_at = now()
        where id = $1`,
      [ticketId, input.category, priority, row!.id],
    );
    await deps.ticketEvents.ticketChanged(tx, ticketId, {
      kind: 'classification',
      category: input.category,
      priority,
      actor: input.actor,
      note: input.note ?? null,
    });
    return true;
  });
}

export async function softDelete(deps: TicketWriteDeps, ticketId: number, actor: string): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const rows = await tx.query<{ id: number }>(
      'update tickets set deleted_at = now(), updated_at = now() where id = $1 and deleted_at is null returning id',
      [ticketId],
    );
    if (!rows[0]) return false;
    await deps.ticketEvents.ticketChanged(tx, ticketId, { kind: 'deleted', actor });
    return true;
  });
}

async function lockTicket(tx: Sql, id: number) {
  const rows = await tx.query<{ status: TicketStatus; category: Category | null; priority: Priority | null; classifier: string | null; summary: string | null; language: string | null }>(
    'select status, category, priority, classifier, summary, language from tickets where id = $1 and deleted_at is null for update',
    [id],
  );
  return rows[0] ?? null;
}
