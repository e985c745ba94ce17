/**
 * After a restart or an outage, each intake channel is read back from the last message we stored
 * (conversations.history), and the threads of its open tickets from the same point (conversations.replies),
 * through the same door as live events: a message's key `CHANNEL/TS` is its delivery id, so what was stored
 * meanwhile is a duplicate, never a second copy. Pages and threads are capped per run; Slack's Retry-After is
 * waited for (these are rate tier 3 calls).
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { lastStoredSlackTs, openSlackThreads } from '../../db/repositories/slack-door.ts';
import type { Sql } from '../../db/sql.ts';
import { describeError, retryAfterMs } from '../delivery/errors.ts';
import type { SlackDoor } from './intake.ts';
import { type DoorSettings, type Identity, interpretEvent } from './interpret.ts';

export interface BackReadDeps {
  sql: Sql;
  client: webApi.WebClient;
  door: SlackDoor;
  settings: DoorSettings;
  identity: () => Identity;
  logger: Logger;
  maxPages?: number;
  maxThreads?: number;
}

export interface BackReadResult { channel: string; read: number; stored: number; error?: string }

/** Calls Slack, waiting out a 429's Retry-After up to three times. */
async function patiently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const wait = retryAfterMs(error);
      if (wait === undefined || attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 60_000)));
    }
  }
}

export async function backRead(deps: BackReadDeps): Promise<BackReadResult[]> {
  const results: BackReadResult[] = [];
  for (const channel of deps.settings.channels.keys()) {
    const result: BackReadResult = { channel, read: 0, stored: 0 };
    results.push(result);
    try {
      const last = await lastStoredSlackTs(deps.sql, channel);
      // Nothing stored from this channel yet: its history before the door was opened is not intake.
      if (last === undefined) continue;
      const found: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < (deps.maxPages ?? 10); page += 1) {
        const res = await patiently(() => deps.client.conversations.history({ channel, oldest: last, limit: 200, ...(cursor ? { cursor } : {}) }));
        found.push(...((res.messages ?? []) as Record<string, unknown>[]));
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      // Replies since a little before the last stored message: one stored a moment after a missed reply must not hide it.
      const repliesSince = String(Math.max(0, Number(last) - 3600));
      for (const root of (await openSlackThreads(deps.sql, channel)).slice(0, deps.maxThreads ?? 50)) {
        const res = await patiently(() => deps.client.conversations.replies({ channel, ts: root, oldest: repliesSince, limit: 200 }));
        found.push(...((res.messages ?? []) as Record<string, unknown>[]).filter((m) => m.ts !== root));
      }
      deps.door.noteChannelOk(channel);
      const byTs = new Map(found.map((m) => [String(m.ts), m]));
      for (const m of [...byTs.values()].sort((a, b) => Number(a.ts) - Number(b.ts))) {
        const intent = interpretEvent(deps.settings, deps.identity(), { type: 'message', ...m, channel });
        if (intent.kind !== 'message') continue;
        result.read += 1;
        const verdict = await deps.door.deliverMessage(intent, { via: 'back-read' });
        if (verdict.verdict === 'accepted' || verdict.verdict === 'followup' || verdict.verdict === 'answered') result.stored += 1;
      }
    } catch (error) {
      deps.door.noteError(error, channel);
      result.error = describeError(error);
      deps.logger.warn({ channel, err: result.error }, 'slack back-read of a channel failed');
    }
  }
  const stored = results.reduce((n, r) => n + r.stored, 0);
  if (stored) deps.logger.info({ results }, 'slack back-read stored messages said while we were away');
  return results;
}
