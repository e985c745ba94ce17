/**
 * Ticket statistics for a period of whole UTC days ending today, computed by SQL aggregation in one scan
 * (GROUPING SETS), never by loading rows, the messages kept as spam in it (spam-counts.ts) and the incidents
 * opened in it (incidents.ts). Shared by
 * GET /api/v1/stats, the Slack command and the digest.
 */
import { CATEGORIES, type Category } from '../../domain/categories.ts';
import { utcDay } from '../../lib/utc-day.ts';
import type { Sql } from '../sql.ts';
import { type SlaAttainment, slaAttainment } from './slas.ts';
import { spamCounts, spamTotals } from './spam-counts.ts';
import { type CsatStats, csatStats } from './csat-stats.ts';
import { incidentTotals } from './incidents.ts';

/** low_confidence counts tickets that were below the threshold in force when they were classified. */
export interface StatsQuery {
  days: number;
  category?: Category;
  now?: Date;
}

export interface Stats {
  total_tickets: number;
  period_days: number;
  period_start: string;
  period_end: string;
  categories: { category: Category; count: number; percentage: number }[];
  daily_counts: Record<string, number>;
  average_confidence: number | null;
  by_source: Record<string, number>;
  by_priority: Record<string, number>;
  pending_classification: number;
  low_confidence: number;
  /** SLA clocks of the period's tickets per priority (empty without SLA). */
  sla: SlaAttainment;
  /**
   * Messages from blocked senders kept as spam in the period (they made no ticket), and per door. Spam has no
   * category: with a category filter, null and {}.
   */
  spam: number | null;
  spam_by_source: Record<string, number>;
  /** Satisfaction scores answered in the period (csat-stats.ts); responses 0 without surveys. */
  csat: CsatStats;
  /** Incidents (floods of similar tickets) opened in the period, and the tickets they hold now; of the category with a filter. */
  incidents: { opened: number; tickets: number };
}

const DAY_MS = 86_400_000;

export function statsPeriod(days: number, now = new Date()): { start: Date; end: Date } {
  const todayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return { start: new Date(todayStart - (days - 1) * DAY_MS), end: new Date(todayStart + DAY_MS) };
}

interface Row {
  g: number;
  category: Category | null;
  source: string | null;
  priority: string | null;
  day: string | null;
  n: string;
  sum_conf: number | null;
  n_conf: string;
  pending: string;
  low: string;
}

export async function getStats(sql: Sql, q: StatsQuery): Promise<Stats> {
  const { start, end } = statsPeriod(q.days, q.now);
  const params: unknown[] = [utcDay(start), utcDay(end)];
  let categoryFilter = '';
  if (q.category) {
    params.push(q.category);
    categoryFilter = `and category = $${params.length}`;
  }
  // The daily rollup (kept by triggers) holds a few rows per day, so this reads thousands of rows, not millions.
  // Rows are sharded by the writing backend: on PostgreSQL a ticket counted +1 in one shard when created and -1 in
  // another when classified leaves two non-zero rows that cancel out, so groups whose sum is 0 are left out
  // (else "unset": 0 on PostgreSQL only; PGlite has a single backend).
  // grouping() bits, high to low: category, source, priority, day. 0b0111 = by category, etc.
  const rowsRead = sql.query<Row>(
    `select grouping(category, source, priority, day) as g, nullif(category, '') as category, source,
            nullif(priority, '') as priority, day::text as day,
            sum(tickets) as n, sum(confidence_sum) as sum_conf, sum(confidence_count) as n_conf,
            coalesce(sum(tickets) filter (where category = ''), 0) as pending,
            coalesce(sum(tickets) filter (where low_confidence), 0) as low
       from ticket_daily_stats
      where day >= $1::date and day < $2::date and tickets <> 0 ${categoryFilter}
      group by grouping sets ((category), (source), (priority), (day), ())
     having sum(tickets) <> 0`,
    params,
  );
  // Spam has no category: counted only without a category filter.
  const [rows, spam, csat, incidents] = await Promise.all([
    rowsRead, q.category ? null : spamCounts(sql, { start, end }).then(spamTotals), csatStats(sql, { start, end, ...(q.category ? { category: q.category } : {}) }),
    incidentTotals(sql, start, end, q.category),
  ]);

  const stats: Stats = {
    total_tickets: 0,
    period_days: q.days,
    period_start: start.toISOString(),
    period_end: end.toISOString(),
    categories: [],
    daily_counts: {},
    average_confidence: null,
    by_source: {},
    by_priority: {},
    pending_classification: 0,
    low_confidence: 0,
    sla: await slaAttainment(sql, { start, end, now: q.now ?? new Date(), ...(q.category ? { category: q.category } : {}) }),
    spam: spam?.total ?? null,
    spam_by_source: spam?.bySource ?? {},
    csat,
    incidents: { opened: incidents.incidents, tickets: incidents.tickets },
  };
  for (let t = start.getTime(); t < end.getTime(); t += DAY_MS) stats.daily_counts[utcDay(new Date(t))] = 0;

  const byCategory = new Map<Category, number>();
  for (const r of rows) {
    const n = Number(r.n);
    switch (r.g) {
      case 0b1111:
        stats.total_tickets = n;
        stats.pending_classification = Number(r.pending);
        stats.low_confidence = Number(r.low);
        stats.average_confidence = Number(r.n_conf) ? round(Number(r.sum_conf) / Number(r.n_conf), 4) : null;
        break;
      case 0b0111:
        if (r.category) byCategory.set(r.category, n);
        break;
      case 0b1011:
        stats.by_source[r.source!] = n;
        break;
      case 0b1101:
        stats.by_priority[r.priority ?? 'unset'] = n;
        break;
      case 0b1110:
        if (r.day) stats.daily_counts[r.day] = n;
        break;
    }
  }
  const classified = [...byCategory.values()].reduce((a, b) => a + b, 0);
  stats.categories = CATEGORIES.filter((c) => !q.category || c === q.category).map((category) => {
    const count = byCategory.get(category) ?? 0;
    return { category, count, percentage: classified ? round((100 * count) / classified, 1) : 0 };
  });
  return stats;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
