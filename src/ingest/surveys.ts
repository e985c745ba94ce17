/**
 * Satisfaction surveys, the pipeline's side: one is planned when a ticket is resolved (src/outbound/surveys/
 * sends it later, once) and cancelled when the ticket reopens first; the customer's score, given on the
 * survey page (src/inbound/survey/), is recorded here, once. A bad score is told to the ticket's listeners (the
 * card's thread mentions the assignee) and, when configured, reopens the ticket, in the same transaction.
 */
import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/sql.ts';
import { cancelPendingSurveys, insertSurvey, recordScore } from '../db/repositories/surveys.ts';
import { appendAudit } from '../db/repositories/audit-entries.ts';
import { changeStatusIn, type TicketWriteDeps } from './changes.ts';

/** A survey page's token: 32 random bytes, URL-safe. */
export const newSurveyToken = () => randomBytes(32).toString('base64url');

export async function planSurvey(tx: Sql, ticketId: number, dueAt: Date): Promise<{ id: number; token: string }> {
  const token = newSurveyToken();
  return { id: await insertSurvey(tx, { ticketId, token, dueAt }), token };
}

export const cancelSurveys = cancelPendingSurveys;

export interface ScoreDeps extends TicketWriteDeps {
  /** Scores at or below are bad. */
  badScore: number;
  reopenOnBad: boolean;
}

export type ScoreOutcome = 'recorded' | 'closed';

/** Records `score` (1 to 5) for the survey behind `token`: 'closed' when it is not waiting for one (answered, cancelled, unknown). */
export async function answerSurvey(deps: ScoreDeps, token: string, score: number): Promise<ScoreOutcome> {
  if (!Number.isInteger(score) || score < 1 || score > 5) throw new RangeError('a score is a whole number from 1 to 5');
  return deps.db.transaction(async (tx) => {
    const survey = await recordScore(tx, token, score);
    if (!survey) return 'closed';
    const bad = score <= deps.badScore;
    await appendAudit(tx, { actor: 'customer', action: 'survey', ticketId: survey.ticket_id, before: {}, after: { survey_id: survey.id, score } });
    await deps.ticketEvents.ticketChanged(tx, survey.ticket_id, { kind: 'survey', score, bad, actor: 'customer' });
    if (bad && deps.reopenOnBad) await changeStatusIn(tx, deps, survey.ticket_id, 'open', 'customer');
    return 'recorded';
  });
}
