/**
 * This checkout against another one (a checkout of an earlier commit, with its own node_modules), in one run:
 * bench/webhooks.ts (signed Zendesk deliveries, then REST POST /api/v1/requests in the same run) alternately
 * in each, so load on the machine falls on both alike. Prints each figure's median per side and their ratio.
 *   node bench/compare.ts --base /path/to/old/checkout [--rounds 3] [--seconds 10]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../test/kit/database.ts';
import { repoRoot } from '../test/kit/process.ts';
import { ADMIN_URL, machine, median } from './lib.ts';

const { values } = parseArgs({ options: { base: { type: 'string' }, rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' } } });
if (!values.base) throw new Error('usage: node bench/compare.ts --base DIR [--rounds N] [--seconds S]');
const base = path.resolve(values.base);
const rounds = Number(values.rounds);
// A database of this comparison's own: another one running at the same time must not drop it mid-run.
const database = `support_triage_bench_webhooks_${process.pid}`;

interface Figures { webhooks: number; webhooksP99: number; rest: number; restP99: number }

function runIn(dir: string): Figures {
  const run = spawnSync(process.execPath, ['bench/webhooks.ts', '--seconds', values.seconds!, '--connections', '50', '--database', database], {
    cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 10 * 60_000,
  });
  const out = run.stdout;
  const num = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) throw new Error(`${dir}: no ${re} in\n${out}`);
    return Number(m[1]!.replace(/,/g, ''));
  };
  return {
    webhooks: num(/deliveries\/s \(2xx[^|]*\| ([\d,.]+)/),
    webhooksP99: num(/p50 \/ p90 \/ p99 \/ max \| [\d.]+ \/ [\d.]+ \/ ([\d.]+)/),
    rest: num(/REST POST \/api\/v1\/requests: tickets\/s, p99 \| ([\d,.]+),/),
    restP99: num(/REST POST \/api\/v1\/requests: tickets\/s, p99 \| [\d,.]+, ([\d.]+) ms/),
  };
}

const sides: Record<'base' | 'head', Figures[]> = { base: [], head: [] };
for (let round = 0; round < rounds; round += 1) {
  // Alternate which side goes first, so neither always runs on a warmer (or busier) machine.
  const order: ('base' | 'head')[] = round % 2 === 0 ? ['base', 'head'] : ['head', 'base'];
  for (const side of order) {
    process.stderr.write(`round ${round + 1}/${rounds}: ${side}\n`);
    sides[side].push(runIn(side === 'base' ? base : repoRoot));
  }
}

// The runs leave their database behind (bench/webhooks.ts keeps it for inspection); this one's name is unique.
await (await createTestDatabase(ADMIN_URL, { name: database, replace: true })).drop();

const med = (side: 'base' | 'head', key: keyof Figures) => median(sides[side].map((f) => f[key]));
const rows: [string, keyof Figures, string][] = [
  ['signed Zendesk deliveries/s', 'webhooks', ''],
  ['Zendesk p99', 'webhooksP99', ' ms'],
  ['REST POST /api/v1/requests tickets/s', 'rest', ''],
  ['REST p99', 'restP99', ' ms'],
];
console.log(`${machine()} · ${rounds} rounds of ${values.seconds} s each side, alternating · base ${base}`);
console.log('');
console.log('| figure (median of rounds, min–max) | base | this checkout | ratio |');
console.log('|---|---|---|---|');
const spread = (side: 'base' | 'head', key: keyof Figures) => `${Math.min(...sides[side].map((f) => f[key])).toFixed(0)}–${Math.max(...sides[side].map((f) => f[key])).toFixed(0)}`;
for (const [label, key, unit] of rows) {
  const b = med('base', key);
  const h = med('head', key);
  console.log(`| ${label} | ${b.toFixed(0)}${unit} (${spread('base', key)}) | ${h.toFixed(0)}${unit} (${spread('head', key)}) | ${(h / b).toFixed(2)} |`);
}
console.log('');
console.log(`rounds, base: ${sides.base.map((f) => `${f.webhooks.toFixed(0)}/${f.rest.toFixed(0)}`).join(', ')}; this checkout: ${sides.head.map((f) => `${f.webhooks.toFixed(0)}/${f.rest.toFixed(0)}`).join(', ')} (webhooks/s / REST/s)`);
