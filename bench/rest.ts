/**
 * REST ticket creation on PostgreSQL, side by side with the database's own ceiling, in one run:
 *   1. pgbench, 8 clients, a custom script inserting one ticket-sized row per transaction (raw INSERT rate);
 *   2. POST /api/v1/requests with autocannon (concurrency 50) against the service as its own process;
 *   3. classification lag (created -> classified) of every ticket of step 2, and the service's peak RSS.
 *   node bench/rest.ts [--seconds 20] [--connections 50]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { recreateDatabase } from '../test/kit/database.ts';
import { startAsInProduction } from '../test/kit/process.ts';
import { ADMIN_URL, percentile, rssMb, sampleMax } from './lib.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, connections: { type: 'string', default: '50' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const BODY = 'Since this morning the dashboard shows error 502 when I open the billing page, and my invoice for October is missing. Could you check my account and resend it? Thanks, Ana';

export async function pgbenchInsertRate(seconds: number): Promise<number> {
  const url = await recreateDatabase('support_triage_bench_pgbench', ADMIN_URL);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create table bench_tickets (id serial primary key, source text not null, external_id varchar(255), subject text, body text not null,
    requester_email varchar(320), status text not null default 'processing', created_at timestamptz not null default now(), updated_at timestamptz not null default now())`);
  await client.end();
  const dir = mkdtempSync(path.join(tmpdir(), 'pgbench-'));
  const script = path.join(dir, 'insert.sql');
  writeFileSync(script, `insert into bench_tickets (source, subject, body, requester_email) values ('api', 'Dashboard error 502 and missing invoice', '${BODY}', 'ana@example.com');\n`);
  const out = execFileSync('pgbench', ['-n', '-c', '8', '-j', '2', '-T', String(seconds), '-f', script, url], { encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(out)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(tps);
}

export async function restCreateRate(seconds: number, connections: number) {
  const databaseUrl = await recreateDatabase('support_triage_bench_rest', ADMIN_URL);
  const service = await startAsInProduction({ DATABASE_URL: databaseUrl });
  const rss = sampleMax(() => rssMb(service.child.pid));
  const result = await autocannon({
    url: `${service.baseUrl}/api/v1/requests`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ subject: 'Dashboard error 502 and missing invoice', body: BODY, requester_email: 'ana@example.com' }),
  });
  const created = result['2xx'];
  // The worker keeps classifying after the load stops; wait for it (bounded) and measure the lag.
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const drainStart = Date.now();
  let pending = 1;
  while (pending > 0 && Date.now() - drainStart < 120_000) {
    pending = Number((await client.query(`select count(*) as n from tickets where category is null`)).rows[0].n);
    if (pending) await new Promise((r) => setTimeout(r, 500));
  }
  const lags = (await client.query(`select extract(epoch from c.created_at - t.created_at) * 1000 as ms from tickets t join classifications c on c.id = t.current_classification_id`)).rows.map((r) => Number(r.ms));
  const stored = Number((await client.query('select count(*) as n from tickets')).rows[0].n);
  await client.end();
  const peakRss = rss.stop();
  await service.stop();
  return {
    rps: created / seconds,
    created,
    stored,
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    lagP50: percentile(lags, 50),
    lagP99: percentile(lags, 99),
    lagMax: Math.max(...lags),
    unclassified: pending,
    peakRss,
  };
}

if (import.meta.main) {
  const ceiling = await pgbenchInsertRate(seconds);
  const rest = await restCreateRate(seconds, connections);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log('| figure | value |');
  console.log('|---|---|');
  console.log(`| PostgreSQL ceiling: pgbench, 8 clients, one ticket-sized INSERT per transaction, ${seconds} s | ${fmt(ceiling)} inserts/s |`);
  console.log(`| POST /api/v1/requests, ${connections} connections, ${seconds} s: tickets/s (2xx) | ${fmt(rest.rps)} |`);
  console.log(`| ratio to the raw INSERT ceiling | ${(rest.rps / ceiling).toFixed(2)} |`);
  console.log(`| latency p50 / p99 | ${rest.p50} / ${rest.p99} ms |`);
  console.log(`| non-2xx / errors | ${rest.non2xx} / ${rest.errors} |`);
  console.log(`| answered 2xx / stored (in-flight requests at the end also land) | ${fmt(rest.created)} / ${fmt(rest.stored)} |`);
  console.log(`| classification lag created -> classified: p50 / p99 / max | ${fmt(rest.lagP50)} / ${fmt(rest.lagP99)} / ${fmt(rest.lagMax)} ms |`);
  console.log(`| left unclassified | ${rest.unclassified} |`);
  console.log(`| service peak RSS under load | ${rest.peakRss.toFixed(0)} MB |`);
  console.log(`\ntargets: >= 3,000/s ${rest.rps >= 3000 ? 'met' : 'NOT met'}; p99 <= 50 ms ${rest.p99 <= 50 ? 'met' : 'NOT met'}; ratio >= 0.25 ${rest.rps / ceiling >= 0.25 ? 'met' : 'NOT met'}; lag <= 5 s ${rest.lagMax <= 5000 ? 'met' : 'NOT met'}; RSS <= 150 MB ${rest.peakRss <= 150 ? 'met' : 'NOT met'}`);
}
