/**
 * `npm test` itself (scripts/test.ts), running a probe instead of the suite: it starts a PostgreSQL cluster
 * of its own on a free port (never the usual 5432) with a `test` database, hands it to the tests, runs the
 * service under test on it with --postgres, removes it at the end and on Ctrl-C, and uses a server given in
 * TEST_DATABASE_URL or TEST_POSTGRES_URL instead of starting one.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createTestDatabase } from '../kit/database.ts';
import { waitFor } from '../kit/wait.ts';
import { endsWithin, start } from './harness.ts';

const CONFIG = ['--config', 'test/cli/fixtures/runner-probe/ava.config.js'];

interface Probe {
  server: string;
  database: string | null;
  dir: string;
  db: string;
}

function probeFile(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'st-runner-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'probe.json');
}

async function runner(t: ExecutionContext, args: string[], env: Record<string, string> = {}) {
  const out = probeFile(t);
  const result = await endsWithin(start(['scripts/test.ts', ...args, ...CONFIG], { PROBE_OUT: out, ...env }), 300_000, 'npm test');
  t.is(result.code, 0, `${result.stdout}\n${result.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as Probe;
}

test.serial('by default: a cluster of its own on a free port for the tests, the service under test on PGlite; removed afterwards', async (t) => {
  t.timeout(400_000);
  const probe = await runner(t, []);
  const server = new URL(probe.server);
  t.not(server.port, '5432');
  t.is(probe.db, 'test');
  t.is(probe.database, '');
  t.false(existsSync(probe.dir), 'the cluster is removed after the run');
});

test.serial('--postgres: the service under test runs on that cluster too', async (t) => {
  t.timeout(400_000);
  const probe = await runner(t, ['--postgres']);
  t.is(probe.database, probe.server);
  t.not(new URL(probe.server).port, '5432');
  t.false(existsSync(probe.dir));
});

test.serial('TEST_DATABASE_URL set: the service under test runs on that server, and no cluster is started', async (t) => {
  t.timeout(400_000);
  const own = await createTestDatabase();
  t.teardown(() => own.drop());
  const probe = await runner(t, [], { TEST_DATABASE_URL: own.url });
  t.is(probe.server, own.url);
  t.is(probe.database, own.url);
  t.true(existsSync(probe.dir), 'the server given is left running');
});

test.serial('TEST_POSTGRES_URL set: the tests get that server, the service under test stays on PGlite', async (t) => {
  t.timeout(400_000);
  const own = await createTestDatabase();
  t.teardown(() => own.drop());
  const probe = await runner(t, [], { TEST_POSTGRES_URL: own.url });
  t.is(probe.server, own.url);
  t.is(probe.database, '');
  t.true(existsSync(probe.dir));
});

test.serial('Ctrl-C during the run: the cluster is stopped and removed', async (t) => {
  t.timeout(400_000);
  const out = probeFile(t);
  const child = start(['scripts/test.ts', ...CONFIG], { PROBE_OUT: out, PROBE_WAIT: '1' });
  await waitFor(() => existsSync(out), { timeoutMs: 240_000, what: 'the probe to run' });
  const probe = JSON.parse(readFileSync(out, 'utf8')) as Probe;
  t.true(existsSync(probe.dir));
  child.process.kill('SIGINT');
  await endsWithin(child, 120_000, 'npm test after Ctrl-C');
  t.false(existsSync(probe.dir));
});
