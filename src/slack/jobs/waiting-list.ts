/**
 * Waiting lists: when more tickets come into a channel than Slack lets us post there (about one message a
 * second), the cards wait in line for minutes. The tickets further back than SLACK_WAITING_LIST_SECONDS (the
 * card would wait longer than that) are listed at once, up to 40 to a message that goes before the cards,
 * so the team sees within seconds that they came; their own cards follow in order, as always.
 *
 * Enqueued in the alert's transaction when the channel's line is long (at most one job waits per channel: the
 * queue's 'short' policy); the job stores the lists under the channel's lock (no ticket listed twice, across
 * instances), then posts each list not posted yet (post-once key waiting-list:<id>): a crash between the two
 * posts the stored lists on the next run.
 */
import { forgetWaitingList, listWaitingAlerts, moreAlertsWaiting, unpostedWaitingLists, waitingLines } from '../../db/repositories/waiting-lists.ts';
import type { QueueJob } from '../../db/queue.ts';
import type { Sql } from '../../db/sql.ts';
import { SLACK_QUEUES } from '../../db/queue-registry.ts';
import { ticketLink } from '../cards/alert-card.ts';
import { WAITING_LIST_EVENT_TYPE, waitingListMessage } from '../cards/waiting-list-blocks.ts';
import { postOnce } from '../delivery/post-once.ts';
import { posting, reported, type NotifyDeps } from './alerts.ts';

export interface WaitingListJob {
  channel: string;
}

const KEY_PREFIX = 'waiting-list:';
/** slack_posts rows are keyed per ticket; a list is about many (and names no one an erasure must find). */
const NO_TICKET = 0;
const PER_LIST = 40;
/** A list gathers the tickets of a moment: one message for a few seconds of a flood, not one per ticket. */
const GATHER_MS = 2000;

/** In the alert's transaction: a channel whose line is longer than the setting gets its list job. */
export async function enqueueWaitingList(deps: NotifyDeps, tx: Sql, channel: string): Promise<void> {
  const ahead = deps.config.waitingListSeconds;
  if (ahead <= 0 || !(await moreAlertsWaiting(tx, channel, ahead))) return;
  await deps.queue.send<WaitingListJob>(SLACK_QUEUES.waitingList, { channel }, { startAfter: new Date(Date.now() + GATHER_MS), singletonKey: `waiting-list:${channel}` }, tx);
}

export async function handleWaitingList(deps: NotifyDeps, job: QueueJob<WaitingListJob>): Promise<void> {
  const { channel } = job.data;
  await deps.db.transaction((tx) => listWaitingAlerts(tx, channel, deps.config.waitingListSeconds, PER_LIST));
  for (const list of await unpostedWaitingLists(deps.db.sql, channel, KEY_PREFIX)) {
    const out = await reported(deps, () =>
      postOnce(posting(deps), {
        key: `${KEY_PREFIX}${list.id}`,
        ticketId: NO_TICKET,
        channel,
        eventType: WAITING_LIST_EVENT_TYPE,
        priority: 'summary',
        searchSince: list.createdAt,
        // The tickets whose cards came meanwhile are left out; a list with none left is not posted.
        build: async () => {
          const lines = await waitingLines(deps.db.sql, list.ticketIds);
          return lines.length ? { ...waitingListMessage(lines, (id) => ticketLink(deps.publicUrl, id)), payload: { ticket_ids: lines.map((l) => l.id) } } : null;
        },
      }),
    );
    if (out?.status === 'skipped') await forgetWaitingList(deps.db.sql, list.id);
  }
}
