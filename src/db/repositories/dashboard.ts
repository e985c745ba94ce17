/**
 * The console's dashboard figures for a period of whole UTC days (src/console/dashboard.ts), none read from the
 * tickets themselves: tickets per day by category and by door, the classifier's histogram and the open backlog
 * by age from daily rollups kept exact by triggers (ticket_daily_stats, ticket_daily_figures); SLA outcomes per
 * priority from a third (sla_daily_outcomes) plus the running clocks (slas.ts); first-response and resolution
 * times from the period's entries of the clocks' covering index; people's corrections from their partial index;
 * messages kept as spam per day and door from their audit rows (spam-counts.ts); incidents opened and the
 * tickets they hold (incidents.ts).
 */
import { sql } from 'kysely';
import { utcDay } from '../../lib/utc-day.ts';
import { type Sql, sqlOf } from '../sql.ts';
import { statsPeriod } from './stats.ts';
import { PERIOD_CLOCKS, type SlaAttainment, slaAttainment } from './slas.ts';
import { spamCounts } from './spam-counts.ts';
import { type CsatStats, csatStats } from './csat-stats.ts';
import { incidentTotals } from './incidents.ts';

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
  /** Messages from blocked senders kept as spam (no ticket), per day by door. */
  spam: DailySeries;
  /** Satisfaction scores answered in the period, in all and per category, agent and company. */
  csat: CsatStats;
  /** Incidents (floods of similar tickets) opened in the period, and the tickets they hold now. */
  incidents: { opened: number; tickets: number };
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

function dailySeries(start: Date, end: Date, rows: { day: string; key: string; n: string | number }[]): DailySeries {
  const days: string[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += DAY_MS) days.push(utcDay(new Date(t)));
  const index = new Map(days.map((d, i) => [d, i]));
  const series: Record<string, number[]> = {};
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    (series[r.key] ??= days.map(() => 0))[i] = Number(r.n);
  }
  return { days, series };
}

/**
 * p50 and p90 of the minutes each clock ran (business hours, pauses left out), stored when it stopped; clocks
 * that stopped before those were stored count their wall-clock time. Exact percentiles need every value: read
 * from the period's entries of the clocks' covering index, and sorted in memory (a 90-day period at 1,000,000
 * tickets a year sorts ~250,000 minutes per clock: the default 4 MB of work_mem would sort them on disk).
 */
async function clockMinutes(db: Sql, start: Date, end: Date) {
  return db.kysely.transaction().execute(async (trx) => {
    await sql`set local work_mem = '32MB'`.execute(trx);
    const [row] = await sqlOf(trx).query<{ fr50: number | null; fr90: number | null; fr_n: string; res50: number | null; res90: number | null; res_n: string }>(
      `select percentile_cont(0.5) within group (order by s.fr) filter (where s.fr is not null) as fr50,
              percentile_cont(0.9) within group (order by s.fr) filter (where s.fr is not null) as fr90,
              count(s.fr) as fr_n,
              percentile_cont(0.5) within group (order by s.res) filter (where s.res is not null) as res50,
              percentile_cont(0.9) within group (order by s.res) filter (where s.res is not null) as res90,
              count(s.res) as res_n
         from (select case when s.first_responded_at is not null then coalesce(s.first_response_minutes, extract(epoch from s.first_responded_at - s.started_at) / 60) end as fr,
                      case when s.resolved_at is not null then coalesce(s.resolution_minutes, extract(epoch from s.resolved_at - s.started_at) / 60) end as res
                 from ${PERIOD_CLOCKS}) s`,
      [start, end],
    );
    return row!;
  });
}

/**
 * Open tickets by age at `now` (the buckets' bounds 1, 3, 7 and 30 days), from the daily rollup of open tickets
 * by creation day (ticket_daily_figures): the whole days before each bound from the rollup, the one day a bound
 * cuts through from tickets_open_created_at_idx, so the cost is a few thousand rollup rows and four days' open
 * tickets, not the backlog.
 */
async function backlogByAge(db: Sql, now: Date): Promise<{ bucket: string; tickets: number }[]> {
  // Open tickets created at or before each cut: a ticket is at least k days old when created <= now - k days.
  const cuts = [1, 3, 7, 30].map((k) => new Date(now.getTime() - k * DAY_MS));
  const [row] = await db.query<{ total: string; before: string[] }>(
    `select (select coalesce(sum(tickets), 0) from ticket_daily_figures where figure = 'open') as total,
            array(select (select coalesce(sum(tickets), 0) from ticket_daily_figures where figure = 'open' and day < (cut at time zone 'UTC')::date)
                       + (select count(*) from tickets where status <> 'resolved' and deleted_at is null
                             and created_at >= ((cut at time zone 'UTC')::date)::timestamp at time zone 'UTC' and created_at <= cut)
                    from unnest($1::timestamptz[]) with ordinality c(cut, i) order by i) as before`,
    [cuts],
  );
  const total = Number(row!.total);
  const [d1, d3, d7, d30] = row!.before.map(Number) as [number, number, number, number];
  const counts = [total - d1, d1 - d3, d3 - d7, d7 - d30, d30];
  return BACKLOG_BUCKETS.map((bucket, i) => ({ bucket, tickets: counts[i]! }));
}

export async function dashboardFigures(db: Sql, q: { days: number; now?: Date }): Promise<Dashboard> {
  const now = q.now ?? new Date();
  const { start, end } = statsPeriod(q.days, now);
  const [daily, sla, times, backlog, classifier, spam, csat, incidents] = await Promise.all([
    sql<{ g: number; day: string; category: string; source: string; n: string }>`
      select grouping(category, source) as g, day::text as day, coalesce(nullif(category, ''), 'unclassified') as category, source, sum(tickets) as n
        from ticket_daily_stats
       where day >= ${utcDay(start)}::date and day < ${utcDay(end)}::date
       group by grouping sets ((day, category), (day, source))
       -- Shards of one key can cancel out (+1 here, -1 there after a reclassification): a key is shown by its sum.
      having sum(tickets) <> 0`.execute(db.kysely),
    slaAttainment(db, { start, end, now }),
    clockMinutes(db, start, end),
    backlogByAge(db, now),
    sql<{ classified: string; corrected: string; agreed: string; histogram: (string | number)[] | null }>`
      with corrected as (
        -- People's corrections are few, found by their partial index; each compared with the last machine verdict.
        select t.category,
               (select c.category from classifications c where c.ticket_id = t.id and c.classifier <> 'human' order by c.created_at desc, c.id desc limit 1) as machine
          from tickets t
         where t.classifier = 'human' and t.deleted_at is null and t.created_at >= ${start} and t.created_at < ${end} and t.category is not null
      ), histogram as (
        select bucket, sum(tickets) as n from ticket_daily_figures
         where figure = 'confidence' and day >= ${utcDay(start)}::date and day < ${utcDay(end)}::date group by 1
      )
      select (select coalesce(sum(tickets), 0) from ticket_daily_stats where category <> '' and day >= ${utcDay(start)}::date and day < ${utcDay(end)}::date) as classified,
             (select count(*) from corrected) as corrected,
             (select count(*) from corrected where machine = category) as agreed,
             (select array_agg(coalesce(h.n, 0) order by b) from generate_series(0, 9) b left join histogram h on h.bucket = b) as histogram`.execute(db.kysely),
    spamCounts(db, { start, end }),
    csatStats(db, { start, end }),
    incidentTotals(db, start, end),
  ]);
  const rows = daily.rows;
  const t = times;
  const c = classifier.rows[0]!;
  const round = (n: number | null) => (n === null ? null : Math.round(Number(n)));
  return {
    start,
    end,
    byCategory: dailySeries(start, end, rows.filter((r) => Number(r.g) === 1).map((r) => ({ day: r.day, key: r.category, n: r.n }))),
    bySource: dailySeries(start, end, rows.filter((r) => Number(r.g) === 2).map((r) => ({ day: r.day, key: r.source, n: r.n }))),
    spam: dailySeries(start, end, spam.map((r) => ({ day: r.day, key: r.source, n: r.n }))),
    csat,
    incidents: { opened: incidents.incidents, tickets: incidents.tickets },
    sla,
    times: {
      firstResponse: { p50: round(t.fr50), p90: round(t.fr90), n: Number(t.fr_n) },
      resolution: { p50: round(t.res50), p90: round(t.res90), n: Number(t.res_n) },
    },
    backlog,
    classifier: { classified: Number(c.classified), corrected: Number(c.corrected), agreed: Number(c.agreed), histogram: (c.histogram ?? []).map(Number) },
  };
}
