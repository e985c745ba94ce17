/**
 * The Slack adapter, assembled: the Bolt app (buttons, /support-stats, HTTP or Socket Mode), its listener for
 * the pipeline's ticket events (src/ingest/ticket-events.ts: each event enqueues a job in the emitter's
 * transaction, see `ticketEvents` below), the job workers that post them, the digest schedule and the health
 * probe. createService (src/service.ts) calls createSlack before it builds the ingest, the classify worker and
 * the REST routes (they are handed `ticketEvents`) and the Koa app (it mounts `middleware`), and calls
 * `start()` before any classification can run (the events send to queues that start() creates).
 */
import { webApi } from '@slack/bolt';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { TicketEvents } from '../ingest/ticket-events.ts';
import type { HealthRegistry } from '../lib/health.ts';
import type { JobQueue } from '../db/queue.ts';
import { registerActions } from './interactions/actions.ts';
import { boltLogger, createBoltApp } from './receiving/bolt-app.ts';
import { registerStatsCommand } from './interactions/commands.ts';
import {
  enqueueAlert, enqueueChangeNote, enqueueFollowup, handleAlert, handleChanged, handleFollowup, inEnqueueOrder, requeueAlert,
  type AlertJob, type ChangedJob, type FollowupJob, type NotifyDeps,
} from './jobs/alerts.ts';
import { ticketLink } from './cards/alert-card.ts';
import { enqueueReplyFinished, handleReplyFinished, type ReplyFinishedJob } from './jobs/reply-notes.ts';
import { registerReplyActions } from './interactions/reply-actions.ts';
import { createDigest, type DigestJob } from './jobs/digest.ts';
import { ChannelPacer } from './delivery/pacer.ts';
import { checkConnection } from './delivery/connection.ts';
import { SlackRateGate } from './delivery/rate-gate.ts';
import { describeError, slackRetryDelayMs } from './delivery/errors.ts';
import { emptyDraft, type DraftSource, type ReplySender } from '../domain/reply.ts';
import type { IncidentNotifier } from '../ops/monitor.ts';
import { createIncidentPoster } from './jobs/incidents.ts';
import type { SlaNotifier } from '../sla/scan.ts';
import { enqueueSlaNote, handleSlaNote, type SlaJob } from './jobs/sla-notes.ts';
import { QUEUE_POLICIES, SLACK_QUEUES } from '../db/queue-registry.ts';
import type { Sql } from '../db/sql.ts';
import { enqueueRedactions, handleRedact, type RedactJob } from './jobs/redact.ts';

export interface SlackOptions {
  config: NonNullable<Config['slack']>;
  db: Database;
  queue: JobQueue;
  health: Pick<HealthRegistry, 'register'>;
  logger: Logger;
  minConfidence: number;
  publicUrl: string | undefined;
  /** false on instances that only serve HTTP (RUN_WORKER=false): no job workers, no digest schedule. */
  runWorkers?: boolean;
  /** Minimum ms between two posts in one channel. Slack allows ~1 message/s per channel; benchmarks scale it. */
  paceMs?: number;
  /** Alert jobs fetched at once (one batch in flight per instance; each alert waits for its channel's turn). */
  alertBatchSize?: number;
  /** Per-call timeout of the Web API client. */
  timeoutMs?: number;
  /** The ways back to customers (src/outbound/senders.ts); none: no Reply button. */
  replySenders?: readonly ReplySender[];
  /** Prefills the reply modal (default: an empty box). */
  drafts?: DraftSource;
  /** The domain of our replies' Message-IDs (src/outbound/senders.ts messageIdDomain). */
  messageIdDomain?: string;
  /** Other listeners that see each ticket event before Slack (the SLA clocks): the buttons' changes reach them too. */
  wrapEvents?: (slackEvents: TicketEvents) => TicketEvents;
  /** Mentioned in the thread on an SLA breach (SLA_ESCALATION_MENTION). */
  escalationMention?: string;
}

export interface SlackService {
  /** Slack's listener for the pipeline's ticket events: service.ts hands it to every emitter. */
  ticketEvents: TicketEvents;
  middleware: Middleware | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Posts ops incidents to SLACK_CHANNEL_OPS; undefined when it is not set. */
  incidents?: IncidentNotifier;
  /** Posts SLA warnings and breaches in the card's thread (src/sla/scan.ts calls it once per event). */
  slaNotifier: SlaNotifier;
  /** Erasure: edits (anonymise) or deletes the messages we posted, by jobs enqueued in the caller's transaction. */
  redactPosts(tx: Sql, posts: { channel: string; ts: string; card: boolean }[], mode: RedactJob['mode']): Promise<void>;
}

export function createSlack(opts: SlackOptions): SlackService {
  const { config, logger } = opts;
  const log = logger.child({ component: 'slack' });
  const timeout = opts.timeoutMs ?? 10_000;
  const slackApiUrl = config.apiUrl ? { slackApiUrl: config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/` } : {};

  // Every Web API call of ours (deliveries, lookups, card edits, auth.test, apps.connections.open) goes
  // through one rate-limit gate. Retries happen in the pacer (Retry-After, per-channel order), the job
  // queue and the connection check, never inside a client.
  const gate = new SlackRateGate();
  const clientOptions = { ...slackApiUrl, timeout, fetch: gate.fetch, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } };
  const client = new webApi.WebClient(config.botToken, { ...clientOptions, logger: boltLogger(log) });

  const health: { status: 'ok' | 'failing'; last_error: string | null; last_error_at: string | null; last_ok_at: string | null } = {
    status: 'ok', last_error: null, last_error_at: null, last_ok_at: null,
  };
  const report = (error?: unknown) => {
    if (error === undefined) {
      health.status = 'ok';
      health.last_ok_at = new Date().toISOString();
    } else {
      health.status = 'failing';
      health.last_error = describeError(error);
      health.last_error_at = new Date().toISOString();
    }
  };
  const connection = checkConnection({ client, logger: log, report });
  const bolt = createBoltApp(config, log, { clientOptions, identity: connection.identity, report });
  const pacer = new ChannelPacer({ intervalMs: opts.paceMs ?? 1000, retryDelayMs: slackRetryDelayMs, maxHoldMs: 5 * 60_000 });
  opts.health.register('slack', () => ({ ...health, mode: bolt.mode, backlog: pacer.backlog(), rate_limited: gate.closed() }));

  const deps: NotifyDeps = {
    db: opts.db, queue: opts.queue, client, pacer, logger: log, config,
    minConfidence: opts.minConfidence, publicUrl: opts.publicUrl, report, replySenders: opts.replySenders ?? [],
  };
  // Each ticket event becomes a job, enqueued in the emitter's transaction; the workers in start() post them.
  const slackEvents: TicketEvents = {
    ticketClassified: (tx, ticketId, options) => enqueueAlert(deps, tx, ticketId, options),
    followUpAdded: (tx, ticketId, messageId) => enqueueFollowup(deps, tx, ticketId, messageId),
    ticketChanged: (tx, ticketId, change) => enqueueChangeNote(deps, tx, ticketId, change),
    replyFinished: (tx, ticketId, replyId) => enqueueReplyFinished(deps, tx, ticketId, replyId),
  };
  const ticketEvents = opts.wrapEvents ? opts.wrapEvents(slackEvents) : slackEvents;

  // A click changes the ticket through ingest/changes.ts, which reports the change to `ticketEvents`: the
  // combined listener (SLA clocks, then Slack), as every other emitter gets it.
  const actionDeps = { db: opts.db, ticketEvents, logger: log, card: deps, report, client };
  registerActions(bolt.app, actionDeps);
  registerReplyActions(bolt.app, {
    ...actionDeps,
    drafts: opts.drafts ?? emptyDraft,
    replies: { db: opts.db, queue: opts.queue, ticketEvents, messageIdDomain: opts.messageIdDomain ?? 'support-triage.local' },
  });
  registerStatsCommand(bolt.app, { sql: opts.db.sql, command: config.statsCommand, logger: log, link: (id) => ticketLink(opts.publicUrl, id) });
  bolt.app.error(async (error) => {
    log.error({ err: error }, 'slack listener failed');
  });

  const digest = createDigest(deps);
  const incidents = config.opsChannel
    ? createIncidentPoster({ db: opts.db, queue: opts.queue, client, pacer, logger: log, channel: config.opsChannel, report })
    : undefined;

  return {
    ticketEvents,
    slaNotifier: { slaEvent: (tx, ticketId, kind) => enqueueSlaNote(deps, tx, ticketId, kind) },
    redactPosts: (tx, posts, mode) => enqueueRedactions(opts.queue, tx, posts, mode),
    middleware: bolt.middleware,
    ...(incidents ? { incidents } : {}),
    async start() {
      for (const name of [SLACK_QUEUES.alert, SLACK_QUEUES.followup, SLACK_QUEUES.changed, SLACK_QUEUES.digest, SLACK_QUEUES.reply, SLACK_QUEUES.sla, SLACK_QUEUES.redact]) {
        await opts.queue.createQueue(name, QUEUE_POLICIES[name]);
      }
      if (opts.runWorkers !== false) {
        // One batch at a time enters the pacer in queue order (a second concurrent batch could overtake it);
        // each alert then waits for its own channel's turn.
        await opts.queue.workBatch<AlertJob>(SLACK_QUEUES.alert, { batchSize: opts.alertBatchSize ?? 30, concurrency: 1 }, async (jobs) => {
          await Promise.all(inEnqueueOrder(jobs).map((job) => handleAlert(deps, job).then(() => undefined, (error: unknown) => requeueAlert(deps, job, error))));
        });
        await opts.queue.work<FollowupJob>(SLACK_QUEUES.followup, { concurrency: 4 }, async (job) => { await handleFollowup(deps, job); });
        await opts.queue.work<ChangedJob>(SLACK_QUEUES.changed, { concurrency: 4 }, (job) => handleChanged(deps, job));
        await opts.queue.work<ReplyFinishedJob>(SLACK_QUEUES.reply, { concurrency: 4 }, (job) => handleReplyFinished(deps, job));
        await opts.queue.work<SlaJob>(SLACK_QUEUES.sla, { concurrency: 2 }, (job) => handleSlaNote({ ...deps, escalationMention: opts.escalationMention }, job));
        await opts.queue.work<RedactJob>(SLACK_QUEUES.redact, { concurrency: 2 }, (job) => handleRedact({ client, pacer, logger: log }, job));
        await opts.queue.work<DigestJob>(SLACK_QUEUES.digest, { concurrency: 1 }, (job) => digest.handle(job));
        await digest.start();
      }
      await incidents?.start(opts.runWorkers !== false);
      // Neither waits: Slack being down must not hold up start-up (both retry in the background).
      connection.start();
      bolt.socket?.start();
    },
    async stop() {
      await digest.stop();
      pacer.close();
      connection.stop();
      await bolt.socket?.stop();
    },
  };
}
