/**
 * The operator console's pages with 1,000,000 tickets in PostgreSQL, through the service as its own process,
 * signed in by a one-time link: the inbox's tabs (each page also counts every tab), a filtered view, a later
 * page, and a ticket page. Sequential requests; p50 and p95 per page.
 *   node bench/console.ts [--tickets 1000000] [--requests 100]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hashToken, newToken } from '../src/lib/secret-token.ts';
import { recreateDatabase } from '../test/kit/database.ts';
import { startAsInProduction } from '../test/kit/process.ts';
import { ADMIN_URL, median, percentile, rssMb, sampleMax } from './lib.ts';

const { values } = parseArgs({ options: { tickets: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '100' } } });
const tickets = Number(values.tickets);
const requests = Number(values.requests);

const databaseUrl = await recreateDatabase('support_triage_bench_console', ADMIN_URL);
const service = await startAsInProduction({ DATABASE_URL: databaseUrl, RUN_WORKER: 'false' });
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
const loadStart = performance.now();
// A year of a busy team: most resolved, some waiting, a few snoozed, a fifth assigned, 30% below the confidence bar.
for (let done = 0; done < tickets; done += 100_000) {
  const n = Math.min(100_000, tickets - done);
  await client.query(
    `insert into tickets (source, subject, body, requester_email, status, priority, language, category, confidence, classifier, low_confidence,
                          assignee_slack_user_id, snoozed_since, created_at, updated_at)
     select (array['api','email','zendesk','freshdesk','helpscout'])[1 + g % 5], 'Subject ' || g, 'Body of ticket ' || g || ': the invoice page shows an error.',
            'user' || (g % 50000) || '@example.com',
            (array['resolved','resolved','resolved','resolved','resolved','open','acknowledged','waiting_on_customer'])[1 + g % 8],
            (array['low','medium','high','urgent'])[1 + g % 4], (array['en','de','fr','es'])[1 + g % 4], (array['technical','billing','general'])[1 + g % 3],
            (g % 100) / 100.0, 'local', (g % 100) < 30, case when g % 5 = 0 then 'UAGENT' || (g % 20) end,
            case when g % 997 = 0 then now() end, now() - (g * 30 || ' seconds')::interval, now()
       from generate_series($1::int, $2::int) g`,
    [done + 1, done + n],
  );
}
await client.query('analyze tickets');
const loadSeconds = (performance.now() - loadStart) / 1000;
const token = newToken();
await client.query(`insert into console_sign_in_links (token_hash, role, expires_at) values ($1, 'agent', now() + interval '10 minutes')`, [hashToken(token)]);
const signIn = await fetch(`${service.baseUrl}/console/sign-in/link`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });
const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith('console_session='))?.split(';')[0];
if (!cookie) throw new Error(`sign-in failed: ${signIn.status}`);
await client.query(`update console_sessions set user_id = 'UAGENT5'`);

const later = await (async () => {
  const page = await (await fetch(`${service.baseUrl}/console?tab=resolved`, { headers: { cookie } })).text();
  return /<a class="button" href="([^"]+)">Next page/.exec(page)![1]!.replaceAll('&amp;', '&');
})();
const pages: [string, string][] = [
  ['inbox: Needs first reply', '/console'],
  ['Mine', '/console?tab=mine'],
  ['Unassigned', '/console?tab=unassigned'],
  ['Breaching soon', '/console?tab=breaching_soon'],
  ['Snoozed', '/console?tab=snoozed'],
  ['Low confidence', '/console?tab=low_confidence'],
  ['Resolved, billing, German', '/console?tab=resolved&category=billing&language=de'],
  ['Resolved, second page', later],
  ['ticket page', `/console/tickets/${Math.floor(tickets / 2)}`],
];
const time = async (path: string) => {
  const t = performance.now();
  const res = await fetch(`${service.baseUrl}${path}`, { headers: { cookie } });
  await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return performance.now() - t;
};
const rss = sampleMax(() => rssMb(service.child.pid), 100);
const rows: string[] = [];
for (const [name, path] of pages) {
  for (let i = 0; i < 5; i++) await time(path); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < requests; i++) ms.push(await time(path));
  rows.push(`| ${name} | ${median(ms).toFixed(1)} ms | ${percentile(ms, 95).toFixed(1)} ms |`);
}
const peakRss = rss.stop();
await client.end();
await service.stop();

console.log(`${tickets.toLocaleString('en-US')} tickets in PostgreSQL (loaded in ${loadSeconds.toFixed(0)} s); ${requests} sequential requests per page, signed in as an agent.\n`);
console.log('| page | p50 | p95 |');
console.log('|---|---|---|');
for (const row of rows) console.log(row);
console.log(`\nservice peak RSS during the requests: ${peakRss.toFixed(0)} MB`);
