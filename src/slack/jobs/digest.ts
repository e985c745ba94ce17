/**
 * The scheduled stats digest. Every instance runs the cron and enqueues a job for the scheduled time; the
 * period's row in digest_runs (INSERT ... ON CONFLICT DO NOTHING) and the exactly-once post make sure only
 * one digest per period reaches Slack however many instances run. At start the last scheduled time before
 * now is enqueued too, so a run missed while the service was down is caught up once.
 */
import { claimDigestRun, markDigestPosted, markDigestSkipped } from '../../db/repositories/digest-runs.ts';
import { CronExpressionParser } from 'cron-parser';
import { schedule, type ScheduledTask } from 'node-cron';
import { getStats, type Stats } from '../../db/repositories/stats.ts';
import type { QueueJob } from '../../db/queue.ts';
import type { NotifyDeps } from './alerts.ts';
import { postOnce } from '../delivery/post-once.ts';
import { RetryLaterError } from '../delivery/errors.ts';
import { buildStatsBlocks, MAX_STATS_DAYS, statsFallbackText } from '../cards/stats-blocks.ts';
import { SLACK_QUEUES } from '../../db/queue-registry.ts';

export const DIGEST_EVENT_TYPE = 'support_digest';
const DAY_MS = 86_400_000;

export interface DigestJob { scheduledAt: string }

export function periodKey(scheduledAt: Date): string {
  return `digest:${scheduledAt.toISOString().slice(0, 16)}Z`;
}

/** The last time the cron expression fired at or before `now` (in the digest's time zone). */
export function lastScheduledBefore(cron: string, timeZone: string, now: Date): Date {
  const it = CronExpressionParser.parse(cron, { tz: timeZone, currentDate: new Date(now.getTime() + 1) });
  return it.prev().toDate();
}

/**
 * What a digest at `at` covers. A daily-or-slower schedule reports the whole UTC days since the previous
 * run (Monday 09:00 after Friday 09:00: Friday to Sunday); a faster one reports today so far.
 */
export function digestWindow(cron: string, timeZone: string, at: Date): { days: number; now: Date } {
  const previous = lastScheduledBefore(cron, timeZone, new Date(at.getTime() - 1000));
  const gapDays = Math.round((at.getTime() - previous.getTime()) / DAY_MS);
  if (gapDays < 1) return { days: 1, now: at };
  return { days: Math.min(MAX_STATS_DAYS, gapDays), now: new Date(at.getTime() - DAY_MS) };
}

export function createDigest(deps: NotifyDeps) {
  const digest = deps.config.digest;
  let task: ScheduledTask | undefined;

  const enqueue = async (firedAt: Date) => {
    // Snap to the schedule, so a tick that fires late (busy event loop) still names the same period on every
    // instance.
    const at = lastScheduledBefore(digest.cron, digest.timeZone, new Date(firedAt.getTime() + 1000));
    await deps.queue.send<DigestJob>(SLACK_QUEUES.digest, { scheduledAt: at.toISOString() }, { singletonKey: periodKey(at) });
  };

  /** Runs the digest of the period ending at `scheduledAt`; safe to call any number of times, anywhere. */
  async function run(scheduledAt: Date): Promise<'posted' | 'skipped' | 'done'> {
    const channel = digest.channel;
    if (!channel) return 'done';
    const sql = deps.db.sql;
    const key = periodKey(scheduledAt);
    if (!(await claimDigestRun(sql, key, channel))) return 'done';

    const window = digestWindow(digest.cron, digest.timeZone, scheduledAt);
    const stats: Stats = await getStats(sql, window);
    // Spam kept is news too: a period with spam but no tickets is posted.
    if (stats.total_tickets === 0 && !stats.spam && !digest.postEmpty) {
      await markDigestSkipped(sql, key);
      deps.logger.info({ period: key }, 'digest skipped: no tickets and no spam in the period');
      return 'skipped';
    }
    const title = `Support digest · ${stats.period_start.slice(0, 10)}${window.days > 1 ? ` to ${new Date(Date.parse(stats.period_end) - 1).toISOString().slice(0, 10)}` : ''}`;
    const out = await postOnce(
      { sql, client: deps.client, pacer: deps.pacer, logger: deps.logger },
      {
        key,
        ticketId: 0,
        channel,
        eventType: DIGEST_EVENT_TYPE,
        searchSince: scheduledAt,
        build: async () => ({ text: statsFallbackText(stats, { title }), blocks: buildStatsBlocks(stats, { title }) }),
      },
    );
    if (out.status !== 'skipped') {
      await markDigestPosted(sql, key, { ts: out.ts, channel: out.channel });
    }
    return 'posted';
  }

  return {
    async handle(job: QueueJob<DigestJob>): Promise<void> {
      try {
        await run(new Date(job.data.scheduledAt));
        deps.report();
      } catch (error) {
        if (!(error instanceof RetryLaterError)) deps.report(error);
        throw error;
      }
    },
    /** Starts the schedule and catches up the last scheduled run if it never happened. */
    async start(now = new Date()): Promise<void> {
      if (!digest.channel) return;
      task = schedule(digest.cron, (ctx) => enqueue(ctx.date).catch((err) => deps.logger.error({ err }, 'digest: could not enqueue')), {
        timezone: digest.timeZone,
        name: 'slack-digest',
        noOverlap: true,
      });
      await enqueue(lastScheduledBefore(digest.cron, digest.timeZone, now));
    },
    async stop(): Promise<void> {
      await task?.destroy();
      task = undefined;
    },
  };
}
