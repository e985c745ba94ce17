/**
 * Slack alert benchmark: tickets over three channels, delivered through the real service (createService:
 * ingest -> classify job -> ticketClassified -> slack-alert job -> per-channel pacer -> Web API client) to the
 * fake Slack Web API on 127.0.0.1.
 *
 *   node bench/slack.ts [--tickets 1000] [--pace-ms 20] [--steady 90] [--steady-rate 2.4] [--classify-concurrency 4]
 *                       [--db postgres|pglite] [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * Burst: all tickets arrive at once; Slack allows ~1 message/s per channel, so at the real pace 1,000 alerts
 * take ~5.5 minutes. The burst therefore runs at a scaled pace (--pace-ms, default 20 ms = 50x) and the
 * real-pace figures are projected (queueing delay scales with the pace). Steady: --steady tickets at
 * --steady-rate per second (below the 3 msg/s the three channels allow) at the REAL pace of 1,000 ms.
 * Checks: exactly one alert per ticket, order and minimum spacing per channel. Rate-limit episode:
 * --episode-alerts tickets (default 30) while Slack answers every call 429 Retry-After: 2 for
 * --episode-seconds (default 20), at the real pace: Web API calls that reached Slack during the episode
 * (per method) and the time from its end until every alert was posted. Prints Markdown.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import type { Category } from '../src/domain/categories.ts';
import { createService, type Service } from '../src/service.ts';
import { startFakeSlack, type FakeSlack } from '../test/kit/fake-slack.ts';
import { recreateDatabase } from '../test/kit/database.ts';
import { machine, markerClassifier, median, percentile } from './lib.ts';
import { setStatus } from '../src/ingest/changes.ts';

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '1000' },
    'pace-ms': { type: 'string', default: '20' },
    steady: { type: 'string', default: '90' },
    'steady-rate': { type: 'string', default: '2.4' },
    'classify-concurrency': { type: 'string', default: '4' },
    db: { type: 'string', default: 'postgres' },
    'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    'episode-alerts': { type: 'string', default: '30' },
    'episode-seconds': { type: 'string', default: '20' },
    flood: { type: 'string', default: '2000' },
    'flood-seconds': { type: 'string', default: '300' },
    'flood-wait': { type: 'string', default: '720' },
    'flood-only': { type: 'boolean', default: false },
  },
});

const CHANNELS: Record<Category, string> = { technical: 'CBENCHTEC', billing: 'CBENCHBIL', general: 'CBENCHGEN' };
const CATS = Object.keys(CHANNELS) as Category[];

// "[cat=general conf=0.3]" in a body: below the threshold, so the alert goes to triage (the flood's near-duplicates).
const classifier = markerClassifier;

async function boot(fake: FakeSlack, paceMs: number, label: string): Promise<Service> {
  const dbUrl = values.db === 'postgres' ? await recreateDatabase(`support_triage_bench_slack_${label}`, values['admin-url']!) : undefined;
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', PGLITE_DATA_DIR: 'memory://',
    ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
    SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: 'bench', SLACK_API_URL: fake.apiUrl,
    SLACK_CHANNEL_TECHNICAL: CHANNELS.technical, SLACK_CHANNEL_BILLING: CHANNELS.billing,
    SLACK_CHANNEL_GENERAL: CHANNELS.general, SLACK_CHANNEL_TRIAGE: 'CBENCHTRI',
    WORKER_CONCURRENCY: values['classify-concurrency'],
  });
  const service = await createService(config, { classifier, slackPaceMs: paceMs });
  await service.start();
  return service;
}

interface Result {
  n: number; seconds: number; delays: number[]; duplicates: number; missing: number; minGapMs: number;
  orderViolations: number; maxInversionMs: number;
  /** Simulated post times at Slack's real pace of 1 per 1,000 ms per channel (see projectRealPace). */
  projectedDelays: number[];
}

/**
 * Replays the burst at Slack's real pace: per channel, in the measured posting order, a post goes out at
 * max(its classification + the fastest measured classification-to-post time, previous post + 1,000 ms).
 */
function projectRealPace(rows: { channel: string; classifiedAt: number; delay: number }[]): number[] {
  const floor = Math.min(...rows.map((r) => r.delay));
  const out: number[] = [];
  for (const channel of new Set(rows.map((r) => r.channel))) {
    let last = -Infinity;
    for (const r of rows.filter((x) => x.channel === channel)) {
      last = Math.max(r.classifiedAt + floor, last + 1000);
      out.push(last - r.classifiedAt);
    }
  }
  return out;
}

async function measure(service: Service, fake: FakeSlack, ids: number[], startedAt: number): Promise<Result> {
  const want = new Set(ids);
  const deadline = Date.now() + 30 * 60_000;
  const alerts = () => fake.messages.filter((m) => m.metadata?.event_type === 'support_ticket_alert' && want.has(Number(m.metadata.event_payload.ticket_id)));
  while (new Set(alerts().map((m) => m.metadata!.event_payload.ticket_id)).size < want.size && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const done = Date.now();
  const posted = alerts();
  const perTicket = new Map<number, number>();
  for (const m of posted) perTicket.set(Number(m.metadata!.event_payload.ticket_id), (perTicket.get(Number(m.metadata!.event_payload.ticket_id)) ?? 0) + 1);
  const classifiedAt = new Map(
    (await service.db.sql.query<{ ticket_id: number; ms: string }>(
      `select ticket_id, extract(epoch from min(created_at)) * 1000 as ms from classifications where ticket_id = any($1::int[]) group by ticket_id`,
      [ids],
    )).map((r) => [Number(r.ticket_id), Number(r.ms)]),
  );
  const delays = posted.map((m) => m.postedAt - classifiedAt.get(Number(m.metadata!.event_payload.ticket_id))!);
  // Per channel: spacing between consecutive posts, and order vs. the alert jobs' creation order.
  let minGapMs = Infinity;
  let orderViolations = 0;
  let maxInversionMs = 0;
  const jobOrder = new Map(
    // The order alerts were enqueued in (job data `seq`, taken inside the classification transaction).
    (await service.db.sql.query<{ ticket_id: string; seq: string }>(
      `select data->>'ticketId' as ticket_id, min((data->>'seq')::float8) as seq from pgboss.job where name = 'slack-alert' group by 1`,
    )).map((r) => [Number(r.ticket_id), Number(r.seq)]),
  );
  for (const channel of Object.values(CHANNELS)) {
    const msgs = posted.filter((m) => m.channel === channel);
    for (let i = 1; i < msgs.length; i += 1) {
      minGapMs = Math.min(minGapMs, msgs[i]!.postedAt - msgs[i - 1]!.postedAt);
      const a = jobOrder.get(Number(msgs[i - 1]!.metadata!.event_payload.ticket_id)) ?? 0;
      const b = jobOrder.get(Number(msgs[i]!.metadata!.event_payload.ticket_id)) ?? 0;
      if (b < a) {
        orderViolations += 1;
        maxInversionMs = Math.max(maxInversionMs, a - b);
      }
    }
  }
  return {
    n: ids.length,
    seconds: (done - startedAt) / 1000,
    delays,
    duplicates: [...perTicket.values()].filter((c) => c > 1).length,
    missing: ids.filter((id) => !perTicket.has(id)).length,
    minGapMs,
    orderViolations,
    maxInversionMs,
    projectedDelays: projectRealPace(
      posted.map((m) => {
        const at = classifiedAt.get(Number(m.metadata!.event_payload.ticket_id))!;
        return { channel: m.channel, classifiedAt: at, delay: m.postedAt - at };
      }),
    ),
  };
}

async function burst(n: number, paceMs: number): Promise<Result> {
  const fake = await startFakeSlack();
  const service = await boot(fake, paceMs, 'burst');
  try {
    const started = Date.now();
    const ids: number[] = [];
    for (let i = 0; i < n; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, n - i) }, (_, k) =>
          service.ingest({ source: 'api', externalId: `bench-${i + k}`, subject: `Bench ticket ${i + k}`, body: `Bench ticket body number ${i + k} [cat=${CATS[(i + k) % 3]}]` }),
        ),
      );
      ids.push(...batch.map((r) => r.ticketId));
    }
    return await measure(service, fake, ids, started);
  } finally {
    await service.stop();
    await fake.close();
  }
}

async function steady(n: number, ratePerSec: number): Promise<Result> {
  const fake = await startFakeSlack();
  const service = await boot(fake, 1000, 'steady');
  try {
    const started = Date.now();
    const ids: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const next = started + (i * 1000) / ratePerSec;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      ids.push((await service.ingest({ source: 'api', externalId: `steady-${i}`, body: `Steady ticket number ${i} [cat=${CATS[i % 3]}]` })).ticketId);
    }
    return await measure(service, fake, ids, started);
  } finally {
    await service.stop();
    await fake.close();
  }
}

/** N alerts classified while Slack answers 429 Retry-After: 2 to every call; the episode then ends. */
async function episode(n: number, seconds: number) {
  const fake = await startFakeSlack();
  const service = await boot(fake, 1000, 'episode');
  try {
    const ready = Date.now() + 30_000;
    while (fake.callsTo('auth.test').length === 0 && Date.now() < ready) await new Promise((r) => setTimeout(r, 100));
    fake.setOutage({ kind: 'rate_limited', retryAfter: 2 });
    const from = Date.now();
    const ids: number[] = [];
    for (let i = 0; i < n; i += 1) {
      ids.push((await service.ingest({ source: 'api', externalId: `episode-${i}`, body: `Episode ticket ${i} [cat=${CATS[i % 3]}]` })).ticketId);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, from + seconds * 1000 - Date.now())));
    fake.setOutage(undefined);
    const to = Date.now();
    const perMethod: Record<string, number> = {};
    for (const c of fake.calls) if (c.at >= from && c.at <= to) perMethod[c.method] = (perMethod[c.method] ?? 0) + 1;
    const r = await measure(service, fake, ids, to);
    return { n, seconds, perMethod, total: Object.values(perMethod).reduce((a, b) => a + b, 0), afterS: r.seconds, duplicates: r.duplicates, missing: r.missing };
  } finally {
    await service.stop();
    await fake.close();
  }
}


/**
 * A flood at Slack's real limits, against a fake Slack that ENFORCES them (429 + Retry-After beyond them):
 * `n` tickets over `seconds` (70% near-duplicates of one problem, classified below the confidence threshold,
 * so they go to triage; the rest spread over the three channels), every fifth resolved 20 s after it
 * arrived (a card edit). Measured `wait` seconds after the start: Slack's 429 answers, arrival-to-alert p50 and
 * p99 of the tickets alerted, tickets without an alert, cards whose status differs from their ticket's, and
 * the depth of the alert queue (jobs waiting plus posts queued in the channels) every 10 s.
 */
async function flood(n: number, seconds: number, waitS: number) {
  const fake = await startFakeSlack();
  fake.enforceLimits();
  const service = await boot(fake, 1000, 'flood');
  const depth: Array<[number, number]> = [];
  try {
    const started = Date.now();
    const arrived = new Map<number, number>();
    const sampler = setInterval(() => {
      void service.queue.backlog('slack-alert').then((queued) => depth.push([Math.round((Date.now() - started) / 1000), queued]));
    }, 10_000);
    const resolves: Promise<unknown>[] = [];
    for (let i = 0; i < n; i += 1) {
      const next = started + (i * seconds * 1000) / n;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      const dup = i % 10 < 7;
      const body = dup
        ? `Cannot log in since 10:02, the login page says invalid session (customer ${i}) [cat=general conf=0.3]`
        : `Unrelated question number ${i} [cat=${CATS[i % 3]}]`;
      const { ticketId } = await service.ingest({ source: 'api', externalId: `flood-${i}`, subject: dup ? 'Cannot log in' : `Question ${i}`, body });
      arrived.set(ticketId, Date.now());
      if (i % 5 === 0) {
        resolves.push(new Promise((r) => setTimeout(r, 20_000)).then(() => setStatus({ db: service.db, ticketEvents: service.ticketEvents }, ticketId, 'resolved', 'api')));
      }
    }
    await Promise.all(resolves);
    await new Promise((r) => setTimeout(r, Math.max(0, started + waitS * 1000 - Date.now())));
    clearInterval(sampler);
    const alerts = fake.messages.filter((m) => m.metadata?.event_type === 'support_ticket_alert');
    const delays = alerts.map((m) => m.postedAt - arrived.get(Number(m.metadata!.event_payload.ticket_id))!).filter((d) => Number.isFinite(d));
    const statuses = new Map((await service.db.sql.query<{ id: number; status: string }>('select id, status from tickets')).map((r) => [Number(r.id), r.status]));
    let stale = 0;
    for (const m of alerts) {
      const want = statuses.get(Number(m.metadata!.event_payload.ticket_id));
      if (!JSON.stringify(m.blocks).includes(`*Status*\\n${want}`)) stale += 1;
    }
    const perMethod: Record<string, number> = {};
    for (const c of fake.limited) perMethod[c.method] = (perMethod[c.method] ?? 0) + 1;
    return {
      n, seconds, waitS, limited: fake.limited.length, perMethod, alerted: alerts.length, delays, stale,
      updates: fake.callsTo('chat.update').length - fake.limited.filter((c) => c.method === 'chat.update').length,
      triage: alerts.filter((m) => m.channel === 'CBENCHTRI').length, depth,
    };
  } finally {
    await service.stop();
    await fake.close();
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const paceMs = Number(values['pace-ms']);
if (values['flood-only']) {
  const f = await flood(Number(values.flood), Number(values['flood-seconds']), Number(values['flood-wait']));
  console.log(`## Flood at Slack's limits (fake Slack enforcing them)\n\n${new Date().toISOString()} · ${machine()} · database ${values.db}\n`);
  console.log(`command: node bench/slack.ts --flood-only --flood ${f.n} --flood-seconds ${f.seconds} --flood-wait ${f.waitS} --db ${values.db}\n`);
  console.log('| tickets | over | measured at | 429 from Slack | alerted | of them triage | arrival→alert p50 | p99 | without an alert | stale cards | chat.update sent |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  console.log(`| ${f.n} | ${f.seconds} s | ${f.waitS} s | ${f.limited} ${JSON.stringify(f.perMethod)} | ${f.alerted} | ${f.triage} | ${s(median(f.delays))} | ${s(percentile(f.delays, 99))} | ${f.n - f.alerted} | ${f.stale} | ${f.updates} |`);
  console.log(`\nalert jobs waiting (s: jobs): ${f.depth.map(([t, q]) => `${t}: ${q}`).join(', ')}`);
  process.exit(0);
}
const n = Number(values.tickets);
console.log(`# Slack alert benchmark\n\n${new Date().toISOString()} · ${machine()} · database ${values.db}\n`);
console.log(`command: node bench/slack.ts --tickets ${n} --pace-ms ${paceMs} --steady ${values.steady} --steady-rate ${values['steady-rate']} --classify-concurrency ${values['classify-concurrency']} --db ${values.db}\n`);
console.log('| scenario | tickets | pace / channel | wall time | alerts/s | duplicates | missing | min gap in a channel | order inversions (max) | delay p50 | delay p99 |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
const b = await burst(n, paceMs);
const inv = (r: Result) => `${r.orderViolations} (${r.maxInversionMs.toFixed(0)} ms)`;
console.log(`| burst (scaled) | ${b.n} | 1 per ${paceMs} ms | ${b.seconds.toFixed(1)} s | ${(b.n / b.seconds).toFixed(1)} | ${b.duplicates} | ${b.missing} | ${b.minGapMs} ms | ${inv(b)} | ${s(median(b.delays))} | ${s(percentile(b.delays, 99))} |`);
const proj = b.projectedDelays;
console.log(`| same burst, replayed at Slack's 1/s per channel | ${b.n} | 1 per 1000 ms | ~${(Math.max(...proj) / 1000).toFixed(0)} s | ~${(b.n / (Math.max(...proj) / 1000)).toFixed(1)} | | | 1000 ms | | ~${s(median(proj))} | ~${s(percentile(proj, 99))} |`);
if (Number(values.steady) > 0) {
  const st = await steady(Number(values.steady), Number(values['steady-rate']));
  console.log(`| steady ${values['steady-rate']}/s (real pace) | ${st.n} | 1 per 1000 ms | ${st.seconds.toFixed(1)} s | ${(st.n / st.seconds).toFixed(2)} | ${st.duplicates} | ${st.missing} | ${st.minGapMs} ms | ${inv(st)} | ${s(median(st.delays))} | ${s(percentile(st.delays, 99))} |`);
}
const ep = await episode(Number(values['episode-alerts']), Number(values['episode-seconds']));
console.log(`\n## Rate-limit episode\n\nSlack answers every Web API call 429 Retry-After: 2 for ${ep.seconds} s while ${ep.n} tickets are classified (three channels, real pace).\n`);
console.log('| alerts pending | episode | Web API calls that reached Slack during it | per method | all alerts posted after the episode | duplicates | missing |');
console.log('|---|---|---|---|---|---|---|');
console.log(`| ${ep.n} | ${ep.seconds} s | ${ep.total} | ${Object.entries(ep.perMethod).map(([m, c]) => `${m} ${c}`).join(', ')} | ${ep.afterS.toFixed(1)} s | ${ep.duplicates} | ${ep.missing} |`);
process.exit(0);
