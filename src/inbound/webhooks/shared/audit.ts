import type { Logger } from 'pino';
import type { Sql } from '../../../db/sql.ts';

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

/**
 * Records one delivery in inbound_events. Never throws: the audit is for operators, and a failure to write it
 * must not turn a delivery that is already stored into an error (the provider would retry for nothing).
 */
export async function recordDelivery(sql: Sql, logger: Logger, entry: AuditEntry): Promise<void> {
  const cap = entry.verified ? AUDIT_PAYLOAD_MAX_BYTES : AUDIT_REJECTED_PAYLOAD_MAX_BYTES;
  const payload = entry.raw && entry.raw.length ? truncateUtf8(entry.raw, cap) : null;
  try {
    await sql.query(
      `insert into inbound_events (source, delivery_id, verdict, reason, ticket_id, size, payload, metadata)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        entry.source,
        entry.deliveryId?.slice(0, 255) ?? null,
        entry.verdict,
        entry.reason ?? null,
        entry.ticketId ?? null,
        entry.raw?.length ?? 0,
        payload,
        entry.metadata ? JSON.stringify(entry.metadata) : null,
      ],
    );
  } catch (err) {
    logger.error({ err, source: entry.source, deliveryId: entry.deliveryId, verdict: entry.verdict }, 'webhook audit write failed');
  }
}

/** At most `max` bytes, cut on a character boundary, NUL bytes removed (PostgreSQL text refuses them). */
function truncateUtf8(raw: Buffer, max: number): string {
  let text = raw.subarray(0, max).toString('utf8');
  if (raw.length > max) text = text.replace(/\uFFFD+$/, '');
  return text.replaceAll('\u0000', '');
}
