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
import { registerHomeTab } from './interactions/home-tab.ts';
import {
  enqueueAlert, enqueueChangeNote, enqueueFollowup, handleAlert, handleChanged, handleFollowup, inEnqueueOrder, requeueAlert,
  type AlertJob, type ChangedJob, type FollowupJob, type NotifyDeps,
} from './jobs/alerts.ts';
import { ticketLink } from './cards/alert-card.ts';
import { handleCardRefresh } from './jobs/card-refresh.ts';
import { handleMergeChange, isMergeChange } from './jobs/merge-notes.ts';
import type { CardRefreshJob } from './jobs/card-request.ts';
import { enqueueReplyFinished, handleReplyFinished, type ReplyFinishedJob } from './jobs/reply-notes.ts';
import { registerReplyActions } from './interactions/reply-actions.ts';
import { registerMergeActions } from './interactions/merge-actions.ts';
import { createDigest, type DigestJob } from './jobs/digest.ts';
import { ChannelPacer } from './delivery/pacer.ts';
import { checkConnection } from './delivery/connection.ts';
import { SlackRateGate } from './delivery/rate-gate.ts';
import { SlackBudget } from './delivery/budget.ts';
import { budgetSummary, registerSlackMetrics } from './delivery/budget-metrics.ts';
import type { Registry } from 'prom-client';
import { describeError, slackRetryDelayMs } from './delivery/errors.ts';
import { emptyDraft, type DraftSource, type ReplySender } from '../domain/reply.ts';
import type { IncidentNotifier } from '../ops/monitor.ts';
import type { SlackThrottleState } from '../ops/observers.ts';
import { createIncidentPoster } from './jobs/incidents.ts';
import type { SlaNotifier } from '../sla/scan.ts';
import { enqueueSlaNote, handleSlaNote, type SlaJob } from './jobs/sla-notes.ts';
import { QUEUE_POLICIES, SLACK_QUEUES } from '../db/queue-registry.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Observer } from '../ops/monitor.ts';
import { createSlackDoor, type SlackDoor } from './door/intake.ts';
import { backRead, type BackReadResult } from './door/back-read.ts';
import { enqueueWaitingList, handleWaitingList, type WaitingListJob } from './jobs/waiting-list.ts';
import { scheduleBackReads } from './door/back-read-schedule.ts';
import { userGroupMembers } from './delivery/user-groups.ts';
import type { SenderBlocks } from '../ingest/sender-blocks.ts';
import type { GroupMembers } from '../domain/agent.ts';
import { registerDoorCommands } from './door/commands.ts';
import type { DoorSettings, Identity } from './door/interpret.ts';
import { createSlackReplySender } from './door/reply-sender.ts';

/** Alert batches in flight per instance. */
const ALERT_BATCHES = 4;
/**
 * Alerts of one channel active at once across all instances: about as many as the channel posts in 10 s
 * at Slack's pace, so a batch is done in seconds and one instance usually posts a channel's alerts.
 */
const ALERTS_PER_CHANNEL = 10;
import type { Sql } from '../db/sql.ts';
import { enqueueRedactions, handleRedact, type RedactJob } from './jobs/redact.ts';
import { enqueueIncidentCard, enqueueIncidentChange, enqueueIncidentOpened, enqueueMemberChange, handleIncidentCard, type IncidentCardJob } from './jobs/incident-card.ts';
import { registerIncidentActions } from './interactions/incident-actions.ts';

export interface SlackOptions {
  config: NonNullable<Config['slack']>;
  db: Database;
  queue: JobQueue;
  health: Pick<HealthRegistry, 'register'>;
  logger: Logger;
  minConfidence: number;
  publicUrl: string | undefined;
  /** CUSTOMER_RELATED_DAYS for the card's possibly related tickets. */
  relatedDays?: number;
  /** false on instances that only serve HTTP (RUN_WORKER=false): no job workers, no digest schedule. */
  runWorkers?: boolean;
  /**
   * Slack's second in ms (1,000): benchmarks and tests run Slack's clock faster with less (its rate limits,
   * and how long an outage lasts before the door reads back).
   */
  paceMs?: number;
  /** Alert jobs fetched at once (one batch in flight per instance; each alert waits for its channel's turn). */
  alertBatchSize?: number;
  /** Where the budgets' gauges go (/metrics). */
  metrics?: Registry;
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
  /** Who sees the ticket lists on the app's Home tab (those with a console role); default: nobody. */
  homeTabReader?: (slackUserId: string, groupMembers: GroupMembers) => Promise<boolean>;
  /** Where the Slack door hands its deliveries (built after Slack: called only once requests arrive). */
  ingest?: Pick<Ingest, 'deliver'>;
  /** Blocked senders: the card's Spam button blocks the requester (src/ingest/sender-blocks.ts). */
  blocks?: SenderBlocks;
}

export interface SlackService {
  /** Slack's listener for the pipeline's ticket events: service.ts hands it to every emitter. */
  ticketEvents: TicketEvents;
  middleware: Middleware | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Posts ops incidents to SLACK_CHANNEL_OPS; undefined when it is not set. */
  incidents?: IncidentNotifier;
  /** Slack's throttling as this instance sees it (the ops signal slack-throttled); undefined without workers. */
  throttleState?: () => SlackThrottleState;
  /** Posts SLA warnings and breaches in the card's thread (src/sla/scan.ts calls it once per event). */
  slaNotifier: SlaNotifier;
  /** The Slack door's way back: replies posted in the customer's thread (the send job uses it). */
  replySenders?: readonly ReplySender[];
  /** The Slack door's faults (rate limited, removed from a channel, token revoked) for the ops monitor. */
  doorObserver?: Observer;
  /** The Slack door itself (tests hand it events), and the back-read after an outage. */
  door?: SlackDoor;
  backRead?(): Promise<BackReadResult[]>;
  /** Members of a Slack user group (console roles given to groups); undefined without Slack. */
  groupMembers?: GroupMembers;
  /** Erasure: edits (anonymise) or deletes the messages we posted, by jobs enqueued in the caller's transaction. */
  redactPosts(tx: Sql, posts: { channel: string; ts: string; card: boolean }[], mode: RedactJob['mode']): Promise<void>;
}

/** Slack sends a failed event again three times (at once, after a minute, after five): a shorter failure is covered. */
const OUTAGE_READ_BACK_MS = 60_000;

export function createSlack(opts: SlackOptions): SlackService {
  const { config, logger } = opts;
  const log = logger.child({ component: 'slack' });
  const timeout = opts.timeoutMs ?? 10_000;
  const slackApiUrl = config.apiUrl ? { slackApiUrl: config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/` } : {};

  // Every Web API call of ours (deliveries, lookups, card edits, auth.test, apps.connections.open) goes
  // through one rate-limit gate. Retries happen in the pacer (Retry-After, per-channel order), the job
  // queue and the connection check, never inside a client.
  // Slack's limits are kept ahead of time (budget.ts): per method for the workspace, per channel for posts.
  // The benchmarks scale time (paceMs below 1,000 runs Slack's limits faster).
  const slackSecond = (opts.paceMs ?? 1000) / 1000;
  const budget = new SlackBudget({ instances: config.instances, speedup: 1 / slackSecond });
  // Slack answers again after failing long enough for its own event retries to have given up: read back.
  let unreachableSince: number | undefined;
  const onAnswer = (reached: boolean) => {
    if (!reached) return void (unreachableSince ??= Date.now());
    if (unreachableSince !== undefined && Date.now() - unreachableSince >= OUTAGE_READ_BACK_MS * slackSecond) readBack('slack answers again after an outage');
    unreachableSince = undefined;
  };
  const gate = new SlackRateGate({ budget, onAnswer });
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
  let eventsRateLimitedAt = 0;
  // The channel's spacing is the budget's; the pacer keeps each channel's order and its retries.
  const pacer = new ChannelPacer({ intervalMs: 0, retryDelayMs: slackRetryDelayMs, maxHoldMs: 5 * 60_000, budget });

  // The Slack door: intake channels, mentions, /ticket and the shortcut become tickets through ingest.
  const settings: DoorSettings = {
    channels: config.door.channels, reaction: config.door.reaction, dms: config.door.dms, customers: config.door.customers, colleagues: config.door.colleagues,
  };
  const identity = (): Identity => {
    const known = connection.identity();
    return { teamId: config.door.teamId ?? known.teamId, botUserId: known.botUserId, botId: known.botId };
  };
  const ingest = opts.ingest ?? { deliver: async () => { throw new Error('the Slack door has no ingest'); } };
  const door = createSlackDoor({
    settings, groupMinutes: config.door.groupMinutes, receiptReaction: config.door.receiptReaction, ingest, sql: opts.db.sql, client, identity, logger: log,
  });
  const slackReplies = createSlackReplySender({ sql: opts.db.sql, client, pacer, logger: log, asAgent: config.door.replyAsAgent });
  const runBackRead = () => backRead({ sql: opts.db.sql, client, door, settings, identity, logger: log });
  const reading = opts.runWorkers !== false && settings.channels.size > 0;
  const backReads = scheduleBackReads(runBackRead, { logger: log, ready: () => identity().teamId !== undefined });
  const readBack = (reason: string, delayMs?: number) => { if (reading) backReads.request(reason, delayMs); };
  const bolt = createBoltApp(config, log, {
    clientOptions, identity: connection.identity, report, onEvent: (body, meta) => door.receive(body, meta),
    onReconnected: () => readBack('socket mode connected again'),
    onEventsRateLimited: (minute) => {
      eventsRateLimitedAt = Date.now();
      // The events of that minute are dropped, not sent later: read them once the minute is over (a minute
      // from now at most, whatever the event says, so an odd value cannot hold the back-reads off).
      const untilOver = minute === undefined ? 60_000 : (minute + 60) * 1000 - Date.now() + 2000;
      readBack('app_rate_limited', Math.min(62_000, Math.max(0, untilOver)));
    },
  });
  opts.health.register('slack', () => ({
    ...health, mode: bolt.mode, backlog: pacer.backlog(), rate_limited: gate.closed(), budget_waiting: budget.waiting(), budgets: budgetSummary(budget),
    events_rate_limited_at: eventsRateLimitedAt ? new Date(eventsRateLimitedAt).toISOString() : null,
  }));
  if (opts.metrics) registerSlackMetrics(opts.metrics, budget, gate, pacer);

  const deps: NotifyDeps = {
    db: opts.db, queue: opts.queue, client, pacer, budget, logger: log, config,
    minConfidence: opts.minConfidence, publicUrl: opts.publicUrl, report, replySenders: [...(opts.replySenders ?? []), slackReplies],
    ...(opts.relatedDays ? { relatedDays: opts.relatedDays } : {}),
    canBlock: opts.blocks !== undefined,
  };
  // Each ticket event becomes a job, enqueued in the emitter's transaction; the workers in start() post them.
  const slackEvents: TicketEvents = {
    // A ticket in an incident's flood is shown on the incident's card, not on one of its own; the card is asked
    // for once per classified batch.
    ticketClassified: async (tx, ticketId, options) => {
      if (!options?.incident) {
        // A channel's line too long for the card to come soon: the ticket is listed on a waiting list at once.
        const channel = await enqueueAlert(deps, tx, ticketId, options);
        if (channel) await enqueueWaitingList(deps, tx, channel);
        return;
      }
      if (options.incident.announce) await enqueueIncidentCard(deps, tx, options.incident.incidentId);
      if (options.incident.opened) await enqueueIncidentOpened(deps, tx, options.incident.incidentId);
    },
    followUpAdded: (tx, ticketId, messageId) => enqueueFollowup(deps, tx, ticketId, messageId),
    ticketChanged: async (tx, ticketId, change) => {
      await enqueueChangeNote(deps, tx, ticketId, change);
      await enqueueMemberChange(deps, tx, ticketId, change);
    },
    replyFinished: (tx, ticketId, replyId) => enqueueReplyFinished(deps, tx, ticketId, replyId),
    incidentChanged: (tx, incidentId, change) => enqueueIncidentChange(deps, tx, incidentId, change),
  };
  const ticketEvents = opts.wrapEvents ? opts.wrapEvents(slackEvents) : slackEvents;

  // A click changes the ticket through ingest/changes.ts, which reports the change to `ticketEvents`: the
  // combined listener (SLA clocks, then Slack), as every other emitter gets it.
  const actionDeps = { db: opts.db, ticketEvents, logger: log, card: deps, report, client, ...(opts.blocks ? { blocks: opts.blocks } : {}) };
  registerActions(bolt.app, actionDeps);
  registerMergeActions(bolt.app, actionDeps);
  registerIncidentActions(bolt.app, {
    ...actionDeps,
    replies: { db: opts.db, queue: opts.queue },
  });
  registerReplyActions(bolt.app, {
    ...actionDeps,
    drafts: opts.drafts ?? emptyDraft,
    replies: { db: opts.db, queue: opts.queue, ticketEvents, messageIdDomain: opts.messageIdDomain ?? 'support-triage.local' },
  });
  registerDoorCommands(bolt.app, { door, client, command: config.door.ticketCommand, logger: log });
  registerStatsCommand(bolt.app, { sql: opts.db.sql, command: config.statsCommand, logger: log, link: (id) => ticketLink(opts.publicUrl, id) });
  const groupMembers = userGroupMembers(client, log);
  registerHomeTab(bolt.app, { sql: opts.db.sql, logger: log, publicUrl: opts.publicUrl, mayRead: (userId) => opts.homeTabReader?.(userId, groupMembers) ?? Promise.resolve(false), report });
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
    replySenders: [slackReplies],
    doorObserver: () => door.faults(),
    door,
    groupMembers,
    backRead: runBackRead,
    ...(incidents ? { incidents } : {}),
    ...(opts.runWorkers !== false ? {
      throttleState: () => ({
        rateLimitedLastMinute: gate.rateLimitedAt.filter((at) => at > Date.now() - 60_000).length,
        oldestWaitMs: Math.max(0, ...budget.lanes().map((l) => l.oldest_wait_ms)),
      }),
    } : {}),
    async start() {
      for (const name of [SLACK_QUEUES.alert, SLACK_QUEUES.followup, SLACK_QUEUES.changed, SLACK_QUEUES.card, SLACK_QUEUES.digest, SLACK_QUEUES.reply, SLACK_QUEUES.sla, SLACK_QUEUES.redact, SLACK_QUEUES.incidentCard, SLACK_QUEUES.waitingList]) {
        await opts.queue.createQueue(name, QUEUE_POLICIES[name]);
      }
      if (opts.runWorkers !== false) {
        // Channels are paced independently: a fetch takes at most ALERTS_PER_CHANNEL active alerts of a channel
        // (counted across instances), so a long backlog in one channel fills no batch slot the others need;
        // within a batch, alerts enter their channel's queue in enqueue order.
        const batch = { batchSize: opts.alertBatchSize ?? 30, concurrency: ALERT_BATCHES, groupConcurrency: ALERTS_PER_CHANNEL };
        await opts.queue.workBatch<AlertJob>(SLACK_QUEUES.alert, batch, async (jobs) => {
          await Promise.all(inEnqueueOrder(jobs).map((job) => handleAlert(deps, job).then(() => undefined, (error: unknown) => requeueAlert(deps, job, error))));
        });
        await opts.queue.work<FollowupJob>(SLACK_QUEUES.followup, { concurrency: 4 }, async (job) => { await handleFollowup(deps, job); });
        await opts.queue.work<ChangedJob>(SLACK_QUEUES.changed, { concurrency: 4 }, (job) => (isMergeChange(job.data.change) ? handleMergeChange(deps, job, job.data.change) : handleChanged(deps, job)));
        // One edit of a ticket's card at a time, across instances.
        await opts.queue.work<CardRefreshJob>(SLACK_QUEUES.card, { concurrency: 4, groupConcurrency: 1 }, (job) => handleCardRefresh(deps, job));
        await opts.queue.work<ReplyFinishedJob>(SLACK_QUEUES.reply, { concurrency: 4 }, (job) => handleReplyFinished(deps, job));
        await opts.queue.work<SlaJob>(SLACK_QUEUES.sla, { concurrency: 2 }, (job) => handleSlaNote({ ...deps, escalationMention: opts.escalationMention }, job));
        // One edit of an incident's card at a time, across instances.
        await opts.queue.work<IncidentCardJob>(SLACK_QUEUES.incidentCard, { concurrency: 2, groupConcurrency: 1 }, (job) => handleIncidentCard(deps, job));
        await opts.queue.work<WaitingListJob>(SLACK_QUEUES.waitingList, { concurrency: 2 }, (job) => handleWaitingList(deps, job));
        await opts.queue.work<RedactJob>(SLACK_QUEUES.redact, { concurrency: 2 }, (job) => handleRedact({ client, pacer, logger: log }, job));
        await opts.queue.work<DigestJob>(SLACK_QUEUES.digest, { concurrency: 1 }, (job) => digest.handle(job));
        await digest.start();
      }
      await incidents?.start(opts.runWorkers !== false);
      // Neither waits: Slack being down must not hold up start-up (both retry in the background).
      connection.start();
      bolt.socket?.start();
      // What was said in the intake channels while we were away (once our workspace is known: auth.test).
      readBack('start');
    },
    async stop() {
      await backReads.stop();
      await digest.stop();
      pacer.close();
      budget.close();
      connection.stop();
      await bolt.socket?.stop();
    },
  };
}
