/**
 * The customer lines of a Slack card (and the console's ticket page) with 1,000,000 tickets in PostgreSQL: open
 * count, last five, possibly related (trigram similarity of subjects within the last 30 days). Customers as a
 * busy team has them: 50,000 people with ~19 tickets each, and one integration address with 5% of all tickets
 * (the worst case: its related-ticket search has the most rows to look at). Loaded, then vacuumed as autovacuum
 * would have by then. In process, one lookup at a time, after 20 unmeasured ones; p50, p95, p99 per kind of customer.
 *   node bench/customer-context.ts [--tickets 1000000] [--lookups 500]
 */
import { parseArgs } from 'node:util';
import { cardCustomerLines } from '../src/slack/cards/customer-lines.ts';
import { recreateDatabase } from '../test/kit/database.ts';
import { startTestService } from '../test/kit/service.ts';
import { ADMIN_URL, median, percentile } from './lib.ts';

const { values } = parseArgs({ options: { tickets: { type: 'string', default: '1000000' }, lookups: { type: 'string', default: '500' } } });
const tickets = Number(values.tickets);
const lookups = Number(values.lookups);
const PEOPLE = 50_000;
const HEAVY = PEOPLE + 1;

const url = await recreateDatabase('support_triage_bench_context', ADMIN_URL);
const svc = await startTestService({ DATABASE_URL: url, RUN_WORKER: 'false' });
const sql = svc.service.db.sql;
try {
  const loadStart = performance.now();
  await sql.query(`insert into companies (name, tier) select 'Company ' || g, (array['gold','silver',null])[1 + g % 3] from generate_series(1, 2000) g`);
  await sql.query(`insert into customers (name, company_id, company_match) select 'Person ' || g, 1 + g % 2000, 'domain' from generate_series(1, $1::int) g`, [HEAVY]);
  // Subjects from a small pool with numbers, so similar subjects exist for most tickets (the related search finds some).
  for (let done = 0; done < tickets; done += 100_000) {
    const n = Math.min(100_000, tickets - done);
    await sql.query(
      `insert into tickets (source, subject, body, requester_email, customer_id, status, priority, category, confidence, classifier, created_at, updated_at)
       select 'api',
              (array['Invoice is wrong','Cannot log in','Export fails with error','Refund for my order','Password reset mail missing','Dashboard is slow',
                     'API returns 500','Change my plan','Cancel subscription','Webhook not firing','Two-factor code rejected','Billing address update'])[1 + g % 12] || ' ' || (g % 97),
              'Body of ticket ' || g, 'person' || (g % ${PEOPLE}) || '@example.com',
              case when g % 20 = 0 then ${HEAVY} else 1 + g % ${PEOPLE} end,
              (array['resolved','resolved','resolved','resolved','resolved','open','acknowledged','waiting_on_customer'])[1 + (g + g / 20) % 8],
              (array['low','medium','high','urgent'])[1 + g % 4], (array['technical','billing','general'])[1 + g % 3], 0.9, 'local',
              now() - (g * 30 || ' seconds')::interval, now()
         from generate_series($1::int, $2::int) g`,
      [done + 1, done + n],
    );
  }
  // The steady state of a table this old: autovacuum has set the visibility map (index-only counts need it).
  await sql.query('vacuum analyze');
  const loadSeconds = (performance.now() - loadStart) / 1000;

  const sample = async (where: string) =>
    sql.query<{ id: number; subject: string; customer_id: number }>(`select id, subject, customer_id from tickets where ${where} order by random() limit $1`, [lookups + 20]);
  const measure = async (rows: { id: number; subject: string; customer_id: number }[]) => {
    const times: number[] = [];
    let lines = 0;
    for (const [i, r] of rows.entries()) {
      const started = performance.now();
      const got = await cardCustomerLines(svc.service.db, { id: r.id, subject: r.subject, customer: { id: r.customer_id, name: 'Person' }, company: { id: 1, name: 'Company 1', tier: 'gold' }, requesterEmail: null }, { publicUrl: 'https://triage.example.com', relatedDays: 30 });
      if (i >= 20) times.push(performance.now() - started);
      lines += got.length;
    }
    return { times, lines: lines / rows.length };
  };
  const recentTypical = await measure(await sample(`customer_id <> ${HEAVY} and created_at > now() - interval '30 days'`));
  const olderTypical = await measure(await sample(`customer_id <> ${HEAVY} and created_at < now() - interval '90 days'`));
  const heavy = await measure(await sample(`customer_id = ${HEAVY} and created_at > now() - interval '30 days'`));

  const [{ n: heavyTickets }] = await sql.query<{ n: number }>(`select count(*)::int as n from tickets where customer_id = ${HEAVY}`) as [{ n: number }];
  console.log(`${tickets.toLocaleString('en-US')} tickets loaded in ${loadSeconds.toFixed(0)} s; ${PEOPLE.toLocaleString('en-US')} customers with ~${Math.round((tickets - heavyTickets) / PEOPLE)} tickets each, one with ${heavyTickets.toLocaleString('en-US')}; ${lookups} lookups per row, one at a time.`);
  console.log('');
  console.log('| the card\'s customer lines for | p50 | p95 | p99 | lines per card |');
  console.log('|---|---|---|---|---|');
  const row = (label: string, m: { times: number[]; lines: number }) =>
    console.log(`| ${label} | ${median(m.times).toFixed(1)} ms | ${percentile(m.times, 95).toFixed(1)} ms | ${percentile(m.times, 99).toFixed(1)} ms | ${m.lines.toFixed(1)} |`);
  row('a ticket of the last 30 days, typical customer', recentTypical);
  row('an older ticket, typical customer', olderTypical);
  row(`a ticket of the customer with ${heavyTickets.toLocaleString('en-US')} tickets`, heavy);
  const worst = Math.max(...[recentTypical, olderTypical, heavy].map((m) => percentile(m.times, 95)));
  console.log('');
  console.log(`target: p95 <= 20 ms -> ${worst <= 20 ? 'met' : 'NOT met'} (worst p95 ${worst.toFixed(1)} ms)`);
} finally {
  await svc.stop();
}
