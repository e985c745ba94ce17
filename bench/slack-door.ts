/**
 * Slack door benchmark: signed Events API deliveries (a customer of another workspace writing a new top-level
 * message in a Slack Connect intake channel, each a new ticket) against the real service on PostgreSQL,
 * started as its own process as `npm start` runs it, with the fake Slack serving the Web API. Then, with the
 * load over, the time from a message in the channel to its card in the triage/category channel.
 *
 *   node bench/slack-door.ts [--seconds 20] [--connections 50] [--cards 5] [--database support_triage_bench_slack_door]
 *
 * Slack's own ceiling is 30,000 events an hour per workspace (8.3/s).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { recreateDatabase } from '../test/kit/database.ts';
import { startFakeSlack } from '../test/kit/fake-slack.ts';
import { startAsInProduction } from '../test/kit/process.ts';
import { SLACK_SIGNING_SECRET, signSlack } from '../test/kit/signing.ts';
import { CHANNELS, slackEnv } from '../test/kit/slack.ts';
import { callback, INTAKE, messageEvent, nextTs, sendEvent } from '../test/kit/slack-events.ts';
import { ADMIN_URL, median } from './lib.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    cards: { type: 'string', default: '5' },
    database: { type: 'string', default: 'support_triage_bench_slack_door' },
    'admin-url': { type: 'string', default: ADMIN_URL },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const fake = await startFakeSlack();
const databaseUrl = await recreateDatabase(values.database!, values['admin-url']!);
const service = await startAsInProduction({
  DATABASE_URL: databaseUrl,
  ...slackEnv(fake),
  SLACK_SIGNING_SECRET,
  SLACK_INTAKE_CHANNELS: `${INTAKE.all}:all`,
});
const base = service.baseUrl;

let seq = 0;
/** Each delivery: another customer's first question (no grouping), signed now. */
function delivery(): { body: string; headers: Record<string, string> } {
  seq += 1;
  const body = JSON.stringify(callback(messageEvent({ user: `UB${seq.toString(36).toUpperCase().padStart(8, '0')}`, text: `Our export fails with error 500 since the update (${seq})`, ts: nextTs() })));
  return { body, headers: { 'content-type': 'application/json', ...signSlack(body) } };
}

// Message in the channel -> its card, on the idle service (one at a time, before the load).
const cardMs: number[] = [];
for (let i = 0; i < Number(values.cards); i += 1) {
  const event = messageEvent({ user: `UCARD${String(i).padStart(4, '0')}`, text: `Card timing ${i}: the billing page shows the wrong VAT number` });
  const started = Date.now();
  await sendEvent(base, callback(event));
  const key = `${INTAKE.all}/${event.ts}`;
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  for (;;) {
    const row = (await db.query(`select id from tickets where external_id = $1`, [key])).rows[0];
    const card = row && fake.messages.find((m) => m.metadata?.event_type === 'support_ticket_alert' && m.metadata.event_payload.ticket_id === row.id);
    if (card) {
      cardMs.push(card.postedAt - started);
      break;
    }
    if (Date.now() - started > 60_000) throw new Error('no card within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  await db.end();
}

const warmup = await autocannon({ url: `${base}/slack/events`, connections: 10, duration: 3, requests: [{ method: 'POST', setupRequest: (req: any) => ({ ...req, ...delivery() }) }] });
const result = await autocannon({ url: `${base}/slack/events`, connections, duration: seconds, requests: [{ method: 'POST', setupRequest: (req: any) => ({ ...req, ...delivery() }) }] });

await new Promise((r) => setTimeout(r, 1000));
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
const stored = Number((await db.query(`select count(*)::int as n from tickets where source = 'slack'`)).rows[0].n);
await db.end();
await service.stop();
await fake.close();

const ok = result['2xx'];
const rate = ok / seconds;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`| figure | value |`);
console.log(`|---|---|`);
console.log(`| signed Slack events accepted/s (each a new ticket; 2xx, mean over ${seconds} s) | ${fmt(rate)} (Slack's ceiling: 8.3/s, 30,000 an hour) |`);
console.log(`| latency p50 / p90 / p99 / max | ${result.latency.p50} / ${result.latency.p90} / ${result.latency.p99} / ${result.latency.max} ms |`);
console.log(`| message in the channel -> card in ${Object.keys(CHANNELS).join('/')} channel, idle service (median of ${cardMs.length}) | ${median(cardMs)} ms (all: ${cardMs.join(', ')}) |`);
console.log(`| connections | ${connections} |`);
console.log(`| non-2xx / errors / timeouts | ${result.non2xx} / ${result.errors} / ${result.timeouts} |`);
console.log(`| 2xx answered (run + warm-up + card timing) / slack tickets stored | ${fmt(ok + warmup['2xx'] + cardMs.length)} / ${fmt(stored)} |`);
console.log('');
console.log(`${new Date().toISOString()} · node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores) · ${os.platform()} ${os.arch()} · PostgreSQL at ${new URL(databaseUrl).host}`);
if (stored < ok + warmup['2xx'] + cardMs.length) {
  console.error(`LOST: ${ok + warmup['2xx'] + cardMs.length} acknowledged but ${stored} stored`);
  process.exitCode = 1;
}
