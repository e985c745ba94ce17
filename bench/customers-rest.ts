/**
 * What finding the customer costs over REST with the production defaults (the issue's measure: at most 5% of
 * REST throughput): POST /api/v1/requests against the service as `npm start` runs it (API key, the rate limits
 * on, worker in process), for tickets without a sender (no customer work: the baseline), from one address (every
 * ticket finds the same customer) and from a new address each (every ticket makes a customer and its identity).
 * The variants alternate round by round on one service and one database, medians compared.
 *   node bench/customers-rest.ts [--seconds 10] [--rounds 3] [--connections 50]
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { recreateDatabase } from '../test/kit/database.ts';
import { startAsInProduction } from '../test/kit/process.ts';
import { ADMIN_URL, median } from './lib.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' }, connections: { type: 'string', default: '50' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);

// The rate limits as production runs them (as bench/rest.ts sets them: a per-key limit the load never reaches).
const LIMITER_ON = { API_KEYS: 'bench-key-0123456789abcdef', RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '20' };

const BODY = 'Since this morning the dashboard shows error 502 when I open the billing page, and my invoice for October is missing.';
type Variant = 'no sender' | 'one address' | 'new address each';
const VARIANTS: Variant[] = ['no sender', 'one address', 'new address each'];

const databaseUrl = await recreateDatabase('support_triage_bench_customers_rest', ADMIN_URL);
const service = await startAsInProduction({ DATABASE_URL: databaseUrl, ...LIMITER_ON });
let serial = 0;
const rates = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
const p99s = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));

async function run(variant: Variant): Promise<{ rps: number; p99: number }> {
  const result = await autocannon({
    url: `${service.baseUrl}/api/v1/requests`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${LIMITER_ON.API_KEYS}` },
    requests: [{
      setupRequest: (req) => {
        const n = serial++;
        const email = variant === 'no sender' ? undefined : variant === 'one address' ? 'ana@example.com' : `person${n}@example${n % 500}.com`;
        return { ...req, body: JSON.stringify({ subject: 'Dashboard error 502', body: BODY, ...(email ? { requester_email: email, requester_name: 'Ana' } : {}) }) };
      },
    }],
  });
  if (result.non2xx || result.errors) throw new Error(`${variant}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result['2xx'] / seconds, p99: result.latency.p99 };
}

await run('no sender'); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const v of VARIANTS) {
    const { rps, p99 } = await run(v);
    rates.get(v)!.push(rps);
    p99s.get(v)!.push(p99);
  }
}
await service.stop();

const base = median(rates.get('no sender')!);
console.log(`| POST /api/v1/requests, production defaults (API key, rate limits on, worker in process), ${connections} connections, ${seconds} s a round, ${rounds} rounds | tickets/s median (rounds) | p99 median | cost vs. no sender |`);
console.log('|---|---|---|---|');
for (const v of VARIANTS) {
  const m = median(rates.get(v)!);
  console.log(`| ${v} | ${Math.round(m).toLocaleString('en-US')} (${rates.get(v)!.map((x) => Math.round(x)).join(', ')}) | ${median(p99s.get(v)!)} ms | ${v === 'no sender' ? '-' : `${((1 - m / base) * 100).toFixed(1)}%`} |`);
}
