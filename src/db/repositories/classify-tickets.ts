/**
 * The tickets side of the classify job (src/classify/job.ts): what it reads, the check that the text it
 * classified is still the ticket's text, and making its verdicts current.
 */
import { sql } from 'kysely';
import { type Sql, ticketNotDeleted } from '../sql.ts';
import type { AutomaticVerdictRow } from './classifications.ts';
import { ERASED } from './privacy-places.ts';

/** The not deleted tickets among `ids`, with what classifying them needs. */
export async function ticketsToClassify(db: Sql, ids: number[]) {
  if (!ids.length) return [];
  return db.kysely
    .selectFrom('tickets')
    .select(['id', 'subject', 'body', 'priority', 'classifier', 'current_classification_id'])
    // The category of the mailbox the mail came to (IMAP mailbox `defaultCategory`); only mail sets it.
    .select(sql<string | null>`case when source = 'email' then metadata->>'default_category' end`.as('default_category'))
    // One array parameter, however many ids (a batch may carry thousands).
    .where('id', '=', sql<number>`any(${ids}::int[])`)
    .where(ticketNotDeleted)
    .execute();
}

/** What became of a ticket's text between the classify job's read and its write. */
export type TextSinceRead = 'unchanged' | 'changed' | 'gone';

/**
 * Locks the tickets (in id order, as an erasure does) and says, per ticket read, whether its subject and body are
 * still the ones read: `changed` (a Slack edit) wants a fresh verdict; `gone` (deleted, or erased: an erasure
 * holds these locks while it works) wants none, so no summary of erased text lands after the erasure.
 */
export async function lockTicketsAsRead(tx: Sql, read: { id: number; subject: string | null; body: string }[]): Promise<Map<number, TextSinceRead>> {
  if (!read.length) return new Map();
  const rows = await tx.query<{ id: number; subject: string | null; body: string; deleted: boolean }>(
    'select id, subject, body, deleted_at is not null as deleted from tickets where id = any($1::int[]) order by id for update',
    [read.map((t) => t.id)],
  );
  const now = new Map(rows.map((r) => [Number(r.id), r]));
  return new Map(read.map((t) => {
    const r = now.get(t.id);
    if (!r || r.deleted || r.body === ERASED) return [t.id, 'gone'];
    return [t.id, r.subject === t.subject && r.body === t.body ? 'unchanged' : 'changed'];
  }));
}

/** A verdict made current: the history row's fields but model and timing, with the history row and low-confidence mark. */
export interface CurrentClassification extends Omit<AutomaticVerdictRow, 'modelName' | 'processingTimeMs'> {
  historyId: number;
  /** Decided by domain/ticket.ts isLowConfidence, stored for the stats. */
  lowConfidence: boolean;
}

/**
 * Makes automatic verdicts current in ONE statement, skipping tickets a person classified meanwhile.
 * Returns the ids updated.
 */
export async function setCurrentClassifications(tx: Sql, rows: CurrentClassification[]): Promise<number[]> {
  const col = <K extends keyof CurrentClassification>(k: K) => rows.map((r) => r[k]);
  const { rows: updated } = await sql<{ id: number }>`
    update tickets t set category = u.category, confidence = u.confidence, summary = u.summary, language = u.language,
           priority = u.priority, classifier = u.classifier, current_classification_id = u.history_id,
           low_confidence = u.low_confidence,
           status = case when t.status = 'processing' then 'open' else t.status end,
           -- A resolved ticket's age is its retention clock (retention.ts): a late verdict does not restart it.
           updated_at = case when t.status = 'resolved' then t.updated_at else now() end
      from unnest(${col('ticketId')}::int[], ${col('category')}::text[], ${col('confidence')}::float8[], ${col('summary')}::text[],
                  ${col('language')}::text[], ${col('priority')}::text[], ${col('classifier')}::text[], ${col('historyId')}::int[],
                  ${col('lowConfidence')}::boolean[])
           as u(id, category, confidence, summary, language, priority, classifier, history_id, low_confidence)
     where t.id = u.id and t.classifier is distinct from 'human'
     returning t.id`.execute(tx.kysely);
  return updated.map((r) => r.id);
}
