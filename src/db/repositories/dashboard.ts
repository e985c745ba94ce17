/**
 * The console's dashboard figures for a period of whole UTC days (src/console/dashboard.ts): tickets per day
 * by category and by door from the daily rollup, SLA outcomes per priority (slas.ts), first-response and
 * resolution times from the SLA clocks, the open backlog by age, and the classifier's record against people's
 * corrections. Each is one aggregate query; none loads tickets.
 */
import { sql } from 'kysely';
import type { Sql } from '../sql.ts';
import { statsPeriod } from './stats.ts';
import { type SlaAttainment, slaAttainment } from './slas.ts';

export interface DailySeries {
  days: string[];
  /** Per key (a category, or a door), one count per day of `days`. */
  series: Record<string, number[]>;
}

export interface Dashboard {
  start: Date;
  end: Date;
  byCategory: DailySeries;
  bySource: DailySeries;
  sla: SlaAttainment;
  /** Minutes each clock ran to the first response / resolution (business hours, pauses left out), p50 and p90. */
  times: { firstResponse: { p50: number | null; p90: number | null; n: number }; resolution: { p50: number | null; p90: number | null; n: number } };
  backlog: { bucket: string; tickets: number }[];
  classifier: {
    classified: number;
    corrected: number;
    /** Of the corrected tickets, those whose machine verdict the person kept the category of. */
    agreed: number;
    /** Tickets per confidence tenth (0–0.1, …, 0.9–1.0), machine verdicts only. */
    histogram: number[];
  };
}

const DAY_MS = 86_400_000;
export const BACKLOG_BUCKETS = ['under 1 day', '1–3 days', '3–7 days', '7–30 days', 'over 30 days'] as const;

function dailySeries(start: Date, end: Date, rows: { day: string; key: string; n: string }[]): DailySeries {
  const days: string[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  const index = new Map(days.map((d, i) => [d, i]));
  const series: Record<string, number[]> = {};
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    (series[r.key] ??= days.map(() => 0))[i] = Number(r.n);
  }
  return { days, series };
}

export async function dashboardFigures(db: Sql, q: { days: number; now?: Date }): Promise<Dashboard> {
  const now = q.now ?? new Date();
  const { start, end } = statsPeriod(q.days, now);
  const [daily, sla, times, backlog, classifier] = await Promise.all([
    sql<{ g: number; day: string; category: string; source: string; n: string }>`
      select grouping(category, source) as g, day::text as day, coalesce(nullif(category, ''), 'unclassified') as category, source, sum(tickets) as n
        from ticket_daily_stats
       where day >= ${start.toISOString().slice(0, 10)}::date and day < ${end.toISOString().slice(0, 10)}::date
       group by grouping sets ((day, category), (day, source))
       -- Shards of one key can cancel out (+1 here, -1 there after a reclassification): a key is shown by its sum.
      having sum(tickets) <> 0`.execute(db.kysely),
    slaAttainment(db, { start, end, now }),
    sql<{ fr50: number | null; fr90: number | null; fr_n: string; res50: number | null; res90: number | null; res_n: string }>`
      select percentile_cont(0.5) within group (order by s.fr) filter (where s.fr is not null) as fr50,
             percentile_cont(0.9) within group (order by s.fr) filter (where s.fr is not null) as fr90,
             count(s.fr) as fr_n,
             percentile_cont(0.5) within group (order by s.res) filter (where s.res is not null) as res50,
             percentile_cont(0.9) within group (order by s.res) filter (where s.res is not null) as res90,
             count(s.res) as res_n
        from (
          -- The minutes each clock ran (business hours, pauses left out), stored when it stopped; clocks that
          -- stopped before those were stored count their wall-clock time.
          select ticket_id,
                 case when first_responded_at is not null then coalesce(first_response_minutes, extract(epoch from first_responded_at - started_at) / 60) end as fr,
                 case when resolved_at is not null then coalesce(resolution_minutes, extract(epoch from resolved_at - started_at) / 60) end as res
            from ticket_slas
        ) s join tickets t on t.id = s.ticket_id
       where t.deleted_at is null and t.created_at >= ${start} and t.created_at < ${end}`.execute(db.kysely),
    sql<{ bucket: number; n: string }>`
      select width_bucket(extract(epoch from ${now}::timestamptz - created_at) / 86400, array[1, 3, 7, 30]::float8[]) as bucket, count(*) as n
        from tickets where deleted_at is null and status <> 'resolved'
       group by 1`.execute(db.kysely),
    sql<{ classified: string; corrected: string; agreed: string; histogram: (string | number)[] | null }>`
      with period as (
        select t.id, t.classifier, t.category, t.confidence from tickets t
         where t.deleted_at is null and t.created_at >= ${start} and t.created_at < ${end} and t.category is not null
      ), corrected as (
        select p.id, p.category,
               (select c.category from classifications c where c.ticket_id = p.id and c.classifier <> 'human' order by c.created_at desc, c.id desc limit 1) as machine
          from period p where p.classifier = 'human'
      ), histogram as (
        select least(floor(confidence * 10)::int, 9) as tenth, count(*) as n from period where classifier <> 'human' and confidence is not null group by 1
      )
      select (select count(*) from period) as classified, (select count(*) from corrected) as corrected,
             (select count(*) from corrected where machine = category) as agreed,
             (select array_agg(coalesce(h.n, 0) order by b) from generate_series(0, 9) b left join histogram h on h.tenth = b) as histogram`.execute(db.kysely),
  ]);
  const rows = daily.rows;
  const t = times.rows[0]!;
  const c = classifier.rows[0]!;
  const round = (n: number | null) => (n === null ? null : Math.round(Number(n)));
  return {
    start,
    end,
    byCategory: dailySeries(start, end, rows.filter((r) => Number(r.g) === 1).map((r) => ({ day: r.day, key: r.category, n: r.n }))),
    bySource: dailySeries(start, end, rows.filter((r) => Number(r.g) === 2).map((r) => ({ day: r.day, key: r.source, n: r.n }))),
    sla,
    times: {
      firstResponse: { p50: round(t.fr50), p90: round(t.fr90), n: Number(t.fr_n) },
      resolution: { p50: round(t.res50), p90: round(t.res90), n: Number(t.res_n) },
    },
    backlog: BACKLOG_BUCKETS.map((bucket, i) => ({ bucket, tickets: Number(backlog.rows.find((r) => Number(r.bucket) === i)?.n ?? 0) })),
    classifier: { classified: Number(c.classified), corrected: Number(c.corrected), agreed: Number(c.agreed), histogram: (c.histogram ?? []).map(Number) },
  };
}
