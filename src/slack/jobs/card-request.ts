/**
 * Asking for a ticket's card to be edited (the edit itself: card-refresh.ts, coalesced). Kept apart so the
 * jobs that ask (alerts.ts, reply and SLA notes) and the one that edits do not import each other.
 */
import type { Database } from '../../db/database.ts';
import type { JobQueue } from '../../db/queue.ts';
import type { Sql } from '../../db/sql.ts';
import { SLACK_QUEUES } from '../../db/queue-registry.ts';
import { requestRefresh } from '../../db/repositories/slack-card-refreshes.ts';

export interface CardRefreshJob {
  ticketId: number;
}

/** Changes within this time of each other become one edit. */
export const COALESCE_MS = 1500;

/** Asks for the ticket's card to be edited, with `lines` added to its activity (none: the card's fields only). */
export async function requestCardRefresh(deps: { db: Database; queue: JobQueue }, ticketId: number, lines: string[]): Promise<void> {
  await deps.db.transaction((tx) => requestCardRefreshIn(deps, tx, ticketId, lines));
}

/** requestCardRefresh in the caller's transaction. */
export async function requestCardRefreshIn(deps: { queue: JobQueue }, tx: Sql, ticketId: number, lines: string[]): Promise<void> {
  await requestRefresh(tx, ticketId, lines);
  await deps.queue.send<CardRefreshJob>(SLACK_QUEUES.card, { ticketId }, { startAfter: new Date(Date.now() + COALESCE_MS), group: `ticket:${ticketId}` }, tx);
}

