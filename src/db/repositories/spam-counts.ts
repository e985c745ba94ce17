/**
 * Messages kept as spam in a period (the deliveries' audit rows with verdict `suppressed`, by their created_at),
 * per UTC day and door: what /api/v1/stats, /support-stats, the digest and the console's dashboard count.
 *
 * The only index on spam rows is inbound_events_suppressed_idx, on id (the Spam page's newest first), so the
 * period is read as a range of ids in it: after the id of the last delivery of any door created more than an
 * hour before the period (one probe of (source, created_at) per door), with created_at checked on each row.
 * Ids follow created_at but for a transaction's lifetime (created_at is its start): the hour covers any audit
 * row's transaction (one statement, or a group commit's few). The cost is a heap read per spam row of the
 * period and after it; at 1,200,000 deliveries with 150,000 spam rows a year (PostgreSQL 15, 128 MB
 * shared_buffers) 7 days took ~22 ms, 30 days ~100 ms, 90 days 540-900 ms. A partial index on (created_at)
 * include (source) where verdict = 'suppressed' made 90 days an index-only scan of 10-16 ms; with it, drop the
 * floor.
 */
import type { Sql } from '../sql.ts';

/** Parameters: $1 period start, $2 period end (exclusive). Exported for the plan test. */
export const SPAM_COUNTS = `
  with recursive doors(source) as (
    (select source from inbound_events order by source limit 1)
    union all
    select (select e.source from inbound_events e where e.source > d.source order by e.source limit 1) from doors d where d.source is not null
  ), floor as (
    select coalesce(max(b.id), 0) as id
      from doors d cross join lateral (
        select e.id from inbound_events e
         where e.source = d.source and e.created_at < $1::timestamptz - interval '1 hour'
         order by e.created_at desc limit 1) b
  )
  select (created_at at time zone 'UTC')::date::text as day, source, count(*) as n
    from inbound_events
   where verdict = 'suppressed' and id > (select id from floor) and created_at >= $1::timestamptz and created_at < $2::timestamptz
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
