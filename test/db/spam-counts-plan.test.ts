/**
 * Counting a period's spam (spam-counts.ts) reads a range of the spam rows' created_at index, not every spam row
 * kept (1.5 s at 150,000 spam rows among 1,200,000 deliveries, whatever the period) nor the rows themselves, and
 * counts exactly what a plain aggregation counts, for periods ending today and in the past. A statement about
 * the plan, with enough rows for the planner to care.
 */
import test from 'ava';
import { SPAM_COUNTS, spamCounts } from '../../src/db/repositories/spam-counts.ts';
import { statsPeriod } from '../../src/db/repositories/stats.ts';
import { migratedDatabase } from '../kit/database.ts';

const ROWS = 40_000;
const DAY_MS = 86_400_000;

test('the period is a range of the spam rows\' created_at index, read alone, and the counts are exact', async (t) => {
  const db = await migratedDatabase(t);
  // 120 days of deliveries in time order (ids follow created_at, as inserts make them), one in eight spam.
  await db.sql.query(
    `insert into inbound_events (source, delivery_id, verdict, ticket_id, size, created_at)
     select (array['api','email','generic','zendesk','freshdesk','slack'])[1 + g % 6], 'd' || g,
            case when g % 8 = 3 then 'suppressed' else 'accepted' end, case when g % 8 = 3 then null else g end, 100,
            now() - ((${ROWS} - g) * interval '120 days' / ${ROWS})
       from generate_series(1, ${ROWS}) g`,
  );
  await db.sql.query('vacuum analyze inbound_events');

  const week = statsPeriod(7);
  const plan = (await db.sql.query<{ 'QUERY PLAN': string }>(`explain ${SPAM_COUNTS}`, [week.start, week.end])).map((r) => r['QUERY PLAN']).join('\n');
  t.regex(plan, /Index Only Scan using inbound_events_suppressed_created_at_idx on inbound_events\s[\s\S]*?Index Cond: \(\(created_at >= /, plan);
  t.notRegex(plan, /Seq Scan/, plan);

  const plain = async (start: Date, end: Date) =>
    (await db.sql.query<{ day: string; source: string; n: number }>(
      `select (created_at at time zone 'UTC')::date::text as day, source, count(*)::int as n from inbound_events
        where verdict = 'suppressed' and created_at >= $1 and created_at < $2 group by 1, 2 order by 1, 2`,
      [start, end],
    ));
  const sorted = (rows: { day: string; source: string; n: number }[]) => [...rows].sort((a, b) => a.day.localeCompare(b.day) || a.source.localeCompare(b.source));
  for (const [days, ago] of [[1, 0], [7, 0], [30, 0], [90, 0], [7, 20], [30, 100], [7, 200]] as const) {
    const period = statsPeriod(days, new Date(Date.now() - ago * DAY_MS));
    const expected = await plain(period.start, period.end);
    t.deepEqual(sorted(await spamCounts(db.sql, period)), expected, `${days} days ending ${ago} days ago`);
    if (ago < 120) t.true(expected.length > 0, `${days} days ending ${ago} days ago has spam`);
  }
});
