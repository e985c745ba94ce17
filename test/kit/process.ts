/**
 * The real service as a child process, for what only a process can show: kill -9, restarts, several
 * instances, and the benchmarks' "exactly as `npm start` runs it". Logs are kept (last lines) for the
 * failure message; every process started here is SIGKILLed by killAllServices() (call it in t.teardown /
 * test.after.always) even when a test fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './net.ts';
import { waitForServing } from './wait.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const running = new Set<ChildProcess>();

export interface ServiceProcess {
  baseUrl: string;
  port: number;
  child: ChildProcess;
  /** The last lines the process wrote (stdout + stderr); empty with output 'inherit'. */
  log(): string;
  /**
   * Resolves once `path` (default GET /) answers 2xx, or `accept`s the status: the HTTP listener is up, after
   * migrations and workers started.
   */
  ready(timeoutMs?: number, check?: { path?: string; accept?: (status: number) => boolean }): Promise<void>;
  /** kill -9: no shutdown hook runs, in-flight work is lost exactly as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a graceful exit (SIGKILL after 30 s); resolves with the exit code. */
  stop(): Promise<number | null>;
  readonly exited: boolean;
}

export interface SpawnOptions {
  /** What node runs (default `src/main.ts`). */
  args?: string[];
  /** Start from this process's environment instead of a clean one (PATH only). */
  inheritEnv?: boolean;
  /** 'inherit' passes the service's output through (benchmarks); by default the last lines are kept for log(). */
  output?: 'keep' | 'inherit';
}

export function spawnService(env: Record<string, string>, port: number, options: SpawnOptions = {}): ServiceProcess {
  const base = options.inheritEnv ? process.env : { PATH: process.env.PATH ?? '' };
  const child = spawn(process.execPath, options.args ?? ['src/main.ts'], {
    cwd: repoRoot,
    env: { ...base, NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: options.output === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  let how = '';
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      how = signal ? `killed by ${signal}` : `exit code ${code}`;
      running.delete(child);
      resolve(code);
    }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = () => lines.slice(-40).join('\n');
  return {
    baseUrl,
    port,
    child,
    log,
    get exited() {
      return exited;
    },
    async ready(timeoutMs = 60_000, check = {}) {
      try {
        await waitForServing(`${baseUrl}${check.path ?? '/'}`, {
          timeoutMs,
          accept: check.accept,
          exited: () => (exited ? `service exited (${how}) before it was ready` : undefined),
          what: `the service to be ready within ${timeoutMs} ms`,
        });
      } catch (error) {
        throw new Error(`${(error as Error).message}:\n${log()}`, { cause: error });
      }
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The arguments `npm start` gives node (V8 memory flags, entry point), read from package.json so they cannot drift. */
export function npmStartArgs(): string[] {
  const start: string = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts.start;
  const [command, ...args] = start.split(/\s+/);
  if (command !== 'node') throw new Error(`unexpected start script: ${start}`);
  return args;
}

/**
 * The service exactly as `npm start` runs it in production (this process's environment, its output shown),
 * on a free port, once /health answers below 500. The request rate limit is off (one load generator on one
 * address would measure 429s) and the API open; env may change either.
 */
export async function startAsInProduction(env: Record<string, string>): Promise<ServiceProcess> {
  const svc = spawnService(
    { NODE_ENV: 'production', ALLOW_ANONYMOUS_API: 'true', RATE_LIMIT_PER_MINUTE: '0', ...env },
    await freePort(),
    { args: npmStartArgs(), inheritEnv: true, output: 'inherit' },
  );
  await svc.ready(60_000, { path: '/health', accept: (status) => status < 500 });
  return svc;
}

/** SIGKILLs every service process still running (teardown). */
export async function killAllServices(): Promise<void> {
  const all = [...running];
  await Promise.all(all.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  })));
}

/**
 * The services of one test. ava runs a file's tests at the same time, so a test's teardown must kill only
 * its own processes: killAllServices() there once killed the other test's service mid-run (a kill -9 the
 * other test never planned, after which its last alerts were never posted).
 */
export function serviceGroup(): { spawn: typeof spawnService; kill(): Promise<void> } {
  const mine = new Set<ServiceProcess>();
  return {
    spawn(env, port, options) {
      const svc = spawnService(env, port, options);
      mine.add(svc);
      return svc;
    },
    async kill() {
      await Promise.all([...mine].map((svc) => svc.kill()));
    },
  };
}
