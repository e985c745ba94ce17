import type { Logger } from 'pino';
import { insertInboundEvents } from '../../../db/repositories/inbound-events.ts';
import type { Sql } from '../../../db/sql.ts';
import { cleanJson, cleanText } from '../../../ingest/normalize.ts';
import { createGroupCommit } from '../../../lib/group-commit.ts';

/** Payload kept for a delivery that passed verification; enough to replay any real ticket. */
export const AUDIT_PAYLOAD_MAX_BYTES = 64 * 1024;
/** Unverified bodies are anyone's bytes: keep only enough to see why they were rejected. */
export const AUDIT_REJECTED_PAYLOAD_MAX_BYTES = 4 * 1024;

export type AuditVerdict = 'accepted' | 'duplicate' | 'followup' | 'rejected' | 'ignored' | 'failed';

export interface AuditEntry {
  source: string;
  deliveryId: string | null;
  verdict: AuditVerdict;
  reason?: string | null;
  ticketId?: number | null;
  raw: Buffer | null;
  /** false for rejected deliveries: the payload is cut to the smaller cap. */
  verified: boolean;
  metadata?: Record<string, unknown>;
}

export interface DeliveryAudit {
  /** Resolves once the row is written (or the failure logged); never rejects. */
  record(entry: AuditEntry): Promise<void>;
  /** Waits for every row handed in so far (shutdown: before the database closes). */
  drain(): Promise<void>;
}

/**
 * Records deliveries in inbound_events. Concurrent deliveries share one multi-row insert (group commit), so
 * the audit costs one round trip and commit per group, not per delivery. Never rejects: the audit is for
 * operators, and failing to write it must not turn a delivery that is already stored into an error (the
 * provider would retry for nothing).
 */
export function createDeliveryAudit(sql: Sql, logger: Logger, options: { maxInFlight?: number } = {}): DeliveryAudit {
  const write = createGroupCommit<AuditEntry, true>({
    maxGroupSize: 500,
    maxInFlight: options.maxInFlight ?? 1,
    async write(entries) {
      await insertInboundEvents(
        sql,
        entries.map((e) => ({
          source: e.source,
          // Ids and reasons may quote the sender's bytes: cleaned so PostgreSQL accepts the row (see normalize.ts).
          deliveryId: e.deliveryId ? cleanText(e.deliveryId).slice(0, 255) : null,
          verdict: e.verdict,
          reason: e.reason ? cleanText(e.reason) : null,
          ticketId: e.ticketId ?? null,
          size: e.raw?.length ?? 0,
          payload: e.raw && e.raw.length ? truncateUtf8(e.raw, e.verified ? AUDIT_PAYLOAD_MAX_BYTES : AUDIT_REJECTED_PAYLOAD_MAX_BYTES) : null,
          metadata: e.metadata ? (cleanJson(e.metadata) as Record<string, unknown>) : null,
        })),
      );
      return entries.map(() => true as const);
    },
  });
  const pending = new Set<Promise<void>>();
  return {
    record(entry) {
      const done = write(entry).then(
        () => undefined,
        (err: unknown) => {
          logger.error({ err, source: entry.source, deliveryId: entry.deliveryId, verdict: entry.verdict }, 'webhook audit write failed');
        },
      );
      pending.add(done);
      void done.finally(() => pending.delete(done));
      return done;
    },
    async drain() {
      while (pending.size) await Promise.all(pending);
    },
  };
}

/** At most `max` bytes, cut on a character boundary, NUL bytes removed (PostgreSQL text refuses them). */
function truncateUtf8(raw: Buffer, max: number): string {
  let text = raw.subarray(0, max).toString('utf8');
  if (raw.length > max) text = text.replace(/\uFFFD+$/, '');
  return cleanText(text);
}
