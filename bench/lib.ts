/**
 * What the benchmarks measure with: RSS sampling, the machine line, medians and percentiles. Setting up
 * (databases, the service as a process, Dovecot, fake Slack) comes from the test kit, test/kit/, so the
 * benchmarks start things exactly as the tests do.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Category } from '../src/domain/categories.ts';
import type { Classifier } from '../src/domain/classification.ts';

/** The PostgreSQL server the benchmarks create their databases on. */
export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Resident memory of a process, in MiB. */
export function rssMb(pid: number | undefined): number {
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024;
}

/** Samples a value every `ms` until stopped; returns the maximum seen. */
export function sampleMax(read: () => number, ms = 250): { stop(): number } {
  let max = 0;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, read());
    } catch {}
  }, ms);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};

/** A seeded generator (the local model's mulberry32): the same burst on every run. */
export { rng as seededRandom } from '../src/classify/local/fit-linear.ts';

/**
 * Category and confidence from the ticket's marker ("[cat=billing conf=0.3]"; default general, 0.9): the Slack
 * benchmarks measure delivery, not a model.
 */
export const markerClassifier: Classifier = {
  name: 'bench',
  async classify(input) {
    const category = (/\[cat=(\w+)/.exec(input.body)?.[1] ?? 'general') as Category;
    const confidence = Number(/\bconf=([\d.]+)/.exec(input.body)?.[1] ?? 0.9);
    return { category, confidence, summary: 'bench', language: 'en', priority: 'medium', modelName: 'bench', classifier: 'local', processingTimeMs: 0 };
  },
};
