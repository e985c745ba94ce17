/**
 * Privacy at scale (issue 21), on PostgreSQL with the service as its own process (`npm start`'s flags, API key,
 * worker in process): REST ticket creation under load with retention off, then the same load while the day's
 * retention run works through 1,000,000 tickets and 5,000,000 audit rows (old resolved tickets anonymised, old
 * deliveries deleted), side by side; then the time to erase one person who has 1,000 tickets.
 *   node bench/privacy.ts [--tickets 1000000] [--audit 5000000] [--old 40000] [--seconds 15] [--connections 20]
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { recreateDatabase } from '../test/kit/database.ts';
import { killAllServices, startAsInProduction } from '../test/kit/process.ts';
import { ADMIN_URL } from './lib.ts';

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '1000000' }, audit: { type: 'string', default: '5000000' }, old: { type: 'string', default: '40000' },
    seconds: { type: 'string', default: '15' }, connections: { type: 'string', default: '20' },
  },
});
const tickets = Number(values.tickets);
const auditRows = Number(values.audit);
const old = Number(values.old);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const PERSON = 'erase.me@bench-privacy.test';
const KEY = 'bench-privacy-admin-key-0123456789';
const OFF = { RETENTION_INBOUND_EVENTS_DAYS: '0', RETENTION_RESOLVED_TICKETS_DAYS: '0', RETENTION_DEAD_LETTERS_DAYS: '0', RETENTION_SESSIONS_DAYS: '0' };
const ON = { RETENTION_INBOUND_EVENTS_DAYS: '30', RETENTION_RESOLVED_TICKETS_DAYS: '90', RETENTION_RESOLVED_TICKETS_MODE: 'anonymise', RETENTION_CHECK_MINUTES: '1440' };

// A run that fails half-way must not leave its services running (they hold the database and their ports):
// the kill is sent synchronously as the process exits, however it exits.
process.once('exit', () => void killAllServices());

const databaseUrl = await recreateDatabase('support_triage_bench_privacy', ADMIN_URL);
const base = { DATABASE_URL: databaseUrl, API_KEYS: KEY, API_ADMIN_KEYS: KEY };
const client = new pg.Client({ connectionString: databaseUrl });

// The schema (a first start migrates), then the data straight into PostgreSQL.
const setup = await startAsInProduction({ ...base, ...OFF, RUN_WORKER: 'false' });
await client.connect();
const loadStart = performance.now();
for (let done = 0; done < tickets; done += 100_000) {
  const n = Math.min(100_000, tickets - done);
  // The first `old` tickets are resolved and untouched for 200 days (retention's share); the rest are younger.
  await client.query(
    `insert into tickets (source, subject, body, requester_email, requester_name, status, priority, category, confidence, classifier, created_at, updated_at)
     select 'api', 'Subject ' || g, 'Body of ticket ' || g || ': the invoice page shows an error since this morning.',
            'customer' || (g % 50000) || '@bench-privacy.test', 'Customer ' || (g % 50000),
            case when g <= $3 or g % 3 = 0 then 'resolved' else 'open' end, 'medium', 'billing', 0.9, 'local',
            now() - (case when g <= $3 then 200 else g % 80 end || ' days')::interval,
            now() - (case when g <= $3 then 200 else g % 80 end || ' days')::interval
       from generate_series($1::int, $2::int) g`,
    [done + 1, done + n, old],
  );
}
// A delivery per ticket of the last 60 days' first 200,000 (half of them past the 30-day retention).
const deliveries = await client.query(
  `insert into inbound_events (source, delivery_id, verdict, ticket_id, size, payload, created_at)
   select 'api', 'd' || id, 'accepted', id, 200, '{"subject":"Subject"}', created_at from tickets where id > $1 and id <= $1 + 200000 and created_at > now() - interval '60 days'`,
  [old],
);
for (let done = 0; done < auditRows; done += 1_000_000) {
  const n = Math.min(1_000_000, auditRows - done);
  await client.query(
    `insert into audit_entries (actor, action, ticket_id, before, after, created_at)
     select 'api-key:3f2a9c01b7de', 'status', 1 + (g % $3), '{"status":"open"}', '{"status":"acknowledged"}', now() - ((g % 90) || ' days')::interval
       from generate_series($1::int, $2::int) g`,
    [done + 1, done + n, tickets],
  );
}
// One person with 1,000 tickets, each with its delivery.
await client.query(
  `with t as (
     insert into tickets (source, subject, body, requester_email, requester_name, status, priority, category, confidence, classifier)
     select 'api', 'Refund ' || g, 'Please refund order ' || g || '. Erin Erase', $1, 'Erin Erase', 'open', 'high', 'billing', 0.9, 'local' from generate_series(1, 1000) g
     returning id)
   insert into inbound_events (source, delivery_id, verdict, ticket_id, size, payload) select 'api', 'p' || id, 'accepted', id, 100, '{"from":"${PERSON}"}' from t`,
  [PERSON],
);
await client.query('analyze');
const loadSeconds = (performance.now() - loadStart) / 1000;
await setup.stop();

async function load(env: Record<string, string>, during?: (url: string) => Promise<void>) {
  const service = await startAsInProduction({ ...base, ...env });
  // Three seconds of the same load first, unmeasured: both runs start from a warm process (compiled code, caches).
  const request = {
    url: `${service.baseUrl}/api/v1/requests`, method: 'POST' as const, connections,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ subject: 'Dashboard error 502', body: 'The dashboard shows error 502 since this morning.', requester_email: 'load@example.com' }),
  };
  await autocannon({ ...request, duration: 3 });
  const result = await autocannon({ ...request, duration: seconds });
  await during?.(service.baseUrl);
  return { service, rps: result['2xx'] / seconds, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx };
}

const retentionDone = async () => Number((await client.query(`select count(*) as n from retention_runs where state = 'done'`)).rows[0].n);
const quiet = await load(OFF);
await quiet.service.stop();

const retentionStart = Date.now();
const busy = await load(ON);
const runningAfterLoad = (await retentionDone()) < 4;
while ((await retentionDone()) < 4) await new Promise((r) => setTimeout(r, 250));
const retentionSeconds = (Date.now() - retentionStart) / 1000;
const removed = Object.fromEntries(
  (await client.query(`select after->>'kind' as kind, (after->>'removed')::int as n from audit_entries where action = 'retention'`)).rows.map((r) => [r.kind, Number(r.n)]),
);

const eraseStart = performance.now();
const erased = await fetch(`${busy.service.baseUrl}/api/v1/privacy/erasures`, {
  method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ kind: 'email', value: PERSON, mode: 'anonymise' }),
});
const eraseMs = performance.now() - eraseStart;
const outcome = (await erased.json()) as { tickets: number; state: string };
if (erased.status !== 201 || outcome.tickets !== 1000 || outcome.state !== 'done') throw new Error(`erasure: ${erased.status} ${JSON.stringify(outcome)}`);
await busy.service.stop();
await client.end();

const ms = (n: number) => `${n.toFixed(0)} ms`;
console.log(`Data: ${tickets.toLocaleString('en-US')} tickets (${old.toLocaleString('en-US')} resolved 200 days ago), ${auditRows.toLocaleString('en-US')} audit rows, ${(deliveries.rowCount ?? 0).toLocaleString('en-US')} deliveries; loaded in ${loadSeconds.toFixed(0)} s.\n`);
console.log(`| POST /api/v1/requests, ${connections} connections, ${seconds} s | retention off | during the retention run | ratio |`);
console.log('|---|---|---|---|');
console.log(`| tickets/s | ${quiet.rps.toFixed(0)} | ${busy.rps.toFixed(0)} | ${(busy.rps / quiet.rps).toFixed(2)} |`);
console.log(`| p50 | ${ms(quiet.p50)} | ${ms(busy.p50)} | ${(busy.p50 / quiet.p50).toFixed(2)} |`);
console.log(`| p99 | ${ms(quiet.p99)} | ${ms(busy.p99)} | ${(busy.p99 / quiet.p99).toFixed(2)} |`);
console.log(`| non-2xx | ${quiet.non2xx} | ${busy.non2xx} | |`);
console.log(`\nThe retention run took ${retentionSeconds.toFixed(0)} s from the service's start command (${runningAfterLoad ? 'still running when the load ended: the whole load window overlapped it' : 'it ended before the load did'}); removed: ${JSON.stringify(removed)}.`);
console.log(`Erasing one person with 1,000 tickets (anonymise, POST /api/v1/privacy/erasures, answered when done): ${ms(eraseMs)}.`);
console.log(`\ntarget: p99 during retention within 20% of without -> ${busy.p99 <= quiet.p99 * 1.2 ? 'met' : 'NOT met'}`);
