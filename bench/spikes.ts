/**
 * When everyone writes at once (issue 22): the service as in production with INCIDENTS_ENABLED=true (Slack budgets on)
 * against a fake Slack that ENFORCES Slack's published limits (429 + Retry-After beyond them), at Slack's real
 * pace, on PostgreSQL. Two replays, each on a fresh database:
 *   burst  2,000 tickets over 5 minutes, 70% near-duplicates of one problem (each customer's own words,
 *          classified below the confidence threshold, as the issue measured them), 30% unrelated tickets
 *          over the three categories;
 *   peak   100,000 tickets a day with a 10x peak hour: 11.6 tickets a second for 3 minutes (2,088), 10%
 *          near-duplicates of one problem, the rest unrelated.
 * In both, every fifth ticket is resolved 20 s after it arrived (a card edit). Reported: Slack's 429 answers,
 * arrival to Slack presence (the ticket's own card posted, a waiting list naming it posted, or the incident card
 * posted or edited after the ticket joined it) p50 / p99, tickets without a presence when measured, cards whose final state differs from
 * their ticket (own cards: status; incident cards: their counts), and the Slack queues' depth over time.
 *   node bench/spikes.ts [--only burst|peak] [--wait 240] [--scale 1] [--admin-url postgres://...]
 * --scale shortens both replays (tickets and duration alike; a quick look, not the issue's figures).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import type { Category } from '../src/domain/categories.ts';
import { setStatus } from '../src/ingest/changes.ts';
import { createService, type Service } from '../src/service.ts';
import { SLACK_QUEUES } from '../src/db/queue-registry.ts';
import { recreateDatabase } from '../test/kit/database.ts';
import { startFakeSlack, type FakeSlack } from '../test/kit/fake-slack.ts';
import { ADMIN_URL, machine, markerClassifier, median, percentile, seededRandom } from './lib.ts';

const { values } = parseArgs({ options: { only: { type: 'string' }, wait: { type: 'string', default: '240' }, scale: { type: 'string', default: '1' }, 'admin-url': { type: 'string', default: ADMIN_URL } } });

const CHANNELS: Record<Category, string> = { technical: 'CSPIKETEC', billing: 'CSPIKEBIL', general: 'CSPIKEGEN' };
const CATS = Object.keys(CHANNELS) as Category[];

// The same replay on every run.
const random = seededRandom(22);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
const maybe = (s: string) => (random() < 0.5 ? s : '');

/** One customer's report of the login outage, in their own words. */
function nearDuplicate(i: number): string {
  return [
    pick(['Hi,', 'Hello,', 'Dear support,', 'Good morning,', '']),
    pick(['Since this morning', 'Since about 10:00', 'For the last hour']),
    pick(['I cannot log in to the dashboard', 'I am unable to log in to the dashboard', 'I cannot sign in to the dashboard']),
    ': after I enter my password the page says "invalid session" and sends me back to the login form.',
    maybe('I tried another browser and cleared my cookies, same result.'),
    maybe('The whole team is affected.'),
    `Account ${10_000 + i}.`, pick(['Thanks,', 'Regards,', 'Best,']), pick(['Ana', 'Ben', 'Chen', 'Dara', 'Emil', 'Fatou', 'Gita', 'Hugo']),
    '[cat=technical conf=0.3]',
  ].filter(Boolean).join(' ');
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'po', 'da', 'fe', 'gu', 'hi', 'jo', 'be'];
const VOCABULARY = Array.from({ length: 800 }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(SYLLABLES)).join(''));
/** A ticket about something else: 25 words drawn at random, so no two are alike. */
const unrelated = (i: number) => `${Array.from({ length: 25 }, () => pick(VOCABULARY)).join(' ')} [cat=${CATS[i % 3]} conf=0.9]`;

async function boot(fake: FakeSlack, label: string): Promise<Service> {
  const dbUrl = await recreateDatabase(`support_triage_bench_spikes_${label}`, values['admin-url']!);
  const config = loadConfig({
    NODE_ENV: 'production', API_KEYS: 'bench-key-0123456789', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: dbUrl,
    SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: 'bench', SLACK_API_URL: fake.apiUrl,
    SLACK_CHANNEL_TECHNICAL: CHANNELS.technical, SLACK_CHANNEL_BILLING: CHANNELS.billing,
    SLACK_CHANNEL_GENERAL: CHANNELS.general, SLACK_CHANNEL_TRIAGE: 'CSPIKETRI',
    // What the issue asks of a team expecting floods; off by default.
    INCIDENTS_ENABLED: 'true',
  });
  const service = await createService(config, { classifier: markerClassifier });
  await service.start();
  return service;
}

interface Replay { label: string; n: number; seconds: number; dupShare: number }

async function replay({ label, n, seconds, dupShare }: Replay, waitS: number) {
  const fake = await startFakeSlack();
  fake.enforceLimits();
  const service = await boot(fake, label);
  const depth: string[] = [];
  try {
    const started = Date.now();
    const arrived = new Map<number, number>();
    const sampler = setInterval(() => {
      void Promise.all([service.queue.backlog(SLACK_QUEUES.alert), service.queue.backlog(SLACK_QUEUES.card), service.queue.backlog(SLACK_QUEUES.incidentCard)])
        .then(([a, c, i]) => depth.push(`${Math.round((Date.now() - started) / 1000)}: ${a}/${c}/${i}`));
    }, 15_000);
    const resolves: Promise<unknown>[] = [];
    for (let i = 0; i < n; i += 1) {
      await new Promise((r) => setTimeout(r, Math.max(0, started + (i * seconds * 1000) / n - Date.now())));
      const dup = random() < dupShare;
      const { ticketId } = await service.ingest({ source: 'api', externalId: `${label}-${i}`, subject: dup ? 'Cannot log in' : `Question ${i}`, body: dup ? nearDuplicate(i) : unrelated(i) });
      arrived.set(ticketId, Date.now());
      if (i % 5 === 0) resolves.push(new Promise((r) => setTimeout(r, 20_000)).then(() => setStatus({ db: service.db, ticketEvents: service.ticketEvents }, ticketId, 'resolved', 'api')));
    }
    await Promise.all(resolves);
    const endedAt = Date.now();
    await new Promise((r) => setTimeout(r, waitS * 1000));
    clearInterval(sampler);
    return { ...(await measure(service, fake, arrived)), label, n, seconds, waitS, depth, measuredAfterS: Math.round((Date.now() - started) / 1000), arrivalsEndS: Math.round((endedAt - started) / 1000) };
  } finally {
    await service.stop();
    await fake.close();
  }
}

async function measure(service: Service, fake: FakeSlack, arrived: Map<number, number>) {
  const limited = new Set(fake.limited);
  const alerts = fake.messages.filter((m) => m.metadata?.event_type === 'support_ticket_alert');
  const cards = fake.messages.filter((m) => m.metadata?.event_type === 'support_incident');
  const rows = await service.db.sql.query<{ id: number; status: string; incident_id: number | null; joined: Date | null }>(
    `select t.id, t.status, t.incident_id, f.created_at as joined from tickets t left join ticket_fingerprints f on f.ticket_id = t.id order by t.id`,
  );
  const waitingLists = fake.messages.filter((m) => m.metadata?.event_type === 'support_waiting_list');
  const presence = new Map<number, number>();
  for (const m of alerts) presence.set(Number(m.metadata!.event_payload.ticket_id), m.postedAt);
  // A ticket on a waiting list was seen when the list was posted (its card comes later).
  for (const m of waitingLists) {
    for (const id of m.metadata!.event_payload.ticket_ids as number[]) presence.set(id, Math.min(presence.get(id) ?? Infinity, m.postedAt));
  }
  // When each incident card was drawn: posted, then every edit that reached Slack.
  const drawn = new Map<number, number[]>();
  for (const card of cards) {
    const id = Number(String(card.metadata!.event_payload.key).split(':')[1]);
    const edits = fake.calls.filter((c) => c.method === 'chat.update' && c.params.ts === card.ts && !limited.has(c)).map((c) => c.at);
    drawn.set(id, [card.postedAt, ...edits].sort((a, b) => a - b));
  }
  for (const r of rows) {
    if (presence.has(r.id) || r.incident_id === null || !r.joined) continue;
    const at = drawn.get(r.incident_id)?.find((t) => t >= new Date(r.joined!).getTime());
    if (at !== undefined) presence.set(r.id, at);
  }
  const delays = [...presence.entries()].map(([id, at]) => at - arrived.get(id)!).filter((d) => Number.isFinite(d));
  const status = new Map(rows.map((r) => [r.id, r.status]));
  let stale = 0;
  for (const m of alerts) if (!JSON.stringify(m.blocks).includes(`*Status*\\n${status.get(Number(m.metadata!.event_payload.ticket_id))}`)) stale += 1;
  for (const card of cards) {
    const id = Number(String(card.metadata!.event_payload.key).split(':')[1]);
    const members = rows.filter((r) => r.incident_id === id);
    const open = members.filter((r) => r.status !== 'resolved').length;
    if (!JSON.stringify(card.blocks).includes(`${members.length} tickets, ${open} open`)) stale += 1;
  }
  const perMethod: Record<string, number> = {};
  for (const c of fake.limited) perMethod[c.method] = (perMethod[c.method] ?? 0) + 1;
  return {
    limited: fake.limited.length, perMethod, delays, without: arrived.size - presence.size, stale, alerts: alerts.length, incidents: cards.length,
    waitingLists: waitingLists.length, listed: new Set(waitingLists.flatMap((m) => m.metadata!.event_payload.ticket_ids as number[])).size,
    members: rows.filter((r) => r.incident_id !== null).length, updates: fake.calls.filter((c) => c.method === 'chat.update' && !limited.has(c)).length,
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const scale = Number(values.scale);
const REPLAYS: Replay[] = [
  { label: 'burst', n: Math.round(2000 * scale), seconds: Math.round(300 * scale), dupShare: 0.7 },
  { label: 'peak', n: Math.round(2088 * scale), seconds: Math.round(180 * scale), dupShare: 0.1 },
];
console.log(`${new Date().toISOString()} · ${machine()} · PostgreSQL · real pace, fake Slack enforcing Slack's limits\n`);
console.log(`command: node bench/spikes.ts${values.only ? ` --only ${values.only}` : ''} --wait ${values.wait}${scale !== 1 ? ` --scale ${scale}` : ''}\n`);
console.log('| replay | tickets | over | measured at | 429 from Slack | own cards | waiting lists (tickets on them) | incident cards (tickets in them) | arrival→presence p50 | p99 | without presence | stale cards | chat.update sent |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const depths: string[] = [];
for (const r of REPLAYS.filter((x) => !values.only || values.only === x.label)) {
  const m = await replay(r, Number(values.wait));
  console.log(`| ${m.label} | ${m.n} | ${m.seconds} s | ${m.measuredAfterS} s | ${m.limited}${m.limited ? ` ${JSON.stringify(m.perMethod)}` : ''} | ${m.alerts} | ${m.waitingLists} (${m.listed}) | ${m.incidents} (${m.members}) | ${s(median(m.delays))} | ${s(percentile(m.delays, 99))} | ${m.without} | ${m.stale} | ${m.updates} |`);
  depths.push(`${m.label} (arrivals end at ${m.arrivalsEndS} s): ${m.depth.join(', ')}`);
}
console.log(`\nSlack queues over time (s: alert jobs / card edits / incident card jobs waiting):\n${depths.map((d) => `- ${d}`).join('\n')}`);
process.exit(0);
