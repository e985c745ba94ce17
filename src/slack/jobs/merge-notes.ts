/**
 * A merge in Slack (src/ingest/merges.ts): a note in each ticket's thread (the source's says where its
 * messages went, the target's what came in) and the source's card showing it is merged, with Undo merge as its
 * only button. Undoing the merge deletes both notes and draws the card again without the merge (as the ticket is
 * now), so both threads read as before it.
 * A note whose merge was undone before it was posted is not posted at all.
 */
import { webApi } from '@slack/bolt';
import { mergeInForce } from '../../db/repositories/merges.ts';
import { findPost, forgetPost, hasPostOrClaim } from '../../db/repositories/slack-posts.ts';
import { getTicketOrMerged } from '../../db/repositories/tickets.ts';
import type { QueueJob } from '../../db/queue.ts';
import type { TicketChange } from '../../ingest/ticket-events.ts';
import { ticketLink } from '../cards/alert-card.ts';
import { actorLabel, BLOCK_KIT_LIMITS, safeMrkdwn, slackDate, truncate } from '../cards/format.ts';
import { RetryLaterError } from '../delivery/errors.ts';
import { postOnce } from '../delivery/post-once.ts';
import { postedAlert } from './alert-post.ts';
import { NOTE_EVENT_TYPE, posting, reported, type ChangedJob, type NotifyDeps } from './alerts.ts';
import { requestCardRefresh } from './card-request.ts';

export type MergeChange = Extract<TicketChange, { kind: 'merged' | 'merged_in' | 'unmerged' }>;

export const isMergeChange = (c: TicketChange): c is MergeChange => c.kind === 'merged' || c.kind === 'merged_in' || c.kind === 'unmerged';

const noteKey = (mergeId: number, side: 'source' | 'target') => `merge:${mergeId}:${side}`;

/** Slack's answers that mean the note is gone already. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'cant_delete_message', 'is_archived']);

export async function handleMergeChange(deps: NotifyDeps, job: QueueJob<ChangedJob>, change: MergeChange): Promise<void> {
  const { ticketId } = job.data;
  if (change.kind === 'unmerged') {
    for (const key of [noteKey(change.mergeId, 'source'), noteKey(change.mergeId, 'target')]) await deleteNote(deps, key);
    await requestCardRefresh(deps, change.source, []);
    return;
  }
  const alert = await postedAlert(deps.db.sql, ticketId, `merge note of ticket ${ticketId}`);
  if (alert) {
    const at = new Date(job.data.at);
    const side = change.kind === 'merged' ? 'source' : 'target';
    await reported(deps, () =>
      postOnce(posting(deps), {
        key: noteKey(change.mergeId, side), ticketId, channel: alert.channel, threadTs: alert.ts, eventType: NOTE_EVENT_TYPE, searchSince: at, priority: 'note',
        build: async () => {
          if (!(await mergeInForce(deps.db.sql, change.mergeId))) return null;
          const text = await noteText(deps, change, at);
          return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, BLOCK_KIT_LIMITS.contextText) }] }] };
        },
      }),
    );
  }
  // The merged ticket's card says where it went (its only button: Undo merge).
  if (change.kind === 'merged') await requestCardRefresh(deps, ticketId, []);
}

async function noteText(deps: NotifyDeps, change: Extract<MergeChange, { kind: 'merged' | 'merged_in' }>, at: Date): Promise<string> {
  const who = actorLabel(change.actor);
  const other = change.kind === 'merged' ? change.into : change.from;
  const link = ticketLink(deps.publicUrl, other);
  const ref = link ? `<${link}|ticket #${other}>` : `ticket #${other}`;
  if (change.kind === 'merged') return `:twisted_rightwards_arrows: Merged into ${ref} by ${who} · ${slackDate(at)}. Its messages are there now, and so will be the customer's next ones.`;
  const subject = (await getTicketOrMerged(deps.db.sql, other))?.subject;
  const about = subject ? ` ("${safeMrkdwn(subject, 150, { singleLine: true })}")` : '';
  return `:twisted_rightwards_arrows: ${ref}${about} was merged into this ticket by ${who} · ${slackDate(at)}: its messages are here now.`;
}

/** Deletes a merge note; waits (RetryLaterError) while it is being posted, so a late post is deleted too. */
async function deleteNote(deps: NotifyDeps, key: string): Promise<void> {
  const post = await findPost(deps.db.sql, key);
  if (!post) {
    if (await hasPostOrClaim(deps.db.sql, key)) throw new RetryLaterError(`${key} is being posted: deleted when it is there`);
    return;
  }
  try {
    await deps.pacer.run(post.channel, () => deps.client.chat.delete({ channel: post.channel, ts: post.ts }));
  } catch (error) {
    if (!(error instanceof webApi.WebAPIPlatformError && GONE.has(error.data.error))) throw error;
  }
  await forgetPost(deps.db.sql, key);
}
