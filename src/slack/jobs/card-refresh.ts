/**
 * Card refreshes, coalesced. A change that should show on a ticket's card (made outside Slack: REST, the
 * console, a reply sent, an SLA clock) adds its activity line to the ticket's pending edit
 * (slack_card_refreshes) and enqueues a refresh job a moment later. The first job that runs sends ONE edit:
 * the card rendered from the ticket as it is then, with every pending line; the jobs after it find nothing
 * left and call nobody. Jobs of one ticket run one at a time: a pg-boss group keeps them apart mostly, but two
 * workers fetching in the same moment can both get one, so the job that edits holds a claim on the pending
 * row (renewed before each edit) and the other waits (RetryLaterError). An edit is checked after it landed
 * (rendered again, sent again if the ticket moved on meanwhile), so the last edit always shows the ticket's
 * last state. Edits wait for the chat.update budget behind new alerts.
 */
import { randomUUID } from 'node:crypto';
import { webApi } from '@slack/bolt';
import { claimRefresh, dropRefresh, refreshSent, releaseClaim, renewClaim } from '../../db/repositories/slack-card-refreshes.ts';
import type { QueueJob } from '../../db/queue.ts';
import { RetryLaterError } from '../delivery/errors.ts';
import { renderCard } from '../cards/alert-card.ts';
import { postedAlert } from './alert-post.ts';
import { currentActivity, reported, type NotifyDeps } from './alerts.ts';
import type { CardRefreshJob } from './card-request.ts';

/** chat.update errors that mean the card is not there any more: nothing to edit, retrying will not help. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'cant_update_message', 'is_archived']);

/** How long a claim lasts without renewal: a crashed job's claim holds the ticket's edits back this long. */
const CLAIM_SECONDS = 60;

export async function handleCardRefresh(deps: NotifyDeps, job: QueueJob<CardRefreshJob>): Promise<void> {
  const { ticketId } = job.data;
  const sql = deps.db.sql;
  const token = randomUUID();
  const pending = await claimRefresh(sql, ticketId, token, CLAIM_SECONDS);
  // An earlier job of this ticket sent it already.
  if (!pending) return;
  if (pending === 'busy') throw new RetryLaterError(`card of ticket ${ticketId} is being edited by another job`);
  try {
    // The card is on its way: wait for it (RetryLaterError). No card will come: nothing to edit.
    const alert = await postedAlert(sql, ticketId, `card of ticket ${ticketId}`);
    if (!alert) return void (await dropRefresh(sql, ticketId));
    await deps.budget.take('conversations.history', undefined, 'refresh');
    const activity = [...(await currentActivity(deps.client, alert.channel, alert.ts)), ...pending.lines];
    let card = await renderCard(deps, ticketId, activity);
    for (let edits = 0; card && edits < 2; edits += 1) {
      const edit = { channel: alert.channel, ts: alert.ts, text: card.text, blocks: card.blocks as never };
      await deps.budget.take('chat.update', undefined, 'refresh');
      // The budget may have kept us past the lease: another job may be editing now.
      if (!(await renewClaim(sql, ticketId, token, CLAIM_SECONDS))) throw new RetryLaterError(`card of ticket ${ticketId}: claim lost while waiting`);
      try {
        await reported(deps, async () => void (await deps.client.chat.update(edit)));
      } catch (error) {
        if (!(error instanceof webApi.WebAPIPlatformError && GONE.has(error.data.error))) throw error;
        deps.logger.warn({ ticketId, error: error.data.error }, 'card gone from Slack: not edited');
        break;
      }
      // The ticket may have moved on while the edit was on its way (a click edits the card itself).
      const now = await renderCard(deps, ticketId, activity);
      if (!now || JSON.stringify(now.blocks) === JSON.stringify(card.blocks)) break;
      card = now;
    }
    await refreshSent(sql, ticketId, token, pending.version, pending.lines.length);
  } finally {
    // Still held only when the edit did not finish (an error, a retry later): the next try need not wait out the lease.
    await releaseClaim(sql, ticketId, token).catch((err: unknown) => deps.logger.warn({ err, ticketId }, 'card edit claim not released: it ends with its lease'));
  }
}
