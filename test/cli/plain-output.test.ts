/**
 * Commands that print their own results (db:migrate, seed) print plain lines only, with true counts, at the
 * default log level: no JSON log lines around them, each migration named once. On PostgreSQL when
 * TEST_DATABASE_URL is set, else on an embedded data directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { commandLogLevel } from '../../src/cli/bootstrap.ts';
import { durableDatabase } from '../kit/database.ts';
import { run } from './harness.ts';

const noJsonLines = (output: string) => output.split('\n').filter((line) => line.trimStart().startsWith('{'));

test('db:migrate names each migration once and seed says what it did, in plain lines, at LOG_LEVEL=info', async (t) => {
  t.timeout(600_000);
  const env = { ...(await durableDatabase(t)), LOG_LEVEL: 'info' };
  const dir = mkdtempSync(path.join(tmpdir(), 'st-plain-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  const migrated = await run(['src/cli/migrate.ts'], env);
  t.is(migrated.code, 0, migrated.stderr);
  t.deepEqual(noJsonLines(migrated.stdout + migrated.stderr), []);
  const names = migrated.stdout.match(/Migration\w+/g) ?? [];
  t.true(names.length > 1);
  t.is(new Set(names).size, names.length, 'each migration is named once');

  const csv = path.join(dir, 'tickets.csv');
  writeFileSync(csv, 'subject,body\nInvoice,"My invoice shows the same charge twice"\nLogin,"I cannot log in since the update"\nBlank,\n');
  const first = await run(['src/cli/seed.ts', '--file', csv], env);
  t.is(first.code, 0, first.stderr);
  t.deepEqual(noJsonLines(first.stdout + first.stderr), []);
  t.is(first.stdout.trim(), [
    'seeded: 2 created, 0 already present, 1 rows without a body skipped',
    '2 classification jobs queued: the service classifies them when it runs (npm start); no Slack alerts for them (--alert to send them)',
  ].join('\n'));

  // A rerun creates nothing and so queues nothing: it must not say it did.
  const again = await run(['src/cli/seed.ts', '--file', csv], env);
  t.is(again.code, 0, again.stderr);
  t.deepEqual(noJsonLines(again.stdout + again.stderr), []);
  t.is(again.stdout.trim(), 'seeded: 0 created, 2 already present, 1 rows without a body skipped\nnothing new to classify');
});

test('a plain-output command hides info lines only: warnings, errors and an asked-for debug level go through', (t) => {
  t.is(commandLogLevel('info', true), 'warn');
  for (const level of ['debug', 'trace', 'warn', 'error', 'silent']) t.is(commandLogLevel(level, true), level);
  t.is(commandLogLevel('info', false), 'info', 'the service and other commands keep the configured level');
});
