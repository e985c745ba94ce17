/**
 * Card refreshes, coalesced. A change that should show on a ticket's card (made outside Slack: REST, the
 * console, a reply sent, an SLA clock) adds its activity line to the ticket's pending edit
 * (slack_card_refreshes) and enqueues a refresh job a moment later. The first job that runs sends ONE edit:
 * the card rendered from the ticket as it is then, with every pending line; the jobs after it find nothing
 * left and call nobody. Jobs of one ticket run one at a time across instances (a pg-boss group), and an
 * edit is checked after it landed (rendered again, sent again if the ticket moved on meanwhile), so the last
 * edit always shows the ticket's last state. Edits wait for the chat.update budget behind new alerts.
 */
import { webApi } from '@slack/bolt';
import { dropRefresh, pendingRefresh, refreshSent } from '../../db/repositories/slack-card-refreshes.ts';
import type { QueueJob } from '../../db/queue.ts';
import { renderCard } from '../cards/alert-card.ts';
import { postedAlert } from './alert-post.ts';
import { currentActivity, reported, type NotifyDeps } from './alerts.ts';
import type { CardRefreshJob } from './card-request.ts';

/** chat.update errors that mean the card is not there any more: nothing to edit, retrying will not help. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'cant_update_message', 'is_archived']);

export async function handleCardRefresh(deps: NotifyDeps, job: QueueJob<CardRefreshJob>): Promise<void> {
  const { ticketId } = job.data;
  const sql = deps.db.sql;
  const pending = await pendingRefresh(sql, ticketId);
  // An earlier job of this ticket sent it already.
  if (!pending) return;
  // The card is on its way: wait for it (RetryLaterError). No card will come: nothing to edit.
  const alert = await postedAlert(sql, ticketId, `card of ticket ${ticketId}`);
  if (!alert) return void (await dropRefresh(sql, ticketId));
  await deps.budget.take('conversations.history', undefined, 'refresh');
  const activity = [...(await currentActivity(deps.client, alert.channel, alert.ts)), ...pending.lines];
  let card = await renderCard(deps, ticketId, activity);
  for (let edits = 0; card && edits < 2; edits += 1) {
    const edit = { channel: alert.channel, ts: alert.ts, text: card.text, blocks: card.blocks as never };
    await deps.budget.take('chat.update', undefined, 'refresh');
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
  await refreshSent(sql, ticketId, pending.version, pending.lines.length);
}
