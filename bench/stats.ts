/**
 * GET /api/v1/stats?days=90 with 1,000,000 tickets in PostgreSQL, through the service as its own process.
 * Side by side in the same run: the same figures by a direct aggregation over the tickets table (what a
 * rollup-less implementation costs).
 *   node bench/stats.ts [--tickets 1000000] [--requests 200]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { recreateDatabase } from '../test/kit/database.ts';
import { startAsInProduction } from '../test/kit/process.ts';
import { ADMIN_URL, median, percentile, rssMb, sampleMax } from './lib.ts';

const { values } = parseArgs({ options: { tickets: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '200' } } });
const tickets = Number(values.tickets);
const requests = Number(values.requests);

const databaseUrl = await recreateDatabase('support_triage_bench_stats', ADMIN_URL);
const service = await startAsInProduction({ DATABASE_URL: databaseUrl, RUN_WORKER: 'false' });
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
const loadStart = performance.now();
// Spread over 90 days, classified, the way a busy team's table looks; the triggers fill the rollup as rows land.
for (let done = 0; done < tickets; done += 100_000) {
  const n = Math.min(100_000, tickets - done);
  await client.query(
    `insert into tickets (source, subject, body, status, priority, category, confidence, classifier, low_confidence, created_at, updated_at)
     select (array['api','email','zendesk','freshdesk','helpscout'])[1 + (g % 5)], 'Subject ' || g,
            'Body of ticket ' || g || ': the dashboard shows an error when I open my invoice page since this morning.',
            'open', (array['low','medium','high','urgent'])[1 + (g % 4)], (array['technical','billing','general'])[1 + (g % 3)],
            0.3 + (g % 70) / 100.0, 'local', (0.3 + (g % 70) / 100.0) < 0.6,
            now() - ((g % 90) || ' days')::interval - ((g % 1440) || ' minutes')::interval, now()
       from generate_series($1::int, $2::int) g`,
    [done + 1, done + n],
  );
}
await client.query('analyze tickets');
const loadSeconds = (performance.now() - loadStart) / 1000;

const timeHttp = async () => {
  const t = performance.now();
  const res = await fetch(`${service.baseUrl}/api/v1/stats?days=90`);
  const body = (await res.json()) as { total_tickets: number };
  if (!res.ok || body.total_tickets < tickets * 0.99) throw new Error(`unexpected stats answer ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  return performance.now() - t;
};
const rss = sampleMax(() => rssMb(service.child.pid), 100);
for (let i = 0; i < 10; i++) await timeHttp(); // warm-up
const http: number[] = [];
for (let i = 0; i < requests; i++) http.push(await timeHttp());
const peakRss = rss.stop();

const direct: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  await client.query(
    `select grouping(category, source, priority, day) as g, count(*), sum(confidence), count(*) filter (where low_confidence)
       from (select category, source, priority, confidence, low_confidence, (created_at at time zone 'UTC')::date as day
               from tickets where deleted_at is null and created_at >= current_date - 89) t
      group by grouping sets ((category), (source), (priority), (day), ())`,
  );
  direct.push(performance.now() - t);
}
await client.end();
await service.stop();

const f = (n: number) => `${n.toFixed(1)} ms`;
console.log('| figure | value |');
console.log('|---|---|');
console.log(`| tickets in PostgreSQL (loaded in ${loadSeconds.toFixed(0)} s, rollup kept by triggers) | ${tickets.toLocaleString('en-US')} |`);
console.log(`| GET /api/v1/stats?days=90 over HTTP, sequential, ${requests} requests: p50 / p99 | ${f(median(http))} / ${f(percentile(http, 99))} |`);
console.log(`| same figures by direct aggregation over tickets (no rollup), median of 5 | ${f(median(direct))} |`);
console.log(`| ratio direct / rollup | ${(median(direct) / median(http)).toFixed(0)}× |`);
console.log(`| service peak RSS during the stats requests | ${peakRss.toFixed(0)} MB |`);
console.log(`\ntarget: p50 <= 50 ms -> ${median(http) <= 50 ? 'met' : 'NOT met'}`);
