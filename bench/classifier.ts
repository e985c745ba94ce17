/**
 * Local classifier benchmark: classifications per second on one core (median of several runs), model
 * file size and load time. `node bench/classifier.ts [--runs 5] [--seconds 1]`. Prints Markdown.
 * Rows are the held-out split of ../shared/data/tickets-train.csv, read in place.
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TRAIN_FILE, loadExamples, splitHeldOut } from '../src/classify/local/dataset.ts';

// Cold start as the service sees it: import the classifier (the language detector loads on the first classification, not here), read and unpack the artifact.
const coldStart = performance.now();
const { DEFAULT_MODEL_DIR, loadModel } = await import('../src/classify/local/artifact.ts');
const { LocalClassifier } = await import('../src/classify/local/local-classifier.ts');
new LocalClassifier(loadModel());
const coldMs = performance.now() - coldStart;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, seconds: { type: 'string', default: '1' } } });
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const loads: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  new LocalClassifier(loadModel());
  loads.push(performance.now() - t0);
}
const clf = new LocalClassifier(loadModel());
const rows = splitHeldOut(loadExamples(DEFAULT_TRAIN_FILE)).heldOut.map((e) => ({ subject: e.subject, body: e.body }));

/**
 * Rates per wall-clock second and per CPU second of this (single-threaded) process. On a shared machine the
 * CPU-time rate is the one-core figure; the wall-clock rate shows what contention leaves.
 */
function rate(fn: (i: number) => unknown): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs + 1; r++) {
    let n = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const end = t0 + seconds * 1000;
    while (performance.now() < end) {
      for (let k = 0; k < 100; k++) fn(n++);
    }
    const c = process.cpuUsage(c0);
    if (r === 0) continue; // the first run warms up the JIT
    wall.push(n / ((performance.now() - t0) / 1000));
    cpu.push(n / ((c.user + c.system) / 1e6));
  }
  return { wall, cpu };
}

const full = rate((i) => clf.classifySync(rows[i % rows.length]!));
const predictOnly = rate((i) => clf.predict(rows[i % rows.length]!));
const bin = statSync(path.join(DEFAULT_MODEL_DIR, 'model.bin')).size;
const json = statSync(path.join(DEFAULT_MODEL_DIR, 'model.json')).size;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(`| figure | value |`);
console.log(`|---|---|`);
console.log(`| model | ${clf.modelName} |`);
console.log(`| model files | model.bin ${(bin / 1e6).toFixed(2)} MB + model.json ${(json / 1e3).toFixed(1)} kB |`);
console.log(`| start: import + first load (cold, in process) | ${coldMs.toFixed(0)} ms |`);
console.log(`| reload of the artifact (median of ${runs}) | ${median(loads).toFixed(0)} ms |`);
console.log(`| predict(): category + confidence + priority, per CPU second (median of ${runs} x ${seconds}s) | ${fmt(median(predictOnly.cpu))} /s |`);
console.log(`| predict(), per wall-clock second | ${fmt(median(predictOnly.wall))} /s |`);
console.log(`| classify(): also summary and language (eld), per CPU second | ${fmt(median(full.cpu))} /s |`);
console.log(`| classify(), per wall-clock second | ${fmt(median(full.wall))} /s |`);
console.log(`| rows | ${rows.length} held-out tickets, cycled; one thread |`);
console.log('');
console.log(
  `${new Date().toISOString()} · node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores) · ` +
    `${os.platform()} ${os.arch()} · load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
);
