/**
 * Erasure's Slack side (src/privacy/erase.ts): each message the app posted about an erased ticket (its card,
 * its thread notes) is edited to a redacted form (anonymise: the ticket stays, its number is kept) or deleted.
 * One job per message, enqueued in the erasure batch's transaction; it holds the channel and ts only.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { JobQueue, QueueJob } from '../../db/queue.ts';
import { SLACK_QUEUES } from '../../db/queue-registry.ts';
import type { Sql } from '../../db/sql.ts';
import type { ChannelPacer } from '../delivery/pacer.ts';
import { type RedactMode, redactMessage } from '../delivery/redacted.ts';

export interface RedactJob {
  channel: string;
  ts: string;
  card: boolean;
  mode: RedactMode;
}

/** Slack's answers that mean the message is gone (or can no longer be changed): nothing left to redact. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'cant_update_message', 'cant_delete_message', 'is_archived']);

export async function enqueueRedactions(queue: JobQueue, tx: Sql, posts: { channel: string; ts: string; card: boolean }[], mode: RedactJob['mode']): Promise<void> {
  for (const post of posts) await queue.send<RedactJob>(SLACK_QUEUES.redact, { ...post, mode }, { singletonKey: `redact:${post.channel}:${post.ts}:${mode}` }, tx);
}

export async function handleRedact(deps: { client: webApi.WebClient; pacer: ChannelPacer; logger: Logger }, job: QueueJob<RedactJob>): Promise<void> {
  const { channel, ts, card, mode } = job.data;
  try {
    await deps.pacer.run(channel, () => redactMessage(deps.client, { channel, ts, card }, mode));
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code && GONE.has(code)) return;
    throw error;
  }
  deps.logger.info({ channel, ts, mode }, 'slack message redacted');
}
