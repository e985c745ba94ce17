/**
 * What finding the customer costs at ingest: tickets stored per second through ingest's group commit (in
 * process, on PostgreSQL, the classification worker off), for messages without a sender (no customer work: the
 * baseline), from one address (every ticket finds the same customer), and from a new address each (every
 * ticket creates a customer and its identity). The variants alternate, several rounds, medians compared, so a
 * busy machine's drift hits them alike. Without HTTP in the way, the share is larger than over REST.
 *   node bench/customers.ts [--tickets 4000] [--rounds 3] [--concurrency 50]
 */
import { parseArgs } from 'node:util';
import { recreateDatabase } from '../test/kit/database.ts';
import { startTestService } from '../test/kit/service.ts';
import { ADMIN_URL, median } from './lib.ts';

const { values } = parseArgs({ options: { tickets: { type: 'string', default: '4000' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '50' } } });
const tickets = Number(values.tickets);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);

const BODY = 'Since this morning the dashboard shows error 502 when I open the billing page, and my invoice for October is missing.';
type Variant = 'no sender' | 'one address' | 'new address each';
const VARIANTS: Variant[] = ['no sender', 'one address', 'new address each'];

const url = await recreateDatabase('support_triage_bench_customers', ADMIN_URL);
const svc = await startTestService({ DATABASE_URL: url, RUN_WORKER: 'false', DATABASE_POOL_MAX: '20' });
let serial = 0;
const rates = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));

async function run(variant: Variant): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tickets) {
        next++;
        const n = serial++;
        const requesterEmail = variant === 'no sender' ? null : variant === 'one address' ? 'ana@example.com' : `person${n}@example${n % 500}.com`;
        await svc.service.ingest({ source: 'api', subject: 'Dashboard error 502', body: BODY, requesterEmail, requesterName: requesterEmail ? 'Ana' : null });
      }
    }),
  );
  return tickets / ((performance.now() - started) / 1000);
}

await run('no sender'); // warm-up
for (let r = 0; r < rounds; r++) for (const v of VARIANTS) rates.get(v)!.push(await run(v));
await svc.stop();

const base = median(rates.get('no sender')!);
console.log(`| ingest, ${tickets} tickets a round, ${concurrency} at once, ${rounds} rounds (median) | tickets/s | cost vs. no sender |`);
console.log('|---|---|---|');
for (const v of VARIANTS) {
  const m = median(rates.get(v)!);
  console.log(`| ${v} | ${Math.round(m).toLocaleString('en-US')} (${rates.get(v)!.map((x) => Math.round(x)).join(', ')}) | ${v === 'no sender' ? '-' : `${((1 - m / base) * 100).toFixed(1)}%`} |`);
}
