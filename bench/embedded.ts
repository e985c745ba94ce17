/**
 * `node bench/embedded.ts [--idle 20]`: the embedded database (PGlite) as a new user meets it, with the
 * production defaults (the npm scripts' node flags, read from package.json): memory of the service on a
 * fresh data directory and after a restart (idle RSS once started, peak RSS of the process, and of the
 * one-time initdb child of a first start), time until it answers, and `seed` of the 24 example tickets on a
 * fresh directory and again on a seeded one; after the restart, tickets POSTed one by one, and the same
 * restart without --liftoff-only for comparison. RSS is read from /proc/PID/status (VmRSS, VmHWM) every 100 ms.
 * Prints a markdown table.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../test/kit/net.ts';
import { repoRoot, spawnService } from '../test/kit/process.ts';
import { sleep } from '../test/kit/wait.ts';

const { values } = parseArgs({
  options: { idle: { type: 'string', default: '20' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log('usage: node bench/embedded.ts [--idle SECONDS]   (seconds the started service is left idle before its RSS is read)');
  process.exit(0);
}
const idleSeconds = Number(values.idle);
const POSTS = 300;

/** node's arguments for an npm script, as package.json has them (flags included). */
function scriptArgs(name: string): string[] {
  const script: string = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts[name];
  const [command, ...args] = script.split(/\s+/);
  if (command !== 'node') throw new Error(`unexpected ${name} script: ${script}`);
  return args;
}

const mb = (kb: number) => Math.round(kb / 1024);

function status(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(text)![1]), hwm: Number(/VmHWM:\s+(\d+)/.exec(text)![1]) };
  } catch {
    return undefined;
  }
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Peak RSS of a process and, separately, of its children (the initdb child), sampled until stopped. */
function watch(pid: number) {
  let own = 0;
  let child = 0;
  const read = () => {
    own = Math.max(own, status(pid)?.hwm ?? 0);
    for (const c of children(pid)) child = Math.max(child, status(c)?.hwm ?? 0);
  };
  const timer = setInterval(read, 100);
  return {
    now: () => status(pid)?.rss ?? 0,
    stop() {
      read();
      clearInterval(timer);
      return { own, child };
    },
  };
}

interface StartFigures { readyS: number; idle: number; peak: number; childPeak: number; postsPerS?: number }

/** Tickets created one after the other over REST (each answered 201), per second. */
async function postTickets(baseUrl: string, count: number): Promise<number> {
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${baseUrl}/api/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject: `Invoice question ${i}`, body: `I was charged twice for invoice ${i} this month, please refund one of them.` }),
    });
    if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  }
  return count / ((Date.now() - started) / 1000);
}

async function startAndIdle(dataDir: string, args = scriptArgs('start'), posts = 0): Promise<StartFigures> {
  const started = Date.now();
  const svc = spawnService(
    { NODE_ENV: 'production', ALLOW_ANONYMOUS_API: 'true', RATE_LIMIT_PER_MINUTE: '0', PGLITE_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    await freePort(),
    { args },
  );
  const sampler = watch(svc.child.pid!);
  try {
    await svc.ready(180_000, { path: '/health', accept: (s) => s < 500 });
    const readyS = (Date.now() - started) / 1000;
    await sleep(idleSeconds * 1000);
    const idle = sampler.now();
    const postsPerS = posts ? await postTickets(svc.baseUrl, posts) : undefined;
    const { own, child } = sampler.stop();
    return { readyS, idle, peak: own, childPeak: child, postsPerS };
  } finally {
    sampler.stop();
    await svc.stop();
  }
}

function runSeed(dataDir: string): Promise<{ seconds: number; peak: number; childPeak: number; output: string }> {
  const started = Date.now();
  const child = spawn(process.execPath, [...scriptArgs('seed'), '--file', 'examples/tickets.csv'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', PGLITE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = watch(child.pid!);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      const { own, child: childPeak } = sampler.stop();
      if (code !== 0) reject(new Error(`seed exited ${code}: ${output}`));
      else resolve({ seconds: (Date.now() - started) / 1000, peak: own, childPeak, output });
    }),
  );
}

const work = mkdtempSync(path.join(tmpdir(), 'bench-embedded-'));
try {
  const serviceDir = path.join(work, 'service');
  const fresh = await startAndIdle(serviceDir);
  const restart = await startAndIdle(serviceDir, scriptArgs('start'), POSTS);
  // What the baseline compiler costs and saves: the same restart without --liftoff-only.
  const tiered = await startAndIdle(serviceDir, scriptArgs('start').filter((a) => a !== '--liftoff-only'), POSTS);
  const seedDir = path.join(work, 'seed');
  const seedFresh = await runSeed(seedDir);
  const seedAgain = await runSeed(seedDir);

  const rows: [string, string][] = [
    [`node flags (npm start, from package.json)`, `\`${scriptArgs('start').filter((a) => a.startsWith('--')).join(' ')}\``],
    ['first start on a fresh data directory: answers after', `${fresh.readyS.toFixed(1)} s`],
    [`first start: idle RSS ${idleSeconds} s after it answers`, `${mb(fresh.idle)} MB`],
    ['first start: peak RSS of the service process', `${mb(fresh.peak)} MB`],
    ['first start: peak RSS of the one-time initdb child process (exits before the service opens the database)', `${mb(fresh.childPeak)} MB`],
    ['restart on that directory: answers after', `${restart.readyS.toFixed(1)} s`],
    [`restart: idle RSS ${idleSeconds} s after it answers`, `${mb(restart.idle)} MB`],
    [`restart: ${POSTS} tickets POSTed one after the other, then: peak RSS / tickets per second`, `${mb(restart.peak)} MB / ${restart.postsPerS!.toFixed(0)}`],
    [`the same without --liftoff-only (V8 tiers WebAssembly up to TurboFan): idle / peak RSS / tickets per second`, `${mb(tiered.idle)} MB / ${mb(tiered.peak)} MB / ${tiered.postsPerS!.toFixed(0)}`],
    ['`npm run seed -- --file examples/tickets.csv` on a fresh directory: time / peak RSS (initdb child)', `${seedFresh.seconds.toFixed(1)} s / ${mb(seedFresh.peak)} MB (${mb(seedFresh.childPeak)} MB)`],
    ['the same seed again on the seeded directory (24 duplicates): time / peak RSS', `${seedAgain.seconds.toFixed(1)} s / ${mb(seedAgain.peak)} MB`],
  ];
  const idleOk = Math.max(fresh.idle, restart.idle) <= 200 * 1024;
  const peakOk = Math.max(fresh.peak, restart.peak, seedFresh.peak, seedAgain.peak) <= 400 * 1024;
  console.log(['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n'));
  console.log(`\ntargets: idle <= 200 MB ${idleOk ? 'met' : 'NOT met'}; peak <= 400 MB (service and seed processes) ${peakOk ? 'met' : 'NOT met'}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
