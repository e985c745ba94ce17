/**
 * Waking snoozed tickets when their time comes: every worker instance looks every SNOOZE_SCAN_SECONDS for
 * tickets whose snooze ended (rows locked, SKIP LOCKED: instances share the work), ends each snooze and tells
 * ticketEvents.ticketChanged ('unsnooze', reason 'time') in the same transaction. Ending it is the claim:
 * however many instances scan, and after any restart, each snooze wakes once.
 */
import type { Logger } from 'pino';
import { endSnooze, lockLapsedSnoozes } from '../db/repositories/tickets.ts';
import { repeat } from '../lib/repeat.ts';
import type { TicketWriteDeps } from './changes.ts';

export interface SnoozeWakerDeps extends TicketWriteDeps {
  now: () => Date;
  logger: Logger;
  everyMs: number;
  /** Tickets woken per transaction. */
  batchSize?: number;
}

/** One pass; returns the tickets woken. */
export async function wakeLapsedSnoozes(deps: Omit<SnoozeWakerDeps, 'logger' | 'everyMs'>): Promise<number[]> {
  const woken: number[] = [];
  const size = deps.batchSize ?? 50;
  for (;;) {
    const batch = await deps.db.transaction(async (tx) => {
      const ids = await lockLapsedSnoozes(tx, deps.now(), size);
      for (const id of ids) {
        if (!(await endSnooze(tx, id))) continue;
        await deps.ticketEvents.ticketChanged(tx, id, { kind: 'unsnooze', reason: 'time', actor: 'snooze' });
        woken.push(id);
      }
      return ids.length;
    });
    if (batch < size) return woken;
  }
}

export function startSnoozeWaker(deps: SnoozeWakerDeps): { stop(): Promise<void> } {
  return repeat(deps.everyMs, async () => {
    const woken = await wakeLapsedSnoozes(deps);
    if (woken.length) deps.logger.info({ tickets: woken }, 'snoozed tickets woken');
  }, (error) => deps.logger.error({ err: error }, 'snooze wake-up pass failed'));
}
