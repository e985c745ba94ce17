/**
 * What the benchmarks measure with: RSS sampling, the machine line, medians and percentiles. Setting up
 * (databases, the service as a process, Dovecot, fake Slack) comes from the test kit, test/kit/, so the
 * benchmarks start things exactly as the tests do.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

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
