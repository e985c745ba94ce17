/**
 * A ticket's alert as the jobs that write in its thread or edit its card find it (follow-ups, change notes,
 * reply notes, SLA notes). The alert is posted once, under the post-once key alertKey(ticketId); a job that
 * runs before it is in Slack either waits for it (the queue runs the job again) or has nothing to do.
 */
import { findPost, hasPostOrClaim } from '../../db/repositories/slack-posts.ts';
import type { Sql } from '../../db/sql.ts';
import { RetryLaterError } from '../delivery/errors.ts';

export const alertKey = (ticketId: number) => `alert:${ticketId}`;

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
