/**
 * The composition root: config -> adapters -> start/stop. Production (src/main.ts), the test harness and
 * the benchmarks all build the service here, so what is tested is what runs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from 'pino';
import pkg from '../package.json' with { type: 'json' };
import { createClassifier } from './classify/index.ts';
import { createConsole } from './console/index.ts';
import { roleOf } from './console/sign-in.ts';
import { withConsoleSignals } from './console/signals.ts';
import { issueSignInLink } from './db/repositories/console-sessions.ts';
import { startClassifyWorker } from './classify/job.ts';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import type { Classifier } from './domain/classification.ts';
import { createSenderBlocks } from './ingest/sender-blocks.ts';
import { freeMailSet } from './domain/company-domain.ts';
import { createIngest, type Ingest } from './ingest/ingest.ts';
import { CLASSIFY_QUEUE, INCIDENT_REPLY_QUEUE, QUEUE_POLICIES, REPLY_QUEUE, SURVEY_QUEUE } from './db/queue-registry.ts';
import { startIncidentReplyWorker } from './ingest/incident-replies.ts';
import { createRecentSignatures } from './ingest/recent-signatures.ts';
import { noTicketEvents, type TicketEvents } from './ingest/ticket-events.ts';
import { auditRouter } from './inbound/rest/routes/audit.ts';
import { privacyRouter } from './inbound/rest/routes/privacy.ts';
import { legalHoldsRouter } from './inbound/rest/routes/legal-holds.ts';
import { type PrivacyDeps, resumeErasures } from './privacy/erase.ts';
import { runRetention } from './privacy/retention.ts';
import { repeat } from './lib/repeat.ts';
import { deadLettersRouter } from './inbound/rest/routes/dead-letters.ts';
import { createRateLimits } from './inbound/rest/rate-limit.ts';
import { docsRouter } from './inbound/rest/routes/docs.ts';
import { requestsRouter } from './inbound/rest/routes/requests.ts';
import { savedRepliesRouter } from './inbound/rest/routes/saved-replies.ts';
import { customersRouter } from './inbound/rest/routes/customers.ts';
import { senderBlocksRouter } from './inbound/rest/routes/sender-blocks.ts';
import { mergesRouter } from './inbound/rest/routes/merges.ts';
import { incidentsRouter } from './inbound/rest/routes/incidents.ts';
import { systemRouter } from './inbound/rest/routes/system.ts';
import { createWebhookRouter } from './inbound/webhooks/router.ts';
import { webhookMount } from './inbound/webhooks/mount.ts';
import { restMount } from './inbound/rest/mount.ts';
import { createHttpHost } from './http/host.ts';
import { httpServerOptions, KEEP_ALIVE_TIMEOUT_MS } from './http/server-options.ts';
import { type ServerCloser, trackConnections } from './http/server-close.ts';
import { createDeadLetters } from './db/repositories/dead-letters.ts';
import { DoorActivity } from './lib/door-activity.ts';
import { HealthRegistry } from './lib/health.ts';
import { createLogger } from './lib/logger.ts';
import { createMetrics, type Metrics } from './lib/metrics.ts';
import { type JobQueue, startQueue } from './db/queue.ts';
import type { SlackService } from './slack/index.ts';
import type { StartupReport } from './lib/startup-report.ts';
import { noSlaNotifier, startSlaScanner } from './sla/scan.ts';
import { withSlaClocks } from './sla/ticket-events.ts';
import { startSnoozeWaker } from './ingest/snooze.ts';
import { createOpsMonitor, type Observer, type OpsMonitor } from './ops/monitor.ts';
import { breakerObserver, deadLetterObserver, mailboxObserver, slackThrottleObserver, webhookObserver } from './ops/observers.ts';
import { createReplySenders, messageIdDomain } from './outbound/senders.ts';
import { draftSourceFromConfig } from './outbound/drafts.ts';
import { startReplyWorker } from './outbound/send-job.ts';
import { withSurveys } from './outbound/surveys/plan.ts';
import { startSurveyWorker } from './outbound/surveys/send-job.ts';
import { surveyMount } from './inbound/survey/mount.ts';
import { surveyRouter } from './inbound/survey/router.ts';

export interface ServiceOptions {
  logger?: Logger;
  /** Replaces the configured classifier (benchmarks, tests of the pipeline itself). */
  classifier?: Classifier;
  /** Slack's per-channel pace in ms (default 1000, Slack's limit); benchmarks scale it down. */
  slackPaceMs?: number;
  /** A listener already bound (src/main.ts binds it before the database opens); start() serves the app on it. */
  server?: Server;
  /** The reply send job's retries (tests shorten them). */
  replyRetry?: { retryLimit?: number; retryDelay?: number };
  /** The SLA clocks' and the snooze waker's idea of now (tests inject theirs). */
  slaNow?: () => Date;
  /** Hears the start-up steps (src/main.ts: plain words on a terminal, JSON log lines when piped). */
  startup?: StartupReport;
  /** An in-memory embedded database starts from this dumped, migrated data directory (the test suite's). */
  pgliteImage?: Blob;
}

export interface Service {
  config: Config;
  logger: Logger;
  db: Database;
  queue: JobQueue;
  ingest: Ingest;
  /** Who hears the pipeline's ticket events: the Slack adapter, or nobody when Slack is off. */
  ticketEvents: TicketEvents;
  health: HealthRegistry;
  metrics: Metrics;
  /** Each door's last accepted / rejected, as in /health `doors`. */
  doors: DoorActivity;
  /** The ops incident monitor (tests run a round with evaluate()). */
  ops: OpsMonitor;
  /** The Slack adapter (its door's back-read: tests run one after an outage). */
  slack: SlackService;
  app: Koa;
  /** Starts the workers and the HTTP listener; resolves with the bound address. */
  start(): Promise<AddressInfo>;
  /** Stops taking requests, lets in-flight requests and jobs finish, closes the database. Idempotent. */
  stop(): Promise<void>;
}

export async function createService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const health = new HealthRegistry();
  // Each door's last accepted / rejected (with why): /health `doors` and the intake_door_* metrics.
  const doors = new DoorActivity({
    declared: (door) => {
      metrics.doorLastAccepted.set({ door }, 0);
      metrics.doorLastRejected.set({ door }, 0);
    },
    accepted: (door, at) => metrics.doorLastAccepted.set({ door }, at.getTime() / 1000),
    rejected: (door, reason, at) => {
      metrics.doorLastRejected.set({ door }, at.getTime() / 1000);
      metrics.doorRejections.inc({ door, reason });
    },
  });

  const report = options.startup;
  const dataDir = config.database.pgliteDataDir;
  report?.openingDatabase(config.database.url ? 'postgresql' : 'pglite', config.database.url ? postgresWhere(config.database.url) : dataDir);
  const db = await openDatabase(config.database, logger, { onCreating: () => report?.creatingDatabase(dataDir), ...(options.pgliteImage ? { pgliteImage: options.pgliteImage } : {}) });
  if (config.database.migrateOnStart) {
    const applied = await db.migrate();
    report?.migrated(applied);
  }
  const queue = await startQueue(db.pglite ? { pglite: db.pglite as never } : { connectionString: config.database.url, poolMax: config.database.queuePoolMax }, logger);
  await queue.createQueue(CLASSIFY_QUEUE, QUEUE_POLICIES[CLASSIFY_QUEUE]);
  // An agent's reply and a resolve's survey are enqueued in their own transactions, with or without a worker here
  // (an instance with RUN_WORKER=false refused to store a reply: the queue did not exist). Same policy as the worker's.
  await queue.createQueue(REPLY_QUEUE, { ...QUEUE_POLICIES[REPLY_QUEUE], ...options.replyRetry });
  // Reply to all of an incident is queued by any instance (Slack, the console), worked by the workers.
  await queue.createQueue(INCIDENT_REPLY_QUEUE, QUEUE_POLICIES[INCIDENT_REPLY_QUEUE]);
  if (config.csat) await queue.createQueue(SURVEY_QUEUE, QUEUE_POLICIES[SURVEY_QUEUE]);

  // OpenAI behind a breaker with the local model as fallback, or the local model alone without a key.
  const classifiers = options.classifier ? undefined : await createClassifier({ config: config.classifier, logger });
  const classifier = options.classifier ?? classifiers!.classifier;
  report?.classifier(describeClassifier(classifiers?.health() ?? { status: 'local-only', model: classifier.name, local_model: classifier.name }));

  health.register('database', async () => ({ status: (await db.ping()) ? 'healthy' : 'unhealthy', kind: db.kind }));
  const deadLetters = createDeadLetters(queue, db.transaction);
  health.register('queue', async () => {
    const dead = await deadLetters.counts();
    // Dead letters need an operator (npm run dead-letters), but the service itself works: not "degraded".
    return { status: 'healthy', backlog: await queue.backlog(CLASSIFY_QUEUE), worker: config.worker.enabled, dead_letters: sum(dead), dead_letters_by_queue: dead };
  });
  health.register('ai_classifier', () => classifiers?.health() ?? { status: 'local-only', classifier: classifier.name });

  // The ways back to customers: the send job uses them, the Slack card shows Reply when one fits.
  const replySenders = createReplySenders(config, db.sql);

  // Our own addresses may never be blocked: every mailbox's support address (and login, when it is one).
  const blocks = createSenderBlocks(db, {
    own: () => config.mailboxes.flatMap((m) => [m.supportAddress, m.user.includes('@') ? m.user : undefined]).filter((a): a is string => !!a),
    freeMail: freeMailSet(config.customers.freeMailDomains),
  });
  // SLA clocks (src/sla/) hear each ticket event first, in the same transaction, then hand it on to Slack.
  const sla = config.sla ? { policy: config.sla, now: options.slaNow ?? (() => new Date()) } : undefined;
  // Open consoles hear every event too (src/console/signals.ts: a NOTIFY in the same transaction).
  // A resolve plans its satisfaction survey, a reopen cancels it (src/outbound/surveys/plan.ts).
  const csat = config.csat;
  const withSurveyPlans = (events: TicketEvents) => (csat ? withSurveys(events, { csat, queue, senders: replySenders.senders }) : events);
  const withSla = (events: TicketEvents) => withConsoleSignals(withSurveyPlans(sla ? withSlaClocks(events, sla) : events));
  // Slack listens to the pipeline's ticket events (src/ingest/ticket-events.ts), so it is built before the
  // emitters (ingest, the classify worker, the REST routes) that are handed its listener. It registers the
  // 'slack' health probe; Bolt is loaded only when Slack is configured.
  const slack: SlackService = config.slack
    ? (await import('./slack/index.ts')).createSlack({
        config: config.slack,
        db,
        queue,
        health,
        logger,
        minConfidence: config.classifier.minConfidence,
        publicUrl: config.http.publicUrl,
        relatedDays: config.customers.relatedDays,
        runWorkers: config.worker.enabled,
        metrics: metrics.registry,
        replySenders: replySenders.senders,
        // The reply box's first text: a model's draft with an OpenAI key, else a saved reply (src/outbound/drafts.ts).
        drafts: draftSourceFromConfig(config, db.sql, logger),
        messageIdDomain: messageIdDomain(config),
        blocks,
        wrapEvents: withSla,
        // The Home tab lists tickets to those the console lets read them.
        homeTabReader: async (userId, groupMembers) => (await roleOf(config.console.roles, userId, groupMembers)) !== undefined,
        // The Slack door hands its deliveries to ingest, which is built below (with Slack's listener).
        ingest: { deliver: (delivery, deliverOptions) => ingest.deliver(delivery, deliverOptions) },
        ...(config.sla?.escalationMention ? { escalationMention: config.sla.escalationMention } : {}),
        ...(options.slackPaceMs !== undefined ? { paceMs: options.slackPaceMs } : {}),
      })
    : disabledSlack(health, withSla);
  const ticketEvents = slack.ticketEvents;
  const privacy: PrivacyDeps = { db, logger: logger.child({ component: 'privacy' }), redactSlack: (tx, posts, mode) => slack.redactPosts(tx, posts, mode),
    incidentsErased: async (tx, ids) => { for (const id of ids) await ticketEvents.incidentChanged(tx, id, { kind: 'erased', actor: 'privacy' }); } };

  const ingest = createIngest({
    db,
    queue,
    ticketEvents,
    logger,
    blocks,
    onResult: (source, outcome) => metrics.ingested.inc({ source, outcome }),
  });
  // The support mailboxes, one reader each (registers the 'imap' health probe). imapflow and mailparser load only when configured.
  const imap = config.mailboxes.length
    ? (await import('./inbound/imap/mailboxes.ts')).createMailboxReaders({ mailboxes: config.mailboxes, db, ingest, logger, health, metrics, doors })
    : disabledImap(health);

  const webhooks = createWebhookRouter({ config: config.webhooks, ingest, logger, doors });

  // Ops incidents (intake broken for longer than its threshold), posted to SLACK_CHANNEL_OPS when it is set.
  const observers: Observer[] = [
    webhookObserver(db.sql, Object.entries(config.webhooks).filter(([, secret]) => secret).map(([name]) => name)),
    deadLetterObserver(() => deadLetters.counts(), config.ops.deadLettersAbove),
    ...(slack.doorObserver ? [slack.doorObserver] : []),
  ];
  for (const reader of imap.readers?.values() ?? []) observers.push(mailboxObserver(reader.mailbox, () => reader.health()));
  // Only an instance that classifies knows its breaker; others would report a closed one that never ran.
  if (classifiers && config.worker.enabled) observers.push(breakerObserver(() => classifiers.health()));
  // Slack throttling us is seen by the instances that post.
  if (slack.throttleState) observers.push(slackThrottleObserver(slack.throttleState));
  const ops = createOpsMonitor({ db, config: config.ops, observers, notifier: slack.incidents, logger });

  // The operator console (src/console/): its own sign-in and access rules, the same ticket code as Slack and REST.
  const consoleMount = createConsole({ db, queue, ticketEvents, messageIdDomain: messageIdDomain(config), privacy, blocks, slackGroupMembers: slack.groupMembers, config, logger, health, doors: () => doors.snapshot(), deadLetters });

  // Shared through PostgreSQL when DATABASE_URL is set (several instances), in memory on the embedded database.
  const limits = await createRateLimits(config.http.rateLimit, config.database.url, logger);
  // The HTTP host serves its mounts side by side, each with its own access rules (src/http/mount.ts).
  const app = createHttpHost({
    logger,
    metrics,
    http: config.http,
    rawMounts: [
      ...(slack.middleware ? [{ name: 'slack', prefix: '/slack', middleware: slack.middleware }] : []),
      { name: 'console', prefix: consoleMount.prefix, middleware: consoleMount.middleware },
    ],
    mounts: [
      restMount({
        api: config.api,
        metricsToken: config.http.metricsToken,
        limits,
        doors,
        routers: [
          systemRouter({
            db,
            health,
            metrics,
            app: { name: 'support-triage', version: pkg.version, environment: config.env },
            doors: () => doors.snapshot(),
            beforeScrape: async () => {
              metrics.queueBacklog.set({ queue: CLASSIFY_QUEUE }, await queue.backlog(CLASSIFY_QUEUE));
              imap.updateMetrics();
              for (const [name, count] of Object.entries(await deadLetters.counts())) metrics.deadLetters.set({ queue: name }, count);
            },
          }),
          deadLettersRouter({ deadLetters }),
          auditRouter({ db }),
          privacyRouter({ privacy }),
          legalHoldsRouter({ db }),
          docsRouter({ title: 'Support Triage API', version: pkg.version }),
          requestsRouter({ db, ingest, ticketEvents }),
          mergesRouter({ db, ticketEvents, queue }),
          incidentsRouter({ db, ticketEvents }),
          savedRepliesRouter({ db }),
          customersRouter({ db, freeMailDomains: config.customers.freeMailDomains }),
          senderBlocksRouter({ db, blocks, ticketEvents }),
        ],
      }),
      webhookMount(webhooks),
      ...(csat ? [surveyMount(surveyRouter({ db, ticketEvents, badScore: csat.badScore, reopenOnBad: csat.reopenOnBad }))] : []),
    ],
  });

  let server: Server | undefined;
  let closer: ServerCloser | undefined;
  let slaScanner: { stop(): Promise<void> } | undefined;
  let snoozeWaker: { stop(): Promise<void> } | undefined;
  let retention: { stop(): Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;

  return {
    config, logger, db, queue, ingest, ticketEvents, health, metrics, doors, ops, app, slack,
    async start() {
      // Before any classification runs: Slack's ticket events send to queues that slack.start() creates.
      await slack.start();
      if (config.worker.enabled) {
        const senders = [...replySenders.senders, ...(slack.replySenders ?? [])];
        await startReplyWorker({ db, queue, senders, ticketEvents, logger }, options.replyRetry);
        await startIncidentReplyWorker({ db, queue, senders, ticketEvents, messageIdDomain: messageIdDomain(config), logger: logger.child({ component: 'incident-replies' }) });
        if (csat) await startSurveyWorker({ db, queue, senders: replySenders.senders, csat, publicUrl: config.http.publicUrl!, messageIdDomain: messageIdDomain(config), logger });
        await startClassifyWorker(
          {
            db, queue, ticketEvents, classifier, logger, minConfidence: config.classifier.minConfidence,
            ...(config.incidents ? { incidents: { settings: config.incidents, recent: createRecentSignatures() } } : {}),
            onResult: (r) => {
              metrics.classified.inc({ classifier: r.classifier, category: r.category });
              metrics.classificationSeconds.observe({ classifier: r.classifier }, r.processingTimeMs / 1000);
            },
          },
          { concurrency: config.worker.concurrency },
        );
      }
      // Workers scan the SLA due times; the claims in sla_events keep several instances from posting twice.
      if (sla && config.worker.enabled) slaScanner = startSlaScanner({ ...sla, db, notifier: slack.slaNotifier, logger: logger.child({ component: 'sla' }) });
      // Workers wake snoozed tickets whose time has come (each once: ending the snooze is the claim).
      if (config.worker.enabled) {
        snoozeWaker = startSnoozeWaker({
          db, ticketEvents, now: options.slaNow ?? (() => new Date()), logger: logger.child({ component: 'snooze' }),
          everyMs: config.worker.snoozeScanSeconds * 1000,
        });
      }
      // Workers finish erasures a crash left half-done (their steps are idempotent), then look for today's
      // retention run every RETENTION_CHECK_MINUTES (one instance runs each kind; src/privacy/retention.ts).
      if (config.worker.enabled) {
        retention = repeat(
          config.retention.checkMinutes * 60_000,
          async () => {
            const resumed = await resumeErasures(privacy);
            if (resumed) logger.info({ resumed }, 'erasures resumed');
            await runRetention({ ...privacy, config: config.retention });
          },
          (error) => logger.error({ err: error }, 'retention run failed; the next look resumes it'),
        );
      }
      imap.start();
      ops.start();
      await consoleMount.live.start();
      if (options.server) {
        // Bound early by src/main.ts (a port in use stops start-up before the database opens), with httpServerOptions.
        server = options.server;
        server.removeAllListeners('request');
        server.on('request', app.callback());
      } else {
        server = createServer(httpServerOptions(config.http), app.callback());
        await new Promise<void>((resolve, reject) => {
          server!.once('error', reject);
          server!.listen(config.http.port, config.http.host, () => resolve());
        });
      }
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      closer = trackConnections(server);
      const address = server.address() as AddressInfo;
      logger.info({ host: address.address, port: address.port, database: db.kind }, 'support triage listening');
      // `npm start` alone opens the console: on the embedded database without Sign in with Slack, a one-time link.
      if (db.pglite && !config.console.slack && config.env !== 'test') {
        const base = config.http.publicUrl?.replace(/\/$/, '') ?? `http://localhost:${address.port}`;
        await issueSignInLink(db.sql, 'admin', 30).then(
          ({ token }) => logger.info({ url: `${base}/console/sign-in/link?token=${token}` }, 'console: open this one-time sign-in link within 30 minutes (npm run console:link prints another)'),
          (error: unknown) => logger.warn({ err: error }, 'console: no sign-in link (npm run console:link prints one)'),
        );
      }
      return address;
    },
    stop() {
      stopping ??= (async () => {
        // Open live-update streams never go idle: they end first, or closing the server would wait for them.
        await consoleMount.live.close();
        await closer?.close();
        await ops.stop();
        await imap.stop();
        await limits.close();
        // Audit rows of deliveries that stored nothing are group-written: flushed before the db closes.
        await ingest.drain();
        await slaScanner?.stop();
        await snoozeWaker?.stop();
        await retention?.stop();
        await slack.stop();
        await queue.stop();
        replySenders.close();
        await db.close();
        logger.info('support triage stopped');
      })();
      return stopping;
    },
  };
}

/** Host, port and database of a PostgreSQL URL: never its user or password. */
const postgresWhere = (url: string) => {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
};

function describeClassifier(h: { status: string; model: string; local_model: string }): string {
  return h.status === 'local-only' ? `the local model ${h.local_model} (no OPENAI_API_KEY)` : `${h.model}, with the local model ${h.local_model} as fallback`;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function disabledSlack(health: HealthRegistry, wrap: (events: TicketEvents) => TicketEvents): SlackService {
  health.register('slack', () => ({ status: 'disabled' }));
  return { ticketEvents: wrap(noTicketEvents), slaNotifier: noSlaNotifier, middleware: undefined, start: async () => undefined, stop: async () => undefined, redactPosts: async () => undefined };
}

function disabledImap(health: HealthRegistry): { start(): void; stop(): Promise<void>; updateMetrics(): void; readers?: undefined } {
  health.register('imap', () => ({ status: 'disabled' }));
  return { start: () => undefined, stop: async () => undefined, updateMetrics: () => undefined };
}
