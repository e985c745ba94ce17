/** The classification history (classifications): every verdict, automatic or human, newest last. */
import { sql } from 'kysely';
import type { Category, Priority } from '../../domain/categories.ts';
import { type Sql, ticketNotDeleted } from '../sql.ts';

export async function listClassifications(db: Sql, ticketId: number) {
  return db.kysely
    .selectFrom('classifications')
    .select(['id', 'category', 'confidence', 'summary', 'language', 'priority', 'model_name', 'classifier', 'processing_time_ms', 'note', 'created_by', 'created_at'])
    .where('ticket_id', '=', ticketId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export type ClassificationRow = Awaited<ReturnType<typeof listClassifications>>[number];

export interface HumanVerdictRow {
  ticketId: number;
  category: Category;
  priority: Priority | null;
  summary: string | null;
  language: string | null;
  note: string | null;
  actor: string;
}

/** A person's verdict: model "human", confidence 1. Returns the history row's id. */
export async function insertHumanVerdict(tx: Sql, v: HumanVerdictRow): Promise<number> {
  const row = await tx.kysely
    .insertInto('classifications')
    .values({
      ticket_id: v.ticketId,
      category: v.category,
      confidence: 1,
      summary: v.summary,
      language: v.language,
      priority: v.priority,
      model_name: 'human',
      classifier: 'human',
      processing_time_ms: 0,
      note: v.note,
      created_by: v.actor,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Each ticket's latest human verdict with the ticket's text (not deleted tickets): the training corrections. */
export async function latestHumanVerdicts(db: Sql) {
  const { rows } = await sql<{ subject: string | null; body: string; category: string; priority: string | null; language: string | null }>`
    select distinct on (c.ticket_id) tickets.subject, tickets.body, c.category, coalesce(c.priority, tickets.priority) as priority, tickets.language
      from classifications c join tickets on tickets.id = c.ticket_id
     where c.classifier = 'human' and ${ticketNotDeleted}
     order by c.ticket_id, c.created_at desc, c.id desc`.execute(db.kysely);
  return rows;
}

export interface AutomaticVerdictRow {
  ticketId: number;
  category: Category;
  confidence: number;
  summary: string;
  language: string | null;
  priority: Priority | null;
  modelName: string;
  classifier: string;
  processingTimeMs: number;
}

/** A batch of classifier verdicts in ONE statement; returns each ticket's new history row id. */
export async function insertAutomaticVerdicts(tx: Sql, rows: AutomaticVerdictRow[]): Promise<Map<number, number>> {
  const col = <K extends keyof AutomaticVerdictRow>(k: K) => rows.map((r) => r[k]);
  const { rows: inserted } = await sql<{ id: number; ticket_id: number }>`
    insert into classifications (ticket_id, category, confidence, summary, language, priority, model_name, classifier, processing_time_ms)
    select * from unnest(${col('ticketId')}::int[], ${col('category')}::text[], ${col('confidence')}::float8[], ${col('summary')}::text[],
      ${col('language')}::text[], ${col('priority')}::text[], ${col('modelName')}::text[], ${col('classifier')}::text[], ${col('processingTimeMs')}::int[])
    returning id, ticket_id`.execute(tx.kysely);
  return new Map(inserted.map((r) => [r.ticket_id, r.id]));
}
