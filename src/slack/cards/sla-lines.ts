/** The card's SLA clock lines ("First response due in 12 min", "breached 5 min ago"), from ticket_slas. */
import { findSla, type SlaRow } from '../../db/repositories/slas.ts';
import type { Sql } from '../../db/sql.ts';
import { describeClock } from '../../domain/sla.ts';
import { slackDate } from './format.ts';


/** The card's clock lines for the clocks that still run (already safe mrkdwn). */
export function slaLines(row: SlaRow | null, now: Date): string[] {
  if (!row) return [];
  const out: string[] = [];
  const first = describeClock({ targeted: row.firstResponseDueAt !== null, warnAt: row.firstResponseWarnAt, dueAt: row.firstResponseDueAt, metAt: row.firstRespondedAt }, now);
  if (first) out.push(`${first.startsWith('breached') ? ':rotating_light:' : ':stopwatch:'} First response ${first} (${slackDate(row.firstResponseDueAt!)})`);
  if (!row.resolvedAt && row.pausedSince) out.push(':double_vertical_bar: Resolution clock paused: waiting on the customer');
  if (!row.resolvedAt && row.snoozedSince) out.push(':double_vertical_bar: SLA clocks paused while snoozed');
  const res = describeClock({ targeted: row.resolutionDueAt !== null, warnAt: row.resolutionWarnAt, dueAt: row.resolutionDueAt, metAt: row.resolvedAt }, now);
  if (res && row.resolutionDueAt) out.push(`${res.startsWith('breached') ? ':rotating_light:' : ':stopwatch:'} Resolution ${res} (${slackDate(row.resolutionDueAt)})`);
  return out;
}

export const cardSlaLines = async (sql: Sql, ticketId: number, now = new Date()) => slaLines(await findSla(sql, ticketId), now);
