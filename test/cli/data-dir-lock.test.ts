import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { DataDirLockedError, FOREIGN_STALE_MS, lockDataDir, lockFileFor } from '../../src/db/data-dir-lock.ts';
import { deadPid, root, start } from './harness.ts';

function tempDataDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'st-lock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'pglite');
}

const readHolder = (dataDir: string) => JSON.parse(readFileSync(lockFileFor(dataDir), 'utf8'));

function writeLock(dataDir: string, holder: Record<string, unknown>): void {
  writeFileSync(lockFileFor(dataDir), JSON.stringify({ command: 'node src/main.ts', since: '2026-11-30T08:00:00.000Z', token: 'old', ...holder }));
}

test('the lock records who holds it; a second open is refused until it is released', (t) => {
  const dir = tempDataDir(t);
  const lock = lockDataDir(dir, 'npm start');
  t.like(readHolder(dir), { pid: process.pid, host: hostname(), command: 'npm start' });
  const error = t.throws(() => lockDataDir(dir), { instanceOf: DataDirLockedError });
  t.regex(error!.message, new RegExp(`${dir} is in use by pid ${process.pid} \\(npm start, since \\d{4}-`));
  lock.release();
  t.false(existsSync(lockFileFor(dir)));
  lock.release(); // idempotent
  const again = lockDataDir(dir);
  again.release();
  t.pass();
});

test('the same directory spelled differently is the same lock', (t) => {
  const dir = tempDataDir(t);
  const lock = lockDataDir(dir);
  t.teardown(() => lock.release());
  t.throws(() => lockDataDir(`${dir}/`), { instanceOf: DataDirLockedError });
  t.throws(() => lockDataDir(path.relative(process.cwd(), dir)), { instanceOf: DataDirLockedError });
  t.throws(() => lockDataDir(path.join(dir, '..', 'pglite')), { instanceOf: DataDirLockedError });
});

test('a lock left by a dead process on this host is taken over', async (t) => {
  const dir = tempDataDir(t);
  const pid = await deadPid();
  writeLock(dir, { pid, host: hostname() });
  const lock = lockDataDir(dir);
  t.is(readHolder(dir).pid, process.pid);
  lock.release();
});

test('an empty or damaged lock file is taken over', (t) => {
  const dir = tempDataDir(t);
  for (const content of ['', '{"pid":', 'not json at all', '[]']) {
    writeFileSync(lockFileFor(dir), content);
    const lock = lockDataDir(dir);
    t.is(readHolder(dir).pid, process.pid, JSON.stringify(content));
    lock.release();
  }
});

test('a lock held by a live process is refused with its pid and command, and left in place', async (t) => {
  const dir = tempDataDir(t);
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)']);
  t.teardown(() => holder.kill('SIGKILL'));
  writeLock(dir, { pid: holder.pid, host: hostname(), command: 'node src/cli/seed.ts --file x.csv' });
  const before = readFileSync(lockFileFor(dir), 'utf8');
  const error = t.throws(() => lockDataDir(dir), { instanceOf: DataDirLockedError });
  t.regex(error!.message, new RegExp(`is in use by pid ${holder.pid} \\(node src/cli/seed\\.ts --file x\\.csv, since 2026-11-30T08:00:00\\.000Z\\): stop it first`));
  t.is(readFileSync(lockFileFor(dir), 'utf8'), before);
});

test('a lock from another host is respected while its holder refreshes it, and taken over once it stops', (t) => {
  const dir = tempDataDir(t);
  writeLock(dir, { pid: 1, host: 'other-host.example' });
  const error = t.throws(() => lockDataDir(dir), { instanceOf: DataDirLockedError });
  t.regex(error!.message, /in use by pid 1 on host other-host\.example/);
  const old = new Date(Date.now() - FOREIGN_STALE_MS - 5_000);
  utimesSync(lockFileFor(dir), old, old);
  const lock = lockDataDir(dir);
  t.is(readHolder(dir).host, hostname());
  lock.release();
});

test('release leaves a lock alone that is no longer ours', (t) => {
  const dir = tempDataDir(t);
  const lock = lockDataDir(dir);
  writeLock(dir, { pid: 4242, host: 'someone-else.example' });
  lock.release();
  t.is(readHolder(dir).host, 'someone-else.example');
});

test('a process that exits normally removes its lock', async (t) => {
  const dir = tempDataDir(t);
  const child = start([path.join(root, 'test/cli/fixtures/take-lock.ts'), dir], {});
  const { waitFor } = await import('../kit/wait.ts');
  await waitFor(() => child.stdout.includes('won'), { timeoutMs: 60_000, what: 'the child to take the lock' });
  t.is(readHolder(dir).pid, child.process.pid);
  child.process.stdin!.end();
  t.is((await child.done).code, 0);
  t.false(existsSync(lockFileFor(dir)));
});

test('several processes taking over one stale lock at once: exactly one wins', async (t) => {
  const dir = tempDataDir(t);
  writeLock(dir, { pid: await deadPid(), host: hostname() });
  const children = Array.from({ length: 6 }, () => start([path.join(root, 'test/cli/fixtures/take-lock.ts'), dir, '--wait'], {}));
  const { waitFor } = await import('../kit/wait.ts');
  await waitFor(() => children.every((c) => c.stdout.startsWith('ready')), { timeoutMs: 90_000, what: 'every child to load' });
  const at = Date.now() + 500;
  for (const c of children) c.process.stdin!.write(`go ${at}\n`);
  // Losers exit at once; the winner holds the lock until its stdin closes.
  await waitFor(() => children.every((c) => /^(won|refused)/m.test(c.stdout)), { timeoutMs: 90_000, what: 'every child to try' });
  const winners = children.filter((c) => /^won/m.test(c.stdout));
  t.is(winners.length, 1, children.map((c) => c.stdout.trim()).join(' | '));
  t.is(readHolder(dir).pid, winners[0]!.process.pid);
  for (const loser of children.filter((c) => c !== winners[0])) {
    t.regex(loser.stdout, new RegExp(`refused .*in use by pid ${winners[0]!.process.pid} \\(take-lock fixture`));
  }
  for (const c of children) c.process.stdin!.end();
  await Promise.all(children.map((c) => c.done));
  t.false(existsSync(lockFileFor(dir)));
});
