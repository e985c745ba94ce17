/**
 * The survey send job (queue SURVEY_QUEUE, one job per survey, due when the survey is): checks the survey still
 * waits and the ticket still qualifies (resolved, not merged or deleted, not a blocked sender's), sends it through
 * the ticket's own reply sender as automatic mail or a webhook of type "survey", and marks it sent. Once across
 * instances and restarts: the queue hands the job to one worker, the state row moves once, and every attempt
 * carries the same Message-ID / Idempotency-Key (a crash after the send and before "sent" repeats the same
 * message, which the receiver drops, as for replies: src/outbound/send-job.ts).
 */
import type { Logger } from 'pino';
import type { CsatConfig } from '../../config/csat.ts';
import type { Database } from '../../db/database.ts';
import type { JobQueue, QueueJob } from '../../db/queue.ts';
import { QUEUE_POLICIES, SURVEY_QUEUE } from '../../db/queue-registry.ts';
import { getSurvey, moveSurvey } from '../../db/repositories/surveys.ts';
import { getTicket } from '../../db/repositories/tickets.ts';
import { PermanentSendError, senderFor, type ReplySender } from '../../domain/reply.ts';
import type { Ticket } from '../../domain/ticket.ts';
import { noSurveyBecause, type SurveyJob } from './plan.ts';

export interface SurveySendDeps {
  db: Database;
  queue: JobQueue;
  senders: readonly ReplySender[];
  csat: CsatConfig;
  publicUrl: string;
  messageIdDomain: string;
  logger: Logger;
}

export async function startSurveyWorker(deps: SurveySendDeps): Promise<void> {
  await deps.queue.createQueue(SURVEY_QUEUE, QUEUE_POLICIES[SURVEY_QUEUE]);
  await deps.queue.work<SurveyJob>(SURVEY_QUEUE, { concurrency: 2 }, (job) => sendSurvey(deps, job));
}

export const surveyUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, '')}/survey/${token}`;

export async function sendSurvey(deps: SurveySendDeps, job: QueueJob<SurveyJob>): Promise<void> {
  const survey = await getSurvey(deps.db.sql, job.data.surveyId);
  if (!survey || survey.state !== 'pending') return;
  const log = deps.logger.child({ surveyId: survey.id, ticketId: survey.ticket_id });
  const ticket = await getTicket(deps.db.sql, survey.ticket_id);
  const why = ticket?.status !== 'resolved' && ticket ? 'the ticket is not resolved any more' : await noSurveyBecause(deps.db.sql, deps.senders, ticket);
  if (why) {
    await moveSurvey(deps.db.sql, survey.id, 'pending', 'skipped', why);
    log.info({ why }, 'survey not sent');
    return;
  }
  const url = surveyUrl(deps.publicUrl, survey.token);
  try {
    await senderFor(deps.senders, ticket!)!.send(ticket!, {
      replyId: survey.id,
      ticketId: ticket!.id,
      text: surveyText(ticket!, url),
      agent: { slackUserId: '', name: 'Support' },
      // The same on every attempt: fixed by the survey, never by the attempt.
      idempotencyKey: `<survey-${survey.id}.${survey.token.slice(0, 12)}@${deps.messageIdDomain}>`,
      survey: { url, from: deps.csat.from },
    });
  } catch (error) {
    if (!(error instanceof PermanentSendError)) throw error;
    await moveSurvey(deps.db.sql, survey.id, 'pending', 'failed', error.message);
    log.warn({ err: error.message }, 'survey refused by its door: not sent');
    return;
  }
  await moveSurvey(deps.db.sql, survey.id, 'pending', 'sent');
  log.info('survey sent');
}

/** The survey's words: the ticket named by number and subject, the link, and what the link does not do. */
export function surveyText(ticket: Pick<Ticket, 'id' | 'subject' | 'requesterName'>, url: string): string {
  const about = ticket.subject?.trim() ? `"${ticket.subject.trim().slice(0, 200)}" (#${ticket.id})` : `#${ticket.id}`;
  return [
    `Hello${ticket.requesterName ? ` ${ticket.requesterName}` : ''},`,
    '',
    `your request ${about} was resolved. How did we do? One click on this page gives us your score (1 to 5):`,
    '',
    url,
    '',
    'Opening the page records nothing; only choosing a score does. Thank you!',
  ].join('\n');
}
