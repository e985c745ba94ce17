/**
 * The embedded database is one process's: with the service running on a data directory, every other process
 * that would open it (seed, db:migrate, dead-letters, classifier:train --with-corrections, a second service)
 * refuses, naming the holder, and the data stays intact. Real processes: `node src/main.ts` and the CLI scripts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { lockFileFor } from '../../src/db/data-dir-lock.ts';
import { api } from '../kit/service.ts';
import { deadPid, run, startService } from './harness.ts';

const CSV = 'subject,body,queue,priority,language\n' +
  'Invoice wrong,"My invoice lists a charge twice, please fix",Billing and Payments,high,en\n' +
  'VPN down,"The VPN client fails with error 809 since Monday",Technical Support,critical,en\n';

test('while the service runs on a data directory, seed, migrate, dead-letters, training with corrections and a second service refuse; afterwards they work', async (t) => {
  t.timeout(900_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'st-dirlock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'pglite');
  const env = { PGLITE_DATA_DIR: dataDir };
  const csv = path.join(dir, 'tickets.csv');
  writeFileSync(csv, CSV);

  // A lock left by a process that died (a SIGKILL, a power cut) does not block the next start.
  writeFileSync(lockFileFor(dataDir), JSON.stringify({ pid: await deadPid(), host: hostname(), command: 'node src/main.ts', since: '2026-11-30T08:00:00.000Z', token: 'x' }));

  const service = await startService(env);
  t.teardown(() => void service.stop());
  const pid = service.process.pid!;
  t.like(JSON.parse(readFileSync(lockFileFor(dataDir), 'utf8')), { pid, command: 'node src/main.ts' });
  const created = await api(service.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Before the seed', body: 'Created through REST while the service holds the directory' } });
  t.is(created.status, 201);

  const refused = new RegExp(`${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by pid ${pid} \\(node src/main\\.ts, since [0-9T:.-]+Z\\): stop it first`);
  const seed = await run(['src/cli/seed.ts', '--file', csv], env);
  t.is(seed.code, 1, seed.stderr);
  t.regex(seed.stderr, refused);
  t.is(seed.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  t.notRegex(seed.stdout, /created/);

  const migrate = await run(['src/cli/migrate.ts', 'up'], env);
  t.is(migrate.code, 1, migrate.stderr);
  t.regex(migrate.stderr, refused);

  const deadLetters = await run(['src/cli/dead-letters.ts', 'list'], env);
  t.is(deadLetters.code, 1, deadLetters.stderr);
  t.regex(deadLetters.stderr, refused);

  const labelled = path.join(dir, 'labelled.csv');
  writeFileSync(labelled, `subject,body,category,language\n${Array.from({ length: 12 }, (_, i) => `Row ${i},"Text number ${i} about ${['an invoice', 'a crash', 'opening hours'][i % 3]}",${['billing', 'technical', 'general'][i % 3]},en`).join('\n')}\n`);
  const train = await run(['src/cli/classifier-train.ts', '--file', labelled, '--with-corrections', '--out', path.join(dir, 'model')], env);
  t.is(train.code, 1, train.stderr);
  t.regex(train.stderr, refused);
  t.false(existsSync(path.join(dir, 'model')));

  const second = await run(['src/main.ts'], { ...env, PORT: '0', HOST: '127.0.0.1' });
  t.is(second.code, 1, second.stderr);
  t.regex(second.stderr, refused);

  // The first service is unharmed: it answers and has exactly its one ticket.
  const list = await api(service.baseUrl, '/api/v1/requests');
  t.is(list.status, 200);
  t.deepEqual(list.json.items.map((i: { subject: string }) => i.subject), ['Before the seed']);
  const stopped = await service.stop();
  t.is(stopped.code, 0, stopped.stderr);
  t.false(existsSync(lockFileFor(dataDir)), 'the lock is released at shutdown');

  // Stopped: the commands work, and a new start sees everything.
  const seeded = await run(['src/cli/seed.ts', '--file', csv], env);
  t.is(seeded.code, 0, seeded.stderr);
  t.regex(seeded.stdout, /2 created, 0 already present/);
  const migrated = await run(['src/cli/migrate.ts', 'up'], env);
  t.is(migrated.code, 0, migrated.stderr);
  t.regex(migrated.stdout, /up to date/);
  t.false(existsSync(lockFileFor(dataDir)));

  const again = await startService(env);
  t.teardown(() => void again.stop());
  const all = await api(again.baseUrl, '/api/v1/requests?limit=10');
  const ids = all.json.items.map((i: { id: number }) => i.id);
  t.is(new Set(ids).size, 3, 'three tickets with distinct ids');
  t.deepEqual(all.json.items.map((i: { subject: string }) => i.subject).sort(), ['Before the seed', 'Invoice wrong', 'VPN down']);
  t.is((await again.stop()).code, 0);
});
