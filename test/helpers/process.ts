/**
 * The real service as a child process (`node src/main.ts`), for what only a process can show: kill -9,
 * restarts, several instances. Logs are kept (last lines) for the failure message; every process started
 * here is SIGKILLed by killAllServices() (call it in t.teardown / test.after.always) even when a test fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const running = new Set<ChildProcess>();

export interface ServiceProcess {
  baseUrl: string;
  port: number;
  child: ChildProcess;
  /** The last lines the process wrote (stdout + stderr). */
  log(): string;
  /** Resolves once GET / answers (the HTTP listener is up, after migrations and workers started). */
  ready(timeoutMs?: number): Promise<void>;
  /** kill -9: no shutdown hook runs, in-flight work is lost exactly as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a graceful exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  readonly exited: boolean;
}

export function spawnService(env: Record<string, string>, port: number): ServiceProcess {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
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
  return {
    baseUrl,
    port,
    child,
    log: () => lines.slice(-40).join('\n'),
    get exited() {
      return exited;
    },
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exited) throw new Error(`service exited (${how}) before it was ready:\n${lines.slice(-40).join('\n')}`);
        try {
          if ((await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2_000) })).ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`service not ready within ${timeoutMs} ms:\n${lines.slice(-40).join('\n')}`);
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
    spawn(env, port) {
      const svc = spawnService(env, port);
      mine.add(svc);
      return svc;
    },
    async kill() {
      await Promise.all([...mine].map((svc) => svc.kill()));
    },
  };
}
