/**
 * The due-time scan: every SLA_SCAN_SECONDS each worker instance takes the tickets whose next SLA event is
 * due (rows locked, SKIP LOCKED: instances share the work), claims each due warning or breach with its
 * (ticket, kind) row in sla_events and hands the claimed ones to the notifier in the same transaction (the
 * Slack adapter enqueues its post there). A claim and its post job commit together or not at all, so each
 * event is posted once however many instances scan and whenever they restart; a scan missed while all were
 * down happens at the next start (a warning overtaken by its breach is claimed, not posted).
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { claimSlaEvent, emittedKinds, lockDueSlas, saveSla } from '../db/repositories/slas.ts';
import type { Sql } from '../db/sql.ts';
import { repeat } from '../lib/repeat.ts';
import { dueEvents, nextEventAt, pendingEvents, type SlaEventKind } from '../domain/sla.ts';
import { type SlaDeps, timesOf } from './clocks.ts';

/** Told of each warning and breach, once, inside the transaction that claims it. */
export interface SlaNotifier {
  slaEvent(tx: Sql, ticketId: number, kind: SlaEventKind): Promise<void>;
}

export const noSlaNotifier: SlaNotifier = { slaEvent: async () => undefined };

export interface SlaScanDeps extends SlaDeps {
  db: Database;
  notifier: SlaNotifier;
  logger: Logger;
  /** Tickets handled per transaction. */
  batchSize?: number;
}

/** One pass; returns the events claimed (posted or not). */
export async function scanOnce(deps: SlaScanDeps): Promise<{ ticketId: number; kind: SlaEventKind; posted: boolean }[]> {
  const claimed: { ticketId: number; kind: SlaEventKind; posted: boolean }[] = [];
  for (;;) {
    const batch = await deps.db.transaction(async (tx) => {
      const now = deps.now();
      const rows = await lockDueSlas(tx, now, deps.batchSize ?? 50);
      for (const row of rows) {
        const times = timesOf(deps.policy, row);
        const emitted = await emittedKinds(tx, row.ticketId);
        const dueAt = new Map(pendingEvents(times).map((e) => [e.kind, e.at]));
        for (const e of dueEvents(times, now, emitted)) {
          if (await claimSlaEvent(tx, row.ticketId, e.kind, dueAt.get(e.kind)!, e.post)) {
            if (e.post) await deps.notifier.slaEvent(tx, row.ticketId, e.kind);
            claimed.push({ ticketId: row.ticketId, kind: e.kind, posted: e.post });
          }
          emitted.add(e.kind);
        }
        row.nextEventAt = nextEventAt(times, emitted);
        await saveSla(tx, row);
      }
      return rows.length;
    });
    if (batch < (deps.batchSize ?? 50)) return claimed;
  }
}

/** Runs scanOnce every `policy.scanMs` until stopped; a failed pass is logged and the next one tries again. */
export function startSlaScanner(deps: SlaScanDeps): { stop(): Promise<void> } {
  return repeat(deps.policy.scanMs, async () => {
    const events = await scanOnce(deps);
    if (events.length) deps.logger.info({ events }, 'sla events claimed');
  }, (error) => deps.logger.error({ err: error }, 'sla scan failed'));
}
