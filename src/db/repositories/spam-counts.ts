/**
 * Messages kept as spam in a period (the deliveries' audit rows with verdict `suppressed`, by their created_at),
 * per UTC day and door: what /api/v1/stats, /support-stats, the digest and the console's dashboard count.
 * A range of the partial index on the spam rows' created_at (with their door): an index-only scan, 10-16 ms for
 * 90 days at 150,000 spam rows among 1,200,000 deliveries a year, where reading the rows themselves took 540-900 ms.
 */
import type { Sql } from '../sql.ts';

/** Parameters: $1 period start, $2 period end (exclusive). Exported for the plan test. */
export const SPAM_COUNTS = `
  select (created_at at time zone 'UTC')::date::text as day, source, count(*) as n
    from inbound_events
   where verdict = 'suppressed' and created_at >= $1::timestamptz and created_at < $2::timestamptz
   group by 1, 2`;

export interface SpamCount {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** The door (inbound_events.source). */
  source: string;
  n: number;
}

export async function spamCounts(db: Sql, period: { start: Date; end: Date }): Promise<SpamCount[]> {
  const rows = await db.query<{ day: string; source: string; n: string }>(SPAM_COUNTS, [period.start, period.end]);
  return rows.map((r) => ({ day: r.day, source: r.source, n: Number(r.n) }));
}

/** The period's total and per-door counts. */
export function spamTotals(counts: SpamCount[]): { total: number; bySource: Record<string, number> } {
  const bySource: Record<string, number> = {};
  for (const c of counts) bySource[c.source] = (bySource[c.source] ?? 0) + c.n;
  return { total: counts.reduce((a, c) => a + c.n, 0), bySource };
}
