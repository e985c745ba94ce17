/** Satisfaction surveys (csat_surveys; the rules: src/ingest/surveys.ts, the sending: src/outbound/surveys/). */
import { sql } from 'kysely';
import type { Sql } from '../sql.ts';

export async function insertSurvey(tx: Sql, s: { ticketId: number; token: string; dueAt: Date }): Promise<number> {
  const row = await tx.kysely.insertInto('csat_surveys').values({ ticket_id: s.ticketId, token: s.token, due_at: s.dueAt }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** The ticket reopened: its survey not sent yet is not sent at all. Returns how many were cancelled. */
export async function cancelPendingSurveys(tx: Sql, ticketId: number): Promise<number> {
  const rows = await tx.kysely
    .updateTable('csat_surveys')
    .set({ state: 'cancelled', note: 'the ticket was reopened before it was sent' })
    .where('ticket_id', '=', ticketId)
    .where('state', '=', 'pending')
    .returning('id')
    .execute();
  return rows.length;
}

export interface SurveyRow {
  id: number;
  ticket_id: number;
  token: string;
  state: string;
  score: number | null;
}

export async function getSurvey(db: Sql, id: number): Promise<SurveyRow | undefined> {
  return db.kysely.selectFrom('csat_surveys').select(['id', 'ticket_id', 'token', 'state', 'score']).where('id', '=', id).executeTakeFirst();
}

export async function surveyByToken(db: Sql, token: string): Promise<SurveyRow | undefined> {
  return db.kysely.selectFrom('csat_surveys').select(['id', 'ticket_id', 'token', 'state', 'score']).where('token', '=', token).executeTakeFirst();
}

/** Moves a survey on from `from` (the first to do it wins: a second job or instance finds it moved). */
export async function moveSurvey(db: Sql, id: number, from: 'pending', to: 'sent' | 'skipped' | 'failed', note?: string): Promise<boolean> {
  const rows = await db.kysely
    .updateTable('csat_surveys')
    .set({ state: to, note: note?.slice(0, 255) ?? null, ...(to === 'sent' ? { sent_at: sql<Date>`now()` } : {}) })
    .where('id', '=', id)
    .where('state', '=', from)
    .returning('id')
    .execute();
  return rows.length > 0;
}

/** Records the score of a sent survey, once; undefined when it was not waiting for one. */
export async function recordScore(tx: Sql, token: string, score: number): Promise<{ id: number; ticket_id: number } | undefined> {
  return tx.kysely
    .updateTable('csat_surveys')
    .set({ state: 'answered', score, answered_at: sql<Date>`now()` })
    .where('token', '=', token)
    .where('state', '=', 'sent')
    .returning(['id', 'ticket_id'])
    .executeTakeFirst();
}
