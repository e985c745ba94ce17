/**
 * What Slack shows of an agent's reply once the send job is done with it (ticketEvents.replyFinished, wired
 * in slack/index.ts): sent, the text once in the alert's thread; failed, the reason and a Retry on the card.
 */
import type { QueueJob } from '../../db/queue.ts';
import { getReply } from '../../db/repositories/replies.ts';
import type { Sql } from '../../db/sql.ts';
import { activityLine } from '../cards/alert-blocks.ts';
import { postedAlert } from './alert-post.ts';
import { posting, reported, type NotifyDeps } from './alerts.ts';
import { requestCardRefresh } from './card-request.ts';
import { actorLabel, BLOCK_KIT_LIMITS, safeMrkdwn, truncate } from '../cards/format.ts';
import { postOnce } from '../delivery/post-once.ts';
import { SLACK_QUEUES } from '../../db/queue-registry.ts';

export const REPLY_EVENT_TYPE = 'support_ticket_reply';

export interface ReplyFinishedJob { ticketId: number; replyId: number }

/** replyFinished: "replied by" in the alert's thread, or the failure on the card. */
export async function enqueueReplyFinished(deps: Pick<NotifyDeps, 'queue'>, tx: Sql, ticketId: number, replyId: number): Promise<void> {
  await deps.queue.send<ReplyFinishedJob>(SLACK_QUEUES.reply, { ticketId, replyId }, {}, tx);
}

/**
 * A reply reached its final state. Sent: the text, once, in the alert's thread, and the card refreshed
 * (a Retry that worked leaves no warning behind). Failed: the card shows why, with a Retry button.
 */
export async function handleReplyFinished(deps: NotifyDeps, job: QueueJob<ReplyFinishedJob>): Promise<void> {
  const { ticketId, replyId } = job.data;
  const alert = await postedAlert(deps.db.sql, ticketId, `reply ${replyId}`);
  if (!alert) return;
  const reply = await getReply(deps.db.sql, replyId);
  if (!reply) return;
  const who = actorLabel(`slack:${reply.agent_slack_id}`);
  if (reply.state === 'sent') {
    await reported(deps, () =>
      postOnce(posting(deps), {
        key: `reply:${replyId}`,
        ticketId,
        channel: alert.channel,
        threadTs: alert.ts,
        eventType: REPLY_EVENT_TYPE,
        priority: 'note',
        searchSince: new Date(reply.created_at),
        build: async () => replyMessage(who, reply.body),
      }),
    );
  }
  const line = reply.state === 'sent'
    ? activityLine(':outbox_tray: Replied to the customer', who, new Date(reply.sent_at ?? Date.now()))
    : activityLine(':warning: Reply not sent', who, new Date());
  await requestCardRefresh(deps, ticketId, [line]);
}

export function replyMessage(who: string, body: string) {
  const head = `:outbox_tray: *Replied* by ${who} to the customer`;
  const quoted = safeMrkdwn(body, 2800).split('\n').map((l) => `>${l}`).join('\n');
  return {
    text: truncate(`Replied by ${who}: ${safeMrkdwn(body, 500, { singleLine: true })}`, BLOCK_KIT_LIMITS.fallbackText),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(`${head}\n${quoted}`, BLOCK_KIT_LIMITS.sectionText) } }],
  };
}
