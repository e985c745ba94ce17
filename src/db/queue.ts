/**
 * The job queue: pg-boss on the same PostgreSQL (or PGlite) as the data, so a job can be enqueued in the
 * transaction that stores what it is about. A thin seam: the dead-letter copy ("<name>.dead") and the default
 * retry policy live here; each queue's name and policy belong to the code that owns it (CLASSIFY_QUEUE in
 * ingest/ingest.ts, created by src/service.ts; the Slack jobs, created by the Slack adapter).
 */
import { fromKysely, fromPglite, PgBoss, type PGliteLike } from 'pg-boss';
import type { Logger } from 'pino';
import type { Sql } from './sql.ts';
import { CONNECT_TIMEOUT_MS } from './unavailable.ts';

export interface QueueJob<T> {
  id: string;
  data: T;
  retryCount: number;
}

export interface QueuePolicy {
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  retryDelayMax?: number;
  expireInSeconds?: number;
  /**
   * A worker refreshes its jobs every heartbeatSeconds/2; a job not refreshed for heartbeatSeconds (its
   * process died, or the database was away when it finished) is failed and retried by the next supervision
   * pass, instead of staying active until expireInSeconds. pg-boss requires at least 10.
   */
  heartbeatSeconds?: number;
  /** Jobs that exhaust their retries are copied here ("<name>.dead" by default) for an operator to inspect. */
  deadLetter?: string | false;
  /** 'short': at most one job of a singletonKey waits to start (a send while one waits adds nothing). */
  policy?: 'standard' | 'short';
}

export interface SendOptions {
  singletonKey?: string;
  startAfter?: number | Date;
  retryLimit?: number;
  priority?: number;
  /** Jobs of one group (e.g. one Slack channel) share the worker's groupConcurrency. */
  group?: string;
}

export interface WorkOptions {
  /** Jobs fetched at once; the handler gets them as one batch. */
  batchSize?: number;
  /** Batches in flight in this process. */
  concurrency?: number;
  pollingIntervalSeconds?: number;
  /** Jobs of one group active at once, across all instances (pg-boss counts them in the database). */
  groupConcurrency?: number;
}

export interface JobQueue {
  createQueue(name: string, policy?: QueuePolicy): Promise<void>;
  send<T extends object>(name: string, data: T, options?: SendOptions, tx?: Sql): Promise<string | null>;
  /** One job at a time per slot; a thrown error retries that job by the queue's policy. */
  work<T>(name: string, options: WorkOptions, handler: (job: QueueJob<T>) => Promise<void>): Promise<void>;
  /** A batch per call; a thrown error retries the whole batch, so handlers must be idempotent. */
  workBatch<T>(name: string, options: WorkOptions, handler: (jobs: QueueJob<T>[]) => Promise<void>): Promise<void>;
  /** Jobs waiting (created or retry) in a queue, for /health and /metrics. */
  backlog(name: string): Promise<number>;
  stop(): Promise<void>;
  readonly boss: PgBoss;
}

export interface QueueConnection {
  /** PostgreSQL: pg-boss owns a small pool of its own. */
  connectionString?: string;
  /** PostgreSQL: connections of that pool at most (QUEUE_POOL_MAX). */
  poolMax?: number;
  /** PGlite: pg-boss uses the instance directly; PGlite's own lock orders it with our transactions. */
  pglite?: PGliteLike;
}

const DEFAULT_POLICY: Required<Omit<QueuePolicy, 'deadLetter' | 'policy'>> = {
  retryLimit: 5,
  retryDelay: 2,
  retryBackoff: true,
  retryDelayMax: 300,
  expireInSeconds: 300,
  heartbeatSeconds: 10,
};

/**
 * How often pg-boss looks for jobs whose heartbeat or expiry lapsed (and retries them). Its default, 60 s,
 * added up to a minute to every recovery after a crash; the pass is a few indexed updates.
 */
const SUPERVISE_SECONDS = 5;

export async function startQueue(conn: QueueConnection, logger: Logger, options: { supervise?: boolean } = {}): Promise<JobQueue> {
  // A command-line tool (supervise: false) only reads and moves jobs; the running service supervises them.
  const supervision = options.supervise === false
    ? { supervise: false, schedule: false }
    : { superviseIntervalSeconds: SUPERVISE_SECONDS, monitorIntervalSeconds: SUPERVISE_SECONDS };
  const boss = conn.connectionString
    ? new PgBoss({
        connectionString: conn.connectionString, max: conn.poolMax ?? 10, application_name: 'support-triage-queue',
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS, ...supervision,
      })
    : new PgBoss({ db: fromPglite(conn.pglite!), backend: 'pglite', ...supervision });
  boss.on('error', (err: unknown) => logger.error({ err }, 'job queue error'));
  boss.on('warning', (warning: unknown) => logger.warn({ warning }, 'job queue warning'));
  await boss.start();

  // Only keys that are set: pg-boss rejects a `priority` key whose value is undefined ("must be an integer").
  const toInsert = (options: SendOptions = {}) =>
    Object.fromEntries(
      Object.entries({
        singletonKey: options.singletonKey,
        startAfter: options.startAfter,
        retryLimit: options.retryLimit,
        priority: options.priority,
        group: options.group === undefined ? undefined : { id: options.group },
      }).filter(([, v]) => v !== undefined),
    );

  const wrap = <T>(job: { id: string; data: unknown; retryCount: number }): QueueJob<T> => ({
    id: job.id,
    data: job.data as T,
    retryCount: job.retryCount,
  });

  return {
    boss,
    async createQueue(name, policy = {}) {
      const { deadLetter, policy: kind, ...rest } = { ...DEFAULT_POLICY, ...policy };
      const deadName = deadLetter === false ? undefined : (deadLetter ?? `${name}.dead`);
      if (deadName) await boss.createQueue(deadName, { retentionSeconds: 30 * 24 * 3600 });
      // No NOTIFY on insert: PostgreSQL serializes the commits of notifying transactions on one global lock,
      // which capped ticket creation; workers poll every half second instead. The kind (policy) is fixed
      // when the queue is created.
      await boss.createQueue(name, { ...rest, ...(kind ? { policy: kind } : {}), deadLetter: deadName, notify: false });
      // createQueue leaves an existing queue as it was: apply today's policy (heartbeats) to it too.
      await boss.updateQueue(name, { ...rest, deadLetter: deadName ?? null, notify: false });
    },
    send(name, data, options, tx) {
      return boss.send(name, data, { ...toInsert(options), ...(tx ? { db: fromKysely(tx.kysely) } : {}) });
    },
    async work(name, options, handler) {
      await boss.work(
        name,
        {
          batchSize: 1, localConcurrency: options.concurrency ?? 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
          ...(options.groupConcurrency ? { groupConcurrency: options.groupConcurrency } : {}),
        },
        async (jobs) => {
          for (const job of jobs) await handler(wrap(job));
        },
      );
    },
    async workBatch(name, options, handler) {
      await boss.work(
        name,
        {
          batchSize: options.batchSize ?? 50,
          localConcurrency: options.concurrency ?? 1,
          pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
          burstWhenBatchFull: true,
          ...(options.groupConcurrency ? { groupConcurrency: options.groupConcurrency } : {}),
        },
        async (jobs) => handler(jobs.map((j) => wrap(j))),
      );
    },
    async backlog(name) {
      const queue = await boss.getQueue(name);
      return queue ? queue.queuedCount : 0;
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000, close: true });
    },
  };
}
