/**
 * Start-up failures a person can act on: one line on stderr saying what is wrong and what to do, no stack
 * trace, a non-zero exit code. The real process (`node src/main.ts`) each time.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { createTestDatabase, POSTGRES_URL } from '../kit/database.ts';
import { startFakePostgres } from './fake-postgres.ts';
import { run, type Run, type RunOptions } from './harness.ts';
import { freePort } from '../kit/net.ts';

function assertOneLine(t: { is(a: unknown, b: unknown, m?: string): void; notRegex(s: string, r: RegExp): void }, result: Run) {
  t.is(result.stderr.trim().split('\n').length, 1, `one line, got: ${result.stderr}`);
  t.notRegex(result.stderr, /\n\s+at |Error:/);
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'st-startup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const withDatabase = (name: string) => {
  const u = new URL(POSTGRES_URL);
  u.pathname = `/${name}`;
  return u.toString();
};

const start = (env: Record<string, string>, options?: RunOptions) => run(['src/main.ts'], { HOST: '127.0.0.1', PORT: '0', ...env }, options);

test('a port in use stops start-up before the database is opened', async (t) => {
  t.timeout(300_000);
  const dir = tempDir(t);
  const blocker = createServer();
  const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
  t.teardown(() => void blocker.close());
  const result = await start({ PORT: String(port), PGLITE_DATA_DIR: path.join(dir, 'pglite') });
  t.is(result.code, 1);
  t.regex(result.stderr, new RegExp(`^support-triage: port ${port} on 127\\.0\\.0\\.1 is already in use .*set PORT to a free port`));
  assertOneLine(t, result);
  t.false(existsSync(path.join(dir, 'pglite')), 'no database was created or migrated');
});

test('HOST that is not an address of this machine is named', async (t) => {
  t.timeout(300_000);
  const result = await start({ HOST: '192.0.2.123', PORT: String(await freePort()), PGLITE_DATA_DIR: 'memory://' });
  t.is(result.code, 1);
  t.regex(result.stderr, /192\.0\.2\.123 is not an address of this machine \(EADDRNOTAVAIL\): set HOST/);
  assertOneLine(t, result);
});

test('PostgreSQL not listening: says so and what to fix', async (t) => {
  t.timeout(300_000);
  const port = await freePort();
  const result = await start({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test` });
  t.is(result.code, 1);
  t.regex(result.stderr, new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port} refuses connections \\(ECONNREFUSED\\): start PostgreSQL, or fix the host and port in DATABASE_URL`));
  assertOneLine(t, result);
});

test('an unknown PostgreSQL host is named', async (t) => {
  t.timeout(300_000);
  const result = await start({ DATABASE_URL: 'postgres://postgres@no-such-host.invalid:5432/test' });
  t.is(result.code, 1);
  t.regex(result.stderr, /cannot resolve the PostgreSQL host "no-such-host\.invalid" \(E\w+\): fix the host in DATABASE_URL/);
  assertOneLine(t, result);
});

test('a database that does not exist: names it and how to create it', async (t) => {
  t.timeout(300_000);
  const result = await start({ DATABASE_URL: withDatabase('st_no_such_database') });
  t.is(result.code, 1);
  t.regex(result.stderr, /database "st_no_such_database" does not exist on PostgreSQL at .*: create it \(createdb .* st_no_such_database\)/);
  assertOneLine(t, result);
});

test('a role that does not exist: names it', async (t) => {
  t.timeout(300_000);
  const { url, drop } = await createTestDatabase();
  t.teardown(drop);
  const u = new URL(url);
  u.username = 'st_no_such_role';
  const result = await start({ DATABASE_URL: u.toString() });
  t.is(result.code, 1);
  t.regex(result.stderr, /refused user "st_no_such_role" \(role "st_no_such_role" does not exist\): create the role \(createuser st_no_such_role\)/);
  assertOneLine(t, result);
});

test('a URL without a user name: says to add one', async (t) => {
  t.timeout(300_000);
  const u = new URL(POSTGRES_URL);
  u.username = '';
  // No USER or PGUSER in the child's environment either: the client sends no user name at all.
  const result = await start({ DATABASE_URL: u.toString() });
  t.is(result.code, 1);
  t.regex(result.stderr, /DATABASE_URL names no user: add one \(postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE\)/);
  assertOneLine(t, result);
});

test('a wrong password: says so, and never prints the password', async (t) => {
  t.timeout(300_000);
  const fake = await startFakePostgres();
  t.teardown(fake.close);
  const result = await start({ DATABASE_URL: `postgres://alice:s3cret-Pa55@127.0.0.1:${fake.port}/app` });
  t.is(result.code, 1);
  t.deepEqual(fake.passwords, ['s3cret-Pa55'], 'the client really sent it');
  t.regex(result.stderr, new RegExp(`password authentication failed for user "alice" on PostgreSQL at 127\\.0\\.0\\.1:${fake.port}: fix the password in DATABASE_URL`));
  t.notRegex(result.stderr + result.stdout, /s3cret-Pa55/);
  assertOneLine(t, result);
});

test('a data directory the service may not write: names it and what to do', async (t) => {
  t.timeout(300_000);
  const dir = tempDir(t);
  const readOnly = path.join(dir, 'read-only');
  mkdirSync(readOnly);
  chmodSync(dir, 0o755);
  chmodSync(readOnly, 0o555);
  // root may write anywhere: run the service as an unprivileged user then.
  const asUser: RunOptions = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const result = await start({ PGLITE_DATA_DIR: path.join(readOnly, 'pglite') }, asUser);
  t.is(result.code, 1, result.stderr);
  t.regex(result.stderr, /cannot write the embedded database directory .*read-only\/pglite \(EACCES\): make it writable for this user \(uid \d+\), set PGLITE_DATA_DIR to a writable directory, or set DATABASE_URL/);
  assertOneLine(t, result);
});
