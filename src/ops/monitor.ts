/**
 * The ops monitor: every OPS_CHECK_INTERVAL_SECONDS each instance reports what it sees of the faults
 * (src/ops/observers.ts) into ops_signals, then decides from every instance's fresh reports: a fault seen for
 * longer than its threshold opens an incident, a fault every observer sees fixed resolves it. Opening and
 * resolving are single-row writes that only one caller can win (one open row per key), and the Slack
 * message is enqueued in the same transaction as the winning write: however many instances run the monitor,
 * and however often they restart, an incident is posted once and resolved once.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import {
  openIncident, openIncidents, pruneSignals, reportSignals, resolveIncident, signalVerdicts, type SignalReport,
} from '../db/repositories/ops-incidents.ts';
import type { Sql } from '../db/sql.ts';
import { thresholdOf } from './incident-keys.ts';

/** What one part of the service sees now; [] when this instance does not observe it (a standby reader). */
export type Observer = () => Promise<SignalReport[]> | SignalReport[];

/** Where an opened / resolved incident goes (the Slack ops channel); called inside the winning transaction. */
export interface IncidentNotifier {
  opened(tx: Sql, incidentId: number): Promise<void>;
  resolved(tx: Sql, incidentId: number): Promise<void>;
}

export interface OpsMonitorOptions {
  db: Pick<Database, 'sql' | 'transaction'>;
  config: Config['ops'];
  observers: Observer[];
  notifier: IncidentNotifier | undefined;
  logger: Logger;
}

export interface OpsMonitor {
  start(): void;
  stop(): Promise<void>;
  /** One round now (tests; the timer calls it too). */
  evaluate(): Promise<void>;
}

/** Prune old reports once in this many rounds. */
const PRUNE_EVERY = 200;

export function createOpsMonitor(opts: OpsMonitorOptions): OpsMonitor {
  const { db, config, logger } = opts;
  const log = logger.child({ component: 'ops' });
  const instance = randomUUID();
  // A report older than three rounds belongs to an instance that stopped (or a part it no longer observes).
  const freshMs = 3 * config.checkIntervalMs + 5_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let rounds = 0;

  const observe = async (): Promise<SignalReport[]> => {
    const lists = await Promise.all(opts.observers.map(async (o) => {
      try {
        return await o();
      } catch (err) {
        log.warn({ err }, 'an ops observer failed: its part is not reported this round');
        return [];
      }
    }));
    return lists.flat();
  };

  const evaluate = async () => {
    await reportSignals(db.sql, instance, await observe());
    const verdicts = await signalVerdicts(db.sql, freshMs);
    const open = new Map((await openIncidents(db.sql)).map((i) => [i.key, i]));
    for (const v of verdicts) {
      const incident = open.get(v.key);
      const threshold = thresholdOf(v.key, config);
      if (!threshold) continue;
      if (incident) {
        // An exact start later than the incident's: the fault stopped in between (an accepted delivery) and is a new one.
        const interrupted = v.bad && threshold.exactSince && v.since !== null && v.since.getTime() > incident.since.getTime();
        if (v.bad && !interrupted) continue;
        const resolved = await db.transaction(async (tx) => {
          const id = await resolveIncident(tx, v.key);
          if (id !== null) await opts.notifier?.resolved(tx, id);
          return id;
        });
        if (resolved !== null) log.info({ key: v.key, incident: resolved }, `ops incident resolved: ${v.title}`);
        if (!interrupted) continue;
      }
      if (!v.bad || v.badForMs < threshold.ms) continue;
      const opened = await db.transaction(async (tx) => {
        const id = await openIncident(tx, { key: v.key, title: v.title, detail: v.detail, since: v.since });
        if (id !== null) await opts.notifier?.opened(tx, id);
        return id;
      });
      if (opened !== null) log.error({ key: v.key, incident: opened, detail: v.detail, since: v.since }, `ops incident: ${v.title}`);
    }
    if (++rounds % PRUNE_EVERY === 0) await pruneSignals(db.sql);
  };

  const tick = () => {
    timer = undefined;
    if (stopped) return;
    running = evaluate()
      .catch((err: unknown) => log.warn({ err }, 'ops check failed; next round as scheduled'))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, config.checkIntervalMs);
      });
  };

  return {
    evaluate,
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(tick, config.checkIntervalMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
