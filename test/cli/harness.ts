/**
 * Real processes for the command tests: `node src/main.ts` and the CLI scripts, spawned with a clean
 * environment (only PATH plus what the test sets), their output collected. Deadlines are generous: on a
 * loaded 2-core machine a service start takes up to half a minute.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../kit/net.ts';
import { waitForServing } from '../kit/wait.ts';

export const root = path.resolve(import.meta.dirname, '../..');
export const START_TIMEOUT_MS = 150_000;

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  nodeArgs?: string[];
  uid?: number;
  gid?: number;
  /**
   * A reader that goes away: 'closed' closes the child's stdout pipe at once (`cmd | true`), 'after-first-bytes'
   * once the first output arrived (`cmd | head -c 1`). The child's later writes fail with EPIPE.
   */
  stdout?: 'closed' | 'after-first-bytes';
}

/** Runs a script to its end. */
export function run(args: string[], env: Record<string, string>, options: RunOptions = {}): Promise<Run> {
  return start(args, env, options).done;
}

export interface Child {
  process: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  done: Promise<Run>;
}

export function start(args: string[], env: Record<string, string>, options: RunOptions = {}): Child {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...args], {
    cwd: options.cwd ?? root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
    if (options.stdout === 'after-first-bytes') child.stdout!.destroy();
  });
  if (options.stdout === 'closed') child.stdout!.destroy();
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    process: child,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    done,
  };
}

export interface ServiceChild extends Child {
  port: number;
  baseUrl: string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<Run>;
}

/** Starts `node src/main.ts` on a free port and waits until /health answers 200. */
export async function startService(env: Record<string, string>, options: RunOptions = {}): Promise<ServiceChild> {
  const port = await freePort();
  const child = start(['src/main.ts'], { PORT: String(port), HOST: '127.0.0.1', ...env }, options);
  let exited: Run | undefined;
  void child.done.then((r) => (exited = r));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForServing(`${baseUrl}/health`, {
      exited: () => (exited ? `the service exited (${exited.code}): ${exited.stderr}` : undefined),
      timeoutMs: START_TIMEOUT_MS,
      what: 'the service to answer /health',
    });
  } catch (error) {
    child.process.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\nstdout: ${child.stdout}\nstderr: ${child.stderr}`);
  }
  return {
    ...child,
    get stdout() { return child.stdout; },
    get stderr() { return child.stderr; },
    port,
    baseUrl,
    async stop() {
      if (!exited) child.process.kill('SIGTERM');
      return child.done;
    },
  };
}

/**
 * Waits for the child's end, at most `ms`: a child still running then is SIGKILLed and the promise rejects,
 * so a command that hangs fails its test instead of the whole run.
 */
export async function endsWithin(child: Child, ms: number, what: string): Promise<Run> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.process.kill('SIGKILL');
      reject(new Error(`${what} was still running after ${ms / 1000} s\nstdout: ${child.stdout}\nstderr: ${child.stderr}`));
    }, ms);
  });
  try {
    return await Promise.race([child.done, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** A pid that is certainly not running: a process that has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}
