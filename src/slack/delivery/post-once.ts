/**
 * Exactly-once posting to Slack, backed by table slack_posts (one row per thing we post, keyed "alert:42",
 * "followup:7", "note:42:<job>").
 *
 * A row with ts = '' is a claim: someone is posting it right now. Its created_at doubles as the claim's lease
 * and its fencing token (every update compares it). A claim older than LEASE_MS belongs to a poster that
 * crashed or timed out; whoever takes it over first looks for the message in Slack (every post carries
 * `metadata.event_payload.key`) and only posts when it is not there — unless the claim was released after
 * Slack clearly refused the post (429, ok:false): then there is nothing to look for. One attempt (lookup + post, each
 * bounded by the client timeout) is far shorter than the lease, so two posters never post the same key.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { abandonClaim, claimPost, completePost, releaseClaim, renewClaim } from '../../db/repositories/slack-posts.ts';
import type { Sql } from '../../db/sql.ts';
import type { ChannelPacer } from './pacer.ts';
import type { CallPriority } from './budget.ts';
import { definitelyNotPosted, RetryLaterError } from './errors.ts';
import { redactMessage } from './redacted.ts';

// Also how long a crashed poster's claim blocks its alert: 60 s made alerts of a kill -9 arrive ~55 s after
// the restart (measured, test/faults/crash.test.ts); one attempt (lookup + post, 10 s client timeout each) fits in 30 s.
export const LEASE_MS = 30_000;

type WebClient = webApi.WebClient;
export interface PostOnceDeps {
  sql: Sql;
  client: WebClient;
  pacer: ChannelPacer;
  logger: Logger;
}

export interface PostSpec {
  key: string;
  ticketId: number;
  channel: string;
  threadTs?: string;
  eventType: string;
  /**
   * Builds the message when it is really about to be posted; null means there is nothing to post any more.
   * `payload`: more of its metadata (event_payload), beside its key and ticket id.
   */
  build: () => Promise<{ text: string; blocks?: unknown[]; payload?: Record<string, unknown> } | null>;
  /** Posted under this name instead of the app's (needs the chat:write.customize scope). */
  username?: string;
  /** Where to look for an earlier post of this key: oldest time to search from (only asked after an interruption). */
  searchSince: Date | (() => Promise<Date>);
  /** Its place in the channel's queue and budget: a new alert before thread notes (default 'alert'). */
  priority?: CallPriority;
}

export type PostOutcome = { status: 'posted' | 'found' | 'already'; channel: string; ts: string } | { status: 'skipped' };

/** Posts `spec` exactly once, in its channel's turn. Throws when Slack keeps failing (the job retries). */
export function postOnce(deps: PostOnceDeps, spec: PostSpec): Promise<PostOutcome> {
  const { sql, client, pacer } = deps;
  // True while a message of ours may be in Slack without its ts stored: a post that got no clear answer
  // (timeout, 5xx, or our own write failing after it). A 429 or an error such as not_in_channel is a clear
  // "not posted", so the retry after it posts without looking first (the lookup is a rate-limited call too).
  let unsure = false;
  return pacer.run(spec.channel, async (_attempt, gate): Promise<PostOutcome> => {
    const c = await claimPost(sql, spec.key, spec.ticketId, spec.channel, spec.threadTs ?? null, LEASE_MS);
    if (c.kind === 'posted') return { status: 'already', channel: c.channel, ts: c.ts };
    if (c.kind === 'busy') throw new RetryLaterError(`${spec.key} is being posted by another worker`);
    try {
      unsure ||= c.maybePosted;
      if (unsure) {
        const ts = await findByMetadata(client, { ...spec, channel: c.channel });
        if (ts) {
          await recordPost(deps, spec, c.token, c.channel, ts);
          deps.logger.info({ key: spec.key, channel: c.channel, ts }, 'slack post found after an interrupted attempt');
          return { status: 'found', channel: c.channel, ts };
        }
        unsure = false;
      }
      const message = await spec.build();
      if (!message) {
        await abandonClaim(sql, spec.key, c.token);
        return { status: 'skipped' };
      }
      // A long wait (Retry-After) may outlast the lease: renew it, or stop if another poster took over.
      if ((await gate()) > LEASE_MS / 4 && !(await renewClaim(sql, spec.key, c))) {
        throw new RetryLaterError(`${spec.key}: lease lost while waiting for the channel`);
      }
      unsure = true;
      const res = await client.chat.postMessage({
        channel: c.channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
        ...(spec.threadTs ? { thread_ts: spec.threadTs } : {}),
        ...(spec.username ? { username: spec.username } : {}),
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: spec.eventType, event_payload: { ...message.payload, key: spec.key, ticket_id: spec.ticketId } },
      }).catch((error: unknown) => {
        if (definitelyNotPosted(error)) unsure = false;
        throw error;
      });
      const channel = typeof res.channel === 'string' ? res.channel : c.channel;
      await recordPost(deps, spec, c.token, channel, String(res.ts));
      return { status: 'posted', channel, ts: String(res.ts) };
    } catch (error) {
      await releaseClaim(sql, spec.key, c.token, !unsure).catch(() => undefined);
      throw error;
    }
  }, spec.priority);
}

/** completePost, and the message redacted at once when its ticket was erased while it was being posted. */
async function recordPost(deps: PostOnceDeps, spec: PostSpec, token: Date, channel: string, ts: string): Promise<void> {
  const state = await completePost(deps.sql, spec.key, token, channel, ts, spec.ticketId);
  if (state === 'recorded') return;
  await redactMessage(deps.client, { channel, ts, card: !spec.threadTs }, state === 'deleted' ? 'delete' : 'anonymise');
  deps.logger.info({ key: spec.key, channel, ts }, 'slack post redacted: its ticket was erased while it was posted');
}

/** Looks for a message we posted earlier for `spec.key` (top level, or in a thread when threadTs is set). */
async function findByMetadata(client: WebClient, spec: PostSpec): Promise<string | undefined> {
  const since = typeof spec.searchSince === 'function' ? await spec.searchSince() : spec.searchSince;
  const oldest = String(Math.floor(since.getTime() / 1000) - 300);
  let cursor: string | undefined;
  for (let page = 0; page < 5; page += 1) {
    const res = spec.threadTs
      ? await client.conversations.replies({ channel: spec.channel, ts: spec.threadTs, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) })
      : await client.conversations.history({ channel: spec.channel, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) });
    for (const m of res.messages ?? []) {
      const meta = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }).metadata;
      if (meta?.event_type === spec.eventType && meta.event_payload?.key === spec.key && m.ts) return m.ts;
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return undefined;
}

