/**
 * The console's live updates: the service as in production on PostgreSQL (its own process), 50 consoles holding
 * a live stream (server-sent events) each, a change made over REST 100 times, and how long each change takes
 * to reach all 50 (from the REST answer, after the commit, to the event read: often already there, so ~0). Memory: idle RSS of the service
 * before the console is used, after each console page was served once, and with the 50 streams open.
 *   node bench/console-live.ts [--consoles 50] [--changes 100]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hashToken, newToken } from '../src/lib/secret-token.ts';
import { openLiveStream, type LiveStream, ticketSignal } from '../test/kit/console.ts';
import { recreateDatabase } from '../test/kit/database.ts';
import { startAsInProduction } from '../test/kit/process.ts';
import { sleep } from '../test/kit/wait.ts';
import { ADMIN_URL, median, percentile, rssMb, sampleMax } from './lib.ts';

const { values } = parseArgs({ options: { consoles: { type: 'string', default: '50' }, changes: { type: 'string', default: '100' } } });
const consoles = Number(values.consoles);
const changes = Number(values.changes);

const databaseUrl = await recreateDatabase('support_triage_bench_console_live', ADMIN_URL);
const service = await startAsInProduction({ DATABASE_URL: databaseUrl, RUN_WORKER: 'false' });
const pid = service.child.pid;
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();

/** RSS once it has settled: the lowest of 10 samples over 5 s after a pause (GC runs when idle). */
const idleRss = async () => {
  await sleep(5_000);
  let low = Infinity;
  for (let i = 0; i < 10; i++) {
    low = Math.min(low, rssMb(pid));
    await sleep(500);
  }
  return low;
};

const post = async (path: string, method: string, json: unknown) => {
  const res = await fetch(`${service.baseUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ id?: number }>;
};
const ids: number[] = [];
for (let i = 0; i < 20; i++) ids.push((await post('/api/v1/requests', 'POST', { subject: `Bench ticket ${i}`, body: 'A ticket for the live-update benchmark.', requester_email: `b${i}@example.com` })).id!);

console.error('bench: tickets created');
const beforeConsole = await idleRss();
console.error('bench: idle measured');

const cookies: string[] = [];
for (let i = 0; i < consoles; i++) {
  const token = newToken();
  await client.query(`insert into console_sessions (token_hash, user_id, user_name, role, csrf_token, expires_at) values ($1, $2, $3, 'agent', $4, now() + interval '1 hour')`, [hashToken(token), `UBENCH${i}`, `Bench ${i}`, newToken()]);
  cookies.push(`console_session=${token}`);
}
for (const path of ['/console', `/console/tickets/${ids[0]}`, '/console/search?q=bench', '/console/dashboard', '/console/health', '/console/saved-replies']) {
  const res = await fetch(`${service.baseUrl}${path}`, { headers: { cookie: cookies[0]! } });
  await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
}
const consoleUsed = await idleRss();

// Half the consoles on the inbox, half on a ticket page (presence rows too).
const streams: LiveStream[] = [];
for (let i = 0; i < consoles; i++) {
  const s = await openLiveStream(service.baseUrl, cookies[i], i % 2 ? `/console/live?ticket=${ids[0]}` : '/console/live');
  if (s.status !== 200) throw new Error(`stream ${i}: ${s.status}`);
  streams.push(s);
}
console.error('bench: streams open');
const withStreams = await idleRss();

const peak = sampleMax(() => rssMb(pid), 100);
const latencies: number[] = [];
for (let i = 0; i < changes; i++) {
  const assignee = `UCHANGE${i}`;
  const seen = streams.map((s) => s.events.length);
  await post(`/api/v1/requests/${ids[0]}`, 'PATCH', { assignee });
  const answered = performance.now();
  await Promise.all(streams.map((s, n) => s.next((e) => s.events.indexOf(e) >= seen[n]! && ticketSignal(e)?.kind === 'changed', `change ${i} on stream ${n}`)));
  latencies.push(performance.now() - answered);
}
const peakRss = peak.stop();
for (const s of streams) s.close();
await client.end();
await service.stop();

console.log(`${consoles} consoles with a live stream each (half on the inbox, half on one ticket's page); ${changes} REST changes one after the other.\n`);
const signed = (mb: number) => `${mb >= 0 ? '+' : ''}${mb.toFixed(1)} MB`;
const added = withStreams - beforeConsole;
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| change answered by REST → its event read on all ${consoles} streams: p50 / p95 / max | ${median(latencies).toFixed(1)} ms / ${percentile(latencies, 95).toFixed(1)} ms / ${Math.max(...latencies).toFixed(1)} ms |`);
console.log(`| idle RSS before the console is used | ${beforeConsole.toFixed(1)} MB |`);
console.log(`| idle RSS after each console page was served once | ${consoleUsed.toFixed(1)} MB (${signed(consoleUsed - beforeConsole)}) |`);
console.log(`| idle RSS with ${consoles} live streams open | ${withStreams.toFixed(1)} MB (${signed(added)} over the unused console) |`);
console.log(`| peak RSS during the changes | ${peakRss.toFixed(1)} MB |`);
console.log(`\ntarget: the console adds ≤ 15 MB RSS to an idle service (pages served, ${consoles} streams open): ${added <= 15 ? 'met' : 'NOT met'} (${signed(added)})`);
