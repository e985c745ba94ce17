/**
 * What a first start says. At a terminal (a real pseudo-terminal, from util-linux's `script`): plain
 * sentences for each step and where to go once it is up; a restart says no "first start". Piped: only JSON
 * log lines, with the same steps. Both through the real `npm start` command line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { browserUrl } from '../../src/lib/startup-report.ts';
import { createTestDatabase } from '../kit/database.ts';
import { freePort } from '../kit/net.ts';
import { npmStartArgs, repoRoot, spawnService } from '../kit/process.ts';
import { waitFor } from '../kit/wait.ts';

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** The service under a pseudo-terminal until it says it is ready; resolves with all it wrote. */
async function startAtTerminal(env: Record<string, string>): Promise<string> {
  const command = [process.execPath, ...npmStartArgs()].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: repoRoot,
    detached: true,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'info', TERM: 'dumb', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(() => /Stop it with Ctrl-C/.test(output), { timeoutMs: 120_000, what: 'the ready message' }).catch((error: Error) => {
      throw new Error(`${error.message}; the service wrote:\n${output}`);
    });
    return output.replaceAll('\r', '');
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

test('at a terminal: says each step in plain words, then where to go; a restart is no first start', async (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'startup-tty-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const dataDir = path.join(parent, 'pglite');
  const port = await freePort();

  const first = await startAtTerminal({ PGLITE_DATA_DIR: dataDir, PORT: String(port) });
  t.regex(first, new RegExp(`Opening the embedded database in ${dataDir}`));
  t.regex(first, /First start: creating the embedded database/);
  t.regex(first, /Database schema brought up to date \(\d+ migrations applied\)/);
  t.regex(first, /Classifier: the local model local-nb@\S+ \(no OPENAI_API_KEY\)/);
  t.regex(first, new RegExp(`Support Triage is ready after [\\d.]+ s: http://localhost:${port}/`));
  t.regex(first, new RegExp(`API documentation: http://localhost:${port}/docs`));
  // The steps come in the order they happen.
  const order = ['Opening the embedded', 'First start', 'Database schema', 'Classifier', 'is ready'].map((s) => first.indexOf(s));
  t.deepEqual(order, [...order].sort((a, b) => a - b));

  const again = await startAtTerminal({ PGLITE_DATA_DIR: dataDir, PORT: String(port) });
  t.notRegex(again, /First start/);
  t.regex(again, /Database schema is up to date\./);
  t.regex(again, /is ready after/);
});

test('at a terminal on PostgreSQL: names the server and database, never the password', async (t) => {
  const pg = await createTestDatabase();
  t.teardown(() => pg.drop());
  const url = new URL(pg.url);
  url.username = 'postgres';
  url.password = 's3cret-word';
  const said = await startAtTerminal({ DATABASE_URL: url.toString(), PORT: String(await freePort()) });
  t.regex(said, new RegExp(`Connecting to PostgreSQL at ${url.host}${url.pathname} …`));
  t.regex(said, /migrations? applied|schema is up to date/);
  t.notRegex(said, /First start/, 'no embedded database is created');
  t.false(said.includes('s3cret-word'));
});

test('piped: JSON log lines only, the same steps, the pages to open', async (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'startup-pipe-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const port = await freePort();
  const svc = spawnService({ PGLITE_DATA_DIR: path.join(parent, 'pglite'), LOG_LEVEL: 'info' }, port, { args: npmStartArgs() });
  t.teardown(() => svc.kill());
  await svc.ready(120_000);
  await waitFor(() => svc.log().includes('"msg":"ready"'), { what: 'the ready log line' });
  await svc.stop();
  const lines = svc.log().split('\n').filter(Boolean);
  const records = lines.map((line) => {
    try {
      return JSON.parse(line) as { msg: string; [k: string]: unknown };
    } catch {
      return t.fail(`not a JSON line: ${line}`);
    }
  });
  const steps = records.filter((r) => r && r.component === 'startup').map((r) => r!.msg);
  t.deepEqual(steps, ['opening the database', 'first start: creating the embedded database', 'migrations applied', 'classifier ready', 'ready']);
  const ready = records.find((r) => r?.msg === 'ready')!;
  t.deepEqual(ready.pages, { 'API documentation': `http://localhost:${port}/docs` });
  t.false(lines.some((l) => l.includes('Stop it with Ctrl-C')), 'no plain sentences in piped output');
});

test('the address a browser uses: wildcard and loopback binds are localhost, others as bound, PUBLIC_URL first', (t) => {
  t.is(browserUrl('0.0.0.0', 8000), 'http://localhost:8000');
  t.is(browserUrl('::', 8000), 'http://localhost:8000');
  t.is(browserUrl('127.0.0.1', 8000), 'http://localhost:8000');
  t.is(browserUrl('10.1.2.3', 8080), 'http://10.1.2.3:8080');
  t.is(browserUrl('fd00::5', 8080), 'http://[fd00::5]:8080');
  t.is(browserUrl('0.0.0.0', 8000, 'https://triage.example.com/'), 'https://triage.example.com', 'no double slash before /docs');
});
