/**
 * The audit trail (inbound_events): one row per delivery with ingest's verdict. A verdict that stores a ticket
 * or a follow-up is written in that transaction (auditRow + insertInboundEvents, see ingest.ts); the others
 * (ignored, rejected, failed) through createAuditTrail's group commit, so a flood of rejected deliveries costs
 * one round trip and commit per group, not per delivery.
 */
import type { Logger } from 'pino';
import { hasInboundEvent, type InboundEventRow, insertInboundEvents } from '../db/repositories/inbound-events.ts';
import type { Sql } from '../db/sql.ts';
import { createGroupCommit } from '../lib/group-commit.ts';
import { AUDIT_PAYLOAD_MAX_BYTES, AUDIT_REJECTED_PAYLOAD_MAX_BYTES, type Delivery, type Verdict } from './delivery.ts';
import { cleanJson, cleanText } from './normalize.ts';

/** The row recording `verdict` for a delivery. Ids and reasons may quote the sender's bytes: cleaned (normalize.ts). */
export function auditRow(d: Delivery, verdict: Verdict, ticketId: number | null, reason: string | null = null): InboundEventRow {
  const raw = d.payload?.raw ?? null;
  const cap = d.payload?.verified ? AUDIT_PAYLOAD_MAX_BYTES : AUDIT_REJECTED_PAYLOAD_MAX_BYTES;
  return {
    source: d.door,
    deliveryId: d.deliveryId ? Array.from(cleanText(d.deliveryId)).slice(0, 255).join('') : null,
    verdict,
    reason: reason ? cleanText(reason) : null,
    ticketId,
    size: d.size ?? raw?.length ?? 0,
    payload: !raw?.length ? null : typeof raw === 'string' ? cleanText(raw.slice(0, cap)) : truncateUtf8(raw, cap),
    metadata: d.metadata ? (cleanJson(d.metadata) as Record<string, unknown>) : null,
  };
}

export interface AuditTrail {
  /** Writes the row (grouped with concurrent ones); resolves once it is committed. */
  record(d: Delivery, verdict: Verdict, ticketId: number | null, reason: string | null): Promise<void>;
  /** Waits for every row handed in so far (shutdown: before the database closes). */
  drain(): Promise<void>;
}

export function createAuditTrail(sql: Sql, logger: Logger, options: { maxInFlight: number }): AuditTrail {
  const write = createGroupCommit<InboundEventRow, true>({
    maxGroupSize: 500,
    maxInFlight: options.maxInFlight,
    async write(rows) {
      await insertInboundEvents(sql, rows);
      return rows.map(() => true as const);
    },
  });
  const pending = new Set<Promise<void>>();
  return {
    record(d, verdict, ticketId, reason) {
      const row = auditRow(d, verdict, ticketId, reason);
      const done = (async () => {
        if (d.recordOnce && row.deliveryId && (await hasInboundEvent(sql, row.source, row.deliveryId, verdict))) return;
        await write(row);
      })().catch((err: unknown) => {
        // The audit is for operators: failing to write it must not turn an answer into an error.
        logger.error({ err, source: d.door, deliveryId: d.deliveryId, verdict }, 'audit write failed');
      });
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
