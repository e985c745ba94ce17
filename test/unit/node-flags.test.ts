/**
 * The embedded database's memory depends on node's command line (BENCHMARKS.md, "The embedded database
 * before and after"): without --liftoff-only V8 recompiles PGlite's WebAssembly with TurboFan and a process
 * peaks near 1 GB. Every way the project starts something that opens the database carries the flag, and the
 * container runs node exactly as `npm start` does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { npmStartArgs, repoRoot } from '../kit/process.ts';

const scripts: Record<string, string> = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts;

test('every npm script that opens the database runs node with --liftoff-only', (t) => {
  // Every command under src/ opens the database, except the evaluation (a CSV and the model only).
  const opening = Object.entries(scripts).filter(([name, line]) => /\bsrc\/\S+\.ts\b/.test(line) && name !== 'classifier:eval');
  t.true(opening.length >= 8, `found ${opening.map(([n]) => n).join(', ')}`);
  for (const [name, line] of opening) t.true(line.split(/\s+/).includes('--liftoff-only'), `${name}: ${line}`);
});

test('the Dockerfile runs node with the arguments of npm start', (t) => {
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile);
  t.truthy(cmd, 'a CMD in exec form');
  const [node, ...args] = JSON.parse(cmd![1]!) as string[];
  t.is(node, 'node');
  t.deepEqual(args, npmStartArgs());
});
