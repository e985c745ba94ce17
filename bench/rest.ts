/**
 * REST ticket creation on PostgreSQL with the production defaults, side by side with the database's own
 * ceiling, in one run:
 *   1. pgbench, 8 clients, a custom script inserting one ticket-sized row per transaction (raw INSERT rate);
 *   2. POST /api/v1/requests with autocannon (concurrency 50) against the service as its own process, as
 *      `npm start` runs it in production (API key, in-process worker), with the rate limits on (a limit so high
 *      it never refuses: every request is counted and shared) and then off;
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

const API_KEY = 'bench-key-0123456789abcdef';
/** The rate limits as production runs them, with a per-key limit (the largest allowed) the load never reaches. */
export const LIMITER_ON = { API_KEYS: API_KEY, RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '20' };
export const LIMITER_OFF = { API_KEYS: API_KEY, RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0' };

export async function restCreateRate(seconds: number, connections: number, env: Record<string, string> = {}) {
  const databaseUrl = await recreateDatabase('support_triage_bench_rest', ADMIN_URL);
  const service = await startAsInProduction({ DATABASE_URL: databaseUrl, ...env });
  const rss = sampleMax(() => rssMb(service.child.pid));
  const result = await autocannon({
    url: `${service.baseUrl}/api/v1/requests`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...(env.API_KEYS ? { authorization: `Bearer ${env.API_KEYS.split(',')[0]}` } : {}) },
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
  const on = await restCreateRate(seconds, connections, LIMITER_ON);
  const off = await restCreateRate(seconds, connections, LIMITER_OFF);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const row = (what: string, value: (r: typeof on) => string) => console.log(`| ${what} | ${value(on)} | ${value(off)} |`);
  console.log(`PostgreSQL ceiling: pgbench, 8 clients, one ticket-sized INSERT per transaction, ${seconds} s: **${fmt(ceiling)} inserts/s**\n`);
  console.log(`| POST /api/v1/requests, ${connections} connections, ${seconds} s, production defaults (API key, worker in process) | rate limits on | rate limits off |`);
  console.log('|---|---|---|');
  row('tickets/s (2xx)', (r) => `**${fmt(r.rps)}**`);
  row('ratio to pgbench\'s INSERT rate', (r) => (r.rps / ceiling).toFixed(2));
  row('latency p50 / p99', (r) => `${r.p50} / ${r.p99} ms`);
  row('non-2xx / errors', (r) => `${r.non2xx} / ${r.errors}`);
  row('answered 2xx / stored (in-flight requests at the end also land)', (r) => `${fmt(r.created)} / ${fmt(r.stored)}`);
  row('classification lag created -> classified: p50 / p99 / max', (r) => `${fmt(r.lagP50)} / ${fmt(r.lagP99)} / ${fmt(r.lagMax)} ms`);
  row('left unclassified', (r) => String(r.unclassified));
  row('service peak RSS under load', (r) => `${r.peakRss.toFixed(0)} MB`);
  const cost = 1 - on.rps / off.rps;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`\nrate limits' cost: ${(cost * 100).toFixed(0)}% of the throughput (target <= 10%: ${verdict(cost <= 0.1)})`);
  console.log(`targets with the limits on: >= 3,000/s ${verdict(on.rps >= 3000)}; p99 <= 50 ms ${verdict(on.p99 <= 50)}; ratio >= 0.30 ${verdict(on.rps / ceiling >= 0.3)}; lag <= 5 s ${verdict(on.lagMax <= 5000)}; RSS <= 150 MB ${verdict(on.peakRss <= 150)}`);
}
