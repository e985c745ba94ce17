/**
 * Retention: once a UTC day, each kind of data older than its configured age goes (RETENTION_*). Workers
 * look every RETENTION_CHECK_MINUTES; the first to claim a kind's day in retention_runs runs it, the others
 * skip it. Each batch is its own short transaction (no long locks) that renews the claim, so a runner that
 * dies mid-run leaves a claim the next look takes over after the lease, and the batches just carry on (each
 * removes what is still old). Legal holds are honoured; resolved tickets go through erasure's places.
 */
import type { Config } from '../config.ts';
import { appendAudit } from '../db/repositories/audit-entries.ts';
import {
  claimRetention, deleteOldDeadLetters, deleteOldInboundEvents, deleteOldSessions, finishRetention, oldResolvedTickets, progressRetention,
} from '../db/repositories/retention.ts';
import type { Sql } from '../db/sql.ts';
import { eraseTicketBatch, type PrivacyDeps } from './erase.ts';

export const RETENTION_KINDS = ['inbound_events', 'resolved_tickets', 'dead_letters', 'sessions'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

export interface RetentionDeps extends PrivacyDeps {
  config: Config['retention'];
  now?: () => Date;
  /** Rows per batch transaction (default 500; resolved tickets: a tenth). */
  batchSize?: number;
  /** Tests: runs after each committed batch (a throw is a crash mid-run). */
  afterRetentionBatch?: (kind: RetentionKind) => Promise<void>;
}

const DAY_MS = 86_400_000;

/** Runs today's due kinds this instance claims; returns what it removed per kind it ran. */
export async function runRetention(deps: RetentionDeps): Promise<Partial<Record<RetentionKind, number>>> {
  const now = deps.now?.() ?? new Date();
  const day = now.toISOString().slice(0, 10);
  const size = deps.batchSize ?? 500;
  const c = deps.config;
  const cutoff = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const batches: Record<RetentionKind, { days: number; batch: (tx: Sql) => Promise<number> }> = {
    inbound_events: { days: c.inboundEventsDays, batch: (tx) => deleteOldInboundEvents(tx, cutoff(c.inboundEventsDays), size) },
    resolved_tickets: {
      days: c.resolvedTicketsDays,
      async batch(tx) {
        const ticketIds = await oldResolvedTickets(tx, cutoff(c.resolvedTicketsDays), Math.max(1, Math.floor(size / 10)));
        if (ticketIds.length) await eraseTicketBatch(deps, tx, { ticketIds, messageIds: [] }, c.resolvedTicketsMode ?? 'anonymise');
        return ticketIds.length;
      },
    },
    dead_letters: { days: c.deadLettersDays, batch: (tx) => deleteOldDeadLetters(tx, cutoff(c.deadLettersDays), size) },
    sessions: { days: c.sessionsDays, batch: (tx) => deleteOldSessions(tx, cutoff(c.sessionsDays), size) },
  };
  const ran: Partial<Record<RetentionKind, number>> = {};
  for (const kind of RETENTION_KINDS) {
    const { days, batch } = batches[kind];
    if (days === 0 || !(await claimRetention(deps.db.sql, kind, day))) continue;
    for (;;) {
      const removed = await deps.db.transaction(async (tx) => {
        const n = await batch(tx);
        await progressRetention(tx, kind, n);
        return n;
      });
      if (removed === 0) break;
      await deps.afterRetentionBatch?.(kind);
    }
    ran[kind] = await deps.db.transaction(async (tx) => {
      const total = await finishRetention(tx, kind);
      await appendAudit(tx, { actor: 'system:retention', action: 'retention', ticketId: null, after: { kind, removed: total, older_than_days: days, day } });
      return total;
    });
    deps.logger.info({ kind, removed: ran[kind], day }, 'retention run finished');
  }
  return ran;
}
