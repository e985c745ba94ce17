import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import pg from 'pg';
import { createTestDatabase } from '../kit/database.ts';
import { api } from '../kit/service.ts';
import { run, startService } from './harness.ts';

test('an invalid configuration stops start-up with one message naming every bad variable', async (t) => {
  t.timeout(300_000);
  const result = await run(['src/main.ts'], { PORT: 'eighty', CLASSIFIER_MIN_CONFIDENCE: '7', IMAP_HOST: 'mail.example.com' });
  t.is(result.code, 2);
  for (const name of ['PORT', 'CLASSIFIER_MIN_CONFIDENCE', 'IMAP_USER']) t.regex(result.stderr, new RegExp(name));
});

test('the service starts on the embedded database, answers, and stops cleanly on SIGTERM', async (t) => {
  t.timeout(300_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'st-main-'));
  try {
    const service = await startService({ PGLITE_DATA_DIR: path.join(dir, 'db'), LOG_LEVEL: 'info' });
    const res = await api(service.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'stored before the shutdown signal' } });
    t.is(res.status, 201);
    const result = await service.stop();
    t.is(result.code, 0, result.stderr);
    t.regex(result.stdout, /"msg":"support triage stopped"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('db:migrate applies the migrations once; seed loads a CSV through ingest and is idempotent', async (t) => {
  t.timeout(300_000);
  const db = await createTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'st-seed-'));
  try {
    const env = { DATABASE_URL: db.url };
    const first = await run(['src/cli/migrate.ts', 'up'], env);
    t.is(first.code, 0, first.stderr);
    t.regex(first.stdout, /applied: Migration/);
    const second = await run(['src/cli/migrate.ts', 'up'], env);
    t.regex(second.stdout, /up to date/);

    const csv = path.join(dir, 'tickets.csv');
    writeFileSync(
      csv,
      'subject,body,answer,type,queue,priority,language,tags,version\n' +
        'Invoice wrong,"My invoice lists a charge twice, please fix",,Problem,Billing and Payments,high,en,Billing|Invoice,v4\n' +
        'VPN down,"The VPN client fails with ""error 809"" since Monday",,Incident,Technical Support,critical,en,VPN,v4\n' +
        'Empty,,,,General Inquiry,low,en,,v4\n',
    );
    const seeded = await run(['src/cli/seed.ts', '--file', csv, '--limit', '10'], env);
    t.is(seeded.code, 0, seeded.stderr);
    t.regex(seeded.stdout, /2 created, 0 already present, 1 rows without a body skipped/);
    const again = await run(['src/cli/seed.ts', '--file', csv], env);
    t.regex(again.stdout, /0 created, 2 already present/);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const rows = (await client.query("select subject, original_queue, original_priority, tags from tickets where source = 'seed' order by id")).rows;
    await client.end();
    t.deepEqual(rows.map((r) => [r.subject, r.original_queue, r.original_priority]), [
      ['Invoice wrong', 'Billing and Payments', 'high'],
      ['VPN down', 'Technical Support', 'critical'],
    ]);
    t.deepEqual(rows[0].tags, ['Billing', 'Invoice']);

    const missing = await run(['src/cli/seed.ts', '--file', path.join(dir, 'nope.csv')], env);
    t.is(missing.code, 1);
    t.regex(missing.stderr, /cannot read .*nope\.csv/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
});
