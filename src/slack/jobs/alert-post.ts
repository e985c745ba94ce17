/**
 * A ticket's alert as the jobs that write in its thread or edit its card find it (follow-ups, change notes,
 * reply notes, SLA notes). The alert is posted once, under the post-once key alertKey(ticketId); a job that
 * runs before it is in Slack either waits for it (the queue runs the job again) or has nothing to do.
 */
import { findPost, hasPostOrClaim } from '../../db/repositories/slack-posts.ts';
import { incidentOf } from '../../db/repositories/incidents.ts';
import type { Sql } from '../../db/sql.ts';
import { RetryLaterError } from '../delivery/errors.ts';

export const alertKey = (ticketId: number) => `alert:${ticketId}`;
/** An incident's card (src/slack/jobs/incident-card.ts): the tickets that joined it have no alert of their own. */
export const incidentCardKey = (incidentId: number) => `incident-card:${incidentId}`;

export interface AlertPost {
  channel: string;
  ts: string;
}

/**
 * The ticket's alert in Slack. While it is on its way (reserved in the transaction that enqueued it, waiting
 * in a channel's backlog, being posted, or retrying after Slack failed) it throws RetryLaterError: the job
 * waits for the alert. Null when no alert was ever enqueued (no channel for the ticket, or not classified
 * yet); nothing to write in then, and the alert, when it comes, shows the card as it is at that time. `job`
 * names the caller in the error.
 */
export async function postedAlert(sql: Sql, ticketId: number, job: string): Promise<AlertPost | null> {
  const alert = await findPost(sql, alertKey(ticketId));
  if (alert) return { channel: alert.channel, ts: alert.ts };
  if (await hasPostOrClaim(sql, alertKey(ticketId))) throw new RetryLaterError(`${job}: the alert of ticket ${ticketId} is being posted`);
  return null;
}

/**
 * Where a customer's follow-up on a ticket without an alert of its own goes: its incident's card (thread).
 * Throws RetryLaterError while that card is on its way; null when the ticket is in no incident or it has no card.
 */
export async function postedIncidentCardOf(sql: Sql, ticketId: number): Promise<AlertPost | null> {
  const incidentId = await incidentOf(sql, ticketId);
  if (incidentId === null) return null;
  const card = await findPost(sql, incidentCardKey(incidentId));
  if (card) return { channel: card.channel, ts: card.ts };
  if (await hasPostOrClaim(sql, incidentCardKey(incidentId))) throw new RetryLaterError(`the card of incident ${incidentId} is being posted`);
  return null;
}
