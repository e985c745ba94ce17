/**
 * When a survey is planned: as a listener of the pipeline's ticket events (like the SLA clocks'), a ticket
 * resolved gets one survey per resolution, due CSAT_DELAY_MINUTES later at the next business hour, with its send
 * job enqueued in the same transaction (so it exists exactly when the resolve committed); a ticket reopened
 * has its pending survey cancelled. Only tickets a survey can reach and should: e-mail, REST and generic tickets
 * with a way back (helpdesks run their own surveys; the Slack door's are colleagues), not a blocked sender's,
 * and a sample of CSAT_SAMPLE_PERCENT.
 */
import type { JobQueue } from '../../db/queue.ts';
import { SURVEY_QUEUE } from '../../db/queue-registry.ts';
import { getTicket } from '../../db/repositories/tickets.ts';
import type { Sql } from '../../db/sql.ts';
import type { CsatConfig } from '../../config/csat.ts';
import { addBusinessMinutes } from '../../domain/business-hours.ts';
import { senderFor, type ReplySender } from '../../domain/reply.ts';
import type { Ticket } from '../../domain/ticket.ts';
import { blockCovers } from '../../db/repositories/sender-blocks.ts';
import { cancelSurveys, planSurvey } from '../../ingest/surveys.ts';
import type { TicketEvents } from '../../ingest/ticket-events.ts';

export const SURVEYED_SOURCES: readonly string[] = ['email', 'api', 'generic'];

export interface SurveyJob {
  surveyId: number;
}

export interface PlanDeps {
  csat: CsatConfig;
  queue: JobQueue;
  senders: readonly ReplySender[];
  /** 0 <= x < 1; sampling (tests pass their own). */
  random?: () => number;
  now?: () => Date;
}

/** Why this ticket gets no survey; undefined when it does. */
export async function noSurveyBecause(db: Sql, senders: readonly ReplySender[], ticket: Ticket | null): Promise<string | undefined> {
  if (!ticket) return 'the ticket is gone (deleted or merged)';
  if (!SURVEYED_SOURCES.includes(ticket.source)) return `${ticket.source} tickets get no survey from us`;
  if (!senderFor(senders, ticket)) return 'no way back to the customer is configured';
  // Read now (the Spam action blocks, then resolves: the instances' cached lists may not have it yet).
  if (ticket.requesterEmail && (await blockCovers(db, ticket.requesterEmail))) return 'the sender is blocked';
  return undefined;
}

export function withSurveys(next: TicketEvents, deps: PlanDeps): TicketEvents {
  const random = deps.random ?? Math.random;
  const now = deps.now ?? (() => new Date());
  const plan = async (tx: Sql, ticketId: number) => {
    if (random() * 100 >= deps.csat.samplePercent) return;
    if (await noSurveyBecause(tx, deps.senders, await getTicket(tx, ticketId))) return;
    // Delay first, then the next moment the team is open (a zero-minute add from a closed moment is the opening).
    const after = new Date(now().getTime() + deps.csat.delayMinutes * 60_000);
    const dueAt = addBusinessMinutes(deps.csat.calendar, after, 0) ?? after;
    const survey = await planSurvey(tx, ticketId, dueAt);
    await deps.queue.send<SurveyJob>(SURVEY_QUEUE, { surveyId: survey.id }, { startAfter: dueAt, singletonKey: `survey:${survey.id}` }, tx);
  };
  return {
    ...next,
    async ticketChanged(tx, ticketId, change) {
      if (change.kind === 'status' && change.status === 'resolved') await plan(tx, ticketId);
      else if (change.kind === 'status') await cancelSurveys(tx, ticketId);
      await next.ticketChanged(tx, ticketId, change);
    },
  };
}
