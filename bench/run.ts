/**
 * `npm run bench`: every benchmark, one after the other on this machine, each as its own process, and
 * BENCHMARKS.md rewritten with their tables, the commands, the machine and the date.
 *   node bench/run.ts [--only rest,stats,...] [--out BENCHMARKS.md] [--help]
 * With --only, just those sections of the existing file are replaced (in place, or appended when new); the other
 * sections, hand-written analysis included, are kept as they were, and the header says which sections ran when.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../test/kit/process.ts';
import { machine } from './lib.ts';

interface Bench {
  name: string;
  title: string;
  args: string[];
  note: string;
  /** Plain-text output, shown in a code block. */
  text?: boolean;
}

const BENCHES: Bench[] = [
  { name: 'rest', title: 'Ticket creation over REST on PostgreSQL (issue 2)', args: ['bench/rest.ts', '--seconds', '20', '--connections', '50'], note: 'pgbench, then the service with the rate limits on, then off, one after the other in the same run against the same local PostgreSQL; the service as `npm start` runs it in production (API key, worker in process).' },
  { name: 'customers', title: 'Finding the customer at ingest (issue 19)', args: ['bench/customers.ts', '--tickets', '3000', '--rounds', '3'], note: 'In process on PostgreSQL, the worker off; the three variants alternate round by round and their medians are compared.' },
  { name: 'customers-rest', title: 'Finding the customer over REST (issue 19)', args: ['bench/customers-rest.ts', '--seconds', '10', '--rounds', '3'], note: 'The service as `npm start` runs it in production (API key, rate limits on, worker in process) on PostgreSQL; the three variants alternate round by round on one service and database, medians compared.' },
  { name: 'incident-grouping', title: 'Telling a flood of one problem from the rest (issue 22)', args: ['bench/incident-grouping.ts'], note: 'Pure computation over ../shared/data/tickets-train.csv (read in place; the section says so when it is absent). The MinHash measure is the service\'s own signature (src/domain/minhash.ts); the grouper is single-link over the window, as the service groups.' },
  { name: 'spikes', title: 'When everyone writes at once: a burst and a peak hour against Slack\'s limits (issue 22)', args: ['bench/spikes.ts'], note: 'The service as in production with `INCIDENTS_ENABLED=true` (Slack budgets on) on PostgreSQL against a fake Slack enforcing Slack\'s published limits, at the real pace; tickets through the in-process ingest (the REST figures are the first section\'s).' },
  { name: 'customer-context', title: 'The card\'s customer lines over 1,000,000 tickets (issue 19)', args: ['bench/customer-context.ts', '--tickets', '1000000', '--lookups', '500'], note: 'In process on PostgreSQL: the function the Slack card and the console\'s ticket page call (src/slack/cards/customer-lines.ts), one lookup at a time. The service runs with RUN_WORKER=false (nothing to classify; the lookups do not involve the worker), otherwise with the production defaults.' },
  { name: 'stats', title: 'Statistics over 1,000,000 tickets (issue 2)', args: ['bench/stats.ts', '--tickets', '1000000', '--requests', '200'], note: '' },
  { name: 'search', title: 'Search and the dashboard over 1,000,000 tickets (issue 18)', args: ['bench/search.ts', '--tickets', '1000000', '--requests', '40'], note: 'Each query kind 40 times in a row after 3 warm-up requests, one at a time. The service as in production but with RUN_WORKER=false (nothing to classify) and the API rate limits off (one client asks many times). Tickets are spread over a year (~2,740 a day), each with its SLA clocks as the service keeps them; half of the last two weeks\' tickets and 2% of older ones are open.' },
  { name: 'console', title: 'Operator console pages over 1,000,000 tickets (issue 18)', args: ['bench/console.ts', '--tickets', '1000000', '--requests', '100'], note: 'Every inbox page also counts every tab (each count stops at 1,000). The service as in production but with RUN_WORKER=false (nothing to classify) and the API rate limits off (one client asks many times).' },
  { name: 'console-live', title: 'Operator console live updates: 50 open consoles (issue 18)', args: ['bench/console-live.ts', '--consoles', '50', '--changes', '100'], note: 'The service as in production on PostgreSQL with RUN_WORKER=false; server-sent events read by the benchmark process (no browser). Idle RSS is the lowest of 10 samples over 5 s after a 5 s pause.' },
  { name: 'embedded', title: 'The embedded database (PGlite): memory, first start, seed (issue 16)', args: ['bench/embedded.ts', '--idle', '20'], note: 'Production defaults: the npm scripts\' node flags from package.json, no DATABASE_URL. RSS from /proc/PID/status (VmRSS idle, VmHWM peak), sampled every 100 ms.' },
  { name: 'classifier', title: 'Local model speed and size (issue 3)', args: ['bench/classifier.ts'], note: '' },
  { name: 'eval', title: 'Local model accuracy on the held-out split (issue 3)', args: ['src/cli/classifier-eval.ts'], text: true, note: 'The held-out split (20% by a hash of the text) is never trained on. Learning curve, the confusion that limits accuracy and the method comparison: docs/benchmarks/classifier.md.' },
  { name: 'language', title: 'Language detection by text length (issue 16)', args: ['bench/language.ts'], note: 'Against the language column of ../shared/data/tickets-train.csv (read in place; the section says so when it is absent). The candidates compared to pick the detector: docs/benchmarks/language.md.' },
  { name: 'webhooks', title: 'Signed Zendesk deliveries (issue 5)', args: ['bench/webhooks.ts', '--seconds', '20', '--connections', '50'], note: '' },
  { name: 'imap', title: 'IMAP ingestion from Dovecot (issue 4)', args: ['bench/imap.ts'], note: '' },
  { name: 'slack', title: 'Slack alert delivery with per-channel pacing (issue 6)', args: ['bench/slack.ts'], note: '' },
  { name: 'slack-door', title: 'Slack events through the door (issue 20)', args: ['bench/slack-door.ts', '--seconds', '20', '--connections', '50'], note: 'Signed Events API requests, each a Slack Connect customer\'s new question (a new ticket), against the service on PostgreSQL as `npm start` runs it; Slack is the local fake. The card time is measured first, on the idle service.' },
  { name: 'privacy', title: 'Retention and erasure at scale (issue 21)', args: ['bench/privacy.ts', '--tickets', '1000000', '--audit', '5000000', '--seconds', '15', '--connections', '20'], note: 'On PostgreSQL with the service as its own process as `npm start` runs it (API key, worker in process). The same REST load twice against the same data, each after 3 s of unmeasured warm-up: with retention off, then while the day\'s retention run (started with the service) works.' },
  { name: 'faults', title: 'Recovery after kill -9 and a PostgreSQL outage (issue 9)', args: ['bench/faults.ts', '--kills', '3', '--outage', '15'], note: 'The service is a child process on a throw-away PostgreSQL cluster; Slack is the local fake at its real pace (1 post/s per channel), so part of each delay is the alert backlog of the load itself.' },
];

const USAGE = `usage: npm run bench [-- --only NAME,NAME,...] [--out BENCHMARKS.md]
  runs each benchmark as its own process and rewrites the file (with --only: just those sections)
  names: ${BENCHES.map((b) => b.name).join(', ')}`;

function usageError(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

let values: { only?: string; out?: string; help?: boolean };
try {
  ({ values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string', default: 'BENCHMARKS.md' }, help: { type: 'boolean', short: 'h' } } }));
} catch (error) {
  usageError((error as Error).message.split('\n')[0]!);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const only = values.only ? new Set(values.only.split(',')) : undefined;
const unknown = [...(only ?? [])].filter((name) => !BENCHES.some((b) => b.name === name));
if (unknown.length) usageError(`unknown benchmark ${unknown.join(', ')}`);

const fresh = new Map<string, string>();
for (const bench of BENCHES.filter((b) => !only || only.has(b.name))) {
  process.stderr.write(`\n### ${bench.name}: node ${bench.args.join(' ')}\n`);
  const started = new Date();
  const run = spawnSync(process.execPath, bench.args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  const output = run.stdout.trim() || '(no output)';
  process.stderr.write(`${output}\n`);
  fresh.set(
    `## ${bench.title}`,
    [
      `## ${bench.title}`,
      '',
      `Command: \`node ${bench.args.join(' ')}\` · started ${started.toISOString()} · exit ${run.status ?? run.signal}`,
      bench.note ? `\n${bench.note}` : '',
      '',
      bench.text ? `\`\`\`text\n${output}\n\`\`\`` : output,
      '',
    ].join('\n'),
  );
}

const today = new Date().toISOString().slice(0, 10);
const target = path.resolve(repoRoot, values.out!);
// "## " headings split the file into sections; the text before the first one is the header.
const previous = only && existsSync(target) ? splitSections(readFileSync(target, 'utf8')) : undefined;
const kept = previous ? previous.sections.map(([heading, text]) => fresh.get(heading) ?? text) : [];
const added = [...fresh].filter(([heading]) => !previous?.sections.some(([h]) => h === heading)).map(([, text]) => text);
const sections = previous ? [...kept, ...added] : [...fresh.values()];
const runNote = only
  ? `The sections ${[...fresh.keys()].map((h) => `"${h.slice(3)}"`).join(', ')} were measured again on ${today} with \`node bench/run.ts --only ${[...only].join(',')}\`; the others keep their own start times.`
  : '';
const header = [
  '# Benchmarks',
  '',
  `Produced by \`npm run bench\` (bench/run.ts)${previous ? '' : ` on ${today}`}.`,
  `Machine: ${machine()}. The machine is shared and noisy: compare figures measured side by side in one run`,
  '(ratios), and read absolute rates as this run\'s, not as constants.',
  runNote,
  '',
].filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n');
writeFileSync(target, `${header}\n${sections.map((text) => `${text.trimEnd()}\n`).join('\n')}`);
process.stderr.write(`\nwrote ${values.out}\n`);

function splitSections(markdown: string): { sections: [string, string][] } {
  const parts = markdown.split(/^(?=## )/m);
  const body = parts[0]!.startsWith('## ') ? parts : parts.slice(1);
  return { sections: body.map((text) => [text.split('\n', 1)[0]!.trim(), text] as [string, string]) };
}
