/**
 * Webhook benchmark: signed Zendesk ticket.created deliveries (event-subscription envelope, each a new ticket)
 * against the real service on PostgreSQL, started as its own process exactly as `npm start` runs it.
 *
 *   node bench/webhooks.ts [--seconds 20] [--connections 50] [--database support_triage_bench_webhooks]
 *                          [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--worker true|false]
 *
 * Creates (drops first) the bench database, runs autocannon, checks that every 2xx left exactly one stored
 * ticket, prints a Markdown row set. Target (issue 5): >= 1,500 deliveries/s with p99 <= 50 ms.
 */
import { createHmac } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { recreateDatabase } from '../test/kit/database.ts';
import { startAsInProduction } from '../test/kit/process.ts';
import { ADMIN_URL } from './lib.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    database: { type: 'string', default: 'support_triage_bench_webhooks' },
    'admin-url': { type: 'string', default: ADMIN_URL },
    worker: { type: 'string', default: 'true' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const SECRET = 'bench-zendesk-signing-secret';

const databaseUrl = await recreateDatabase(values.database!, values['admin-url']!);
const service = await startAsInProduction({
  API_KEYS: 'bench-key',
  DATABASE_URL: databaseUrl,
  RUN_WORKER: values.worker!,
  ZENDESK_WEBHOOK_SECRET: SECRET,
});
const base = service.baseUrl;

let seq = 0;
const runId = Date.now().toString(36);
function delivery(): { body: string; headers: Record<string, string> } {
  const id = `${runId}${(seq++).toString(36)}`;
  const body = JSON.stringify({
    account_id: 22129848,
    detail: {
      id,
      subject: `Cannot log in after password reset (${id})`,
      description: '<p>Hi team,</p><p>Since resetting my password I get <b>"Invalid credentials"</b> on every login. I tried two browsers and cleared the cache.</p>',
      priority: 'HIGH',
      status: 'NEW',
      tags: ['login', 'vip'],
      created_at: new Date().toISOString(),
      requester_id: '8447388090494',
      via: { channel: 'web_form' },
    },
    event: {},
    id: `evt-${id}`,
    subject: `zen:ticket:${id}`,
    time: new Date().toISOString(),
    type: 'zen:event-type:ticket.created',
    zendesk_event_version: '2022-11-06',
  });
  const ts = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature-timestamp': ts,
      'x-zendesk-webhook-signature': createHmac('sha256', SECRET).update(ts + body).digest('base64'),
    },
  };
}

// Warm-up (JIT, connection pool), not counted.
const warmup = await autocannon({ url: `${base}/webhooks/zendesk`, connections: 10, duration: 3, requests: [{ method: 'POST', setupRequest: (req: any) => ({ ...req, ...delivery() }) }] });

const result = await autocannon({
  url: `${base}/webhooks/zendesk`,
  connections,
  duration: seconds,
  requests: [{ method: 'POST', setupRequest: (req: any) => ({ ...req, ...delivery() }) }],
});

// The same service, right after: REST ticket creation with a comparable ticket, for the figure beside it
// (warmed up the same way).
const restOptions = (duration: number, conns: number): autocannon.Options => ({
  url: `${base}/api/v1/requests`,
  connections: conns,
  duration,
  headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
  requests: [
    {
      method: 'POST' as const,
      setupRequest: (req: any) => ({
        ...req,
        body: JSON.stringify({
          subject: `Cannot log in after password reset (${seq++})`,
          body: 'Hi team, since resetting my password I get "Invalid credentials" on every login. I tried two browsers and cleared the cache.',
          requester_email: 'ana.lima@example.com',
        }),
      }),
    },
  ],
});
await autocannon(restOptions(3, 10));
const rest = await autocannon(restOptions(seconds, connections));

// Requests still in flight when autocannon stops are finished by the server; let them land before counting.
await new Promise((r) => setTimeout(r, 1000));
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
const stored = Number((await db.query(`select count(*)::int as n from tickets where source = 'zendesk'`)).rows[0].n);
const audited = Number((await db.query(`select count(*)::int as n from inbound_events where source = 'zendesk' and verdict = 'accepted'`)).rows[0].n);
await db.end();
await service.stop();

const ok = result['2xx'];
const rate = ok / seconds;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`| figure | value |`);
console.log(`|---|---|`);
console.log(`| signed Zendesk deliveries/s (2xx, mean over ${seconds} s) | ${fmt(rate)} |`);
console.log(`| latency p50 / p90 / p99 / max | ${result.latency.p50} / ${result.latency.p90} / ${result.latency.p99} / ${result.latency.max} ms |`);
console.log(`| same run, REST POST /api/v1/requests: tickets/s, p99 | ${fmt(rest['2xx'] / seconds)}, ${rest.latency.p99} ms (non-2xx ${rest.non2xx}) |`);
console.log(`| connections | ${connections} |`);
console.log(`| non-2xx / errors / timeouts | ${result.non2xx} / ${result.errors} / ${result.timeouts} |`);
console.log(`| Zendesk 2xx answered (run + warm-up) / zendesk tickets stored / accepted audit rows | ${fmt(ok + warmup['2xx'])} / ${fmt(stored)} / ${fmt(audited)} |`);
console.log(`| classify worker in the same process | ${values.worker} |`);
console.log('');
console.log(`${new Date().toISOString()} · node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores) · ${os.platform()} ${os.arch()} · PostgreSQL at ${new URL(databaseUrl).host}`);
console.log(`target: >= 1,500/s and p99 <= 50 ms -> ${rate >= 1500 && result.latency.p99 <= 50 ? 'met' : 'NOT met'}`);
// Every acknowledged delivery must be stored (aborted in-flight requests may add a few more).
if (stored < ok + warmup['2xx']) {
  console.error(`LOST: ${ok + warmup['2xx']} acknowledged but ${stored} stored`);
  process.exitCode = 1;
}
