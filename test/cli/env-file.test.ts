/**
 * Every command reads .env from its working directory (src/cli/bootstrap.ts): DATABASE_URL set only there
 * must send seed and db:migrate to PostgreSQL, not silently to an embedded database in ./data/pglite.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import pg from 'pg';
import { createTestDatabase } from '../kit/database.ts';
import { root, run } from './harness.ts';

const seedCli = path.join(root, 'src/cli/seed.ts');
const migrateCli = path.join(root, 'src/cli/migrate.ts');

async function seededSubjects(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = (await client.query("select to_regclass('public.tickets') as t")).rows[0].t;
    if (!exists) return [];
    return (await client.query("select subject from tickets where source = 'seed' order by id")).rows.map((r) => r.subject);
  } finally {
    await client.end();
  }
}

function workdir(t: { teardown(fn: () => void): void }, dotenv: string): string {
  const cwd = mkdtempSync(path.join(tmpdir(), 'st-dotenv-'));
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(path.join(cwd, '.env'), dotenv);
  writeFileSync(path.join(cwd, 'tickets.csv'), 'subject,body\nFrom dotenv,"A ticket that must land in the PostgreSQL database named in .env"\n');
  return cwd;
}

test('seed and db:migrate use DATABASE_URL from .env in the working directory', async (t) => {
  t.timeout(300_000);
  const db = await createTestDatabase();
  t.teardown(db.drop);
  const cwd = workdir(t, `# a comment\nDATABASE_URL=${db.url}\nLOG_LEVEL=warn\n`);
  const migrated = await run([migrateCli, 'up'], {}, { cwd });
  t.is(migrated.code, 0, migrated.stderr);
  t.regex(migrated.stdout, /applied: Migration/);
  const seeded = await run([seedCli, '--file', 'tickets.csv'], {}, { cwd });
  t.is(seeded.code, 0, seeded.stderr);
  t.regex(seeded.stdout, /1 created/);
  t.deepEqual(await seededSubjects(db.url), ['From dotenv']);
  t.false(existsSync(path.join(cwd, 'data')), 'no embedded database was created beside .env');
});

test('a variable set in the environment wins over .env', async (t) => {
  t.timeout(300_000);
  const [fromFile, fromEnv] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  t.teardown(async () => {
    await fromFile.drop();
    await fromEnv.drop();
  });
  const cwd = workdir(t, `DATABASE_URL=${fromFile.url}\n`);
  const seeded = await run([seedCli, '--file', 'tickets.csv'], { DATABASE_URL: fromEnv.url }, { cwd });
  t.is(seeded.code, 0, seeded.stderr);
  t.deepEqual(await seededSubjects(fromEnv.url), ['From dotenv']);
  t.deepEqual(await seededSubjects(fromFile.url), []);
});

test('an invalid value in .env stops the command with the variable named, before anything is written', async (t) => {
  t.timeout(300_000);
  const cwd = workdir(t, 'PORT=eighty\nDATABASE_URL=mysql://wrong.example/db\n');
  for (const cli of [seedCli, migrateCli]) {
    const result = await run(cli === seedCli ? [cli, '--file', 'tickets.csv'] : [cli, 'up'], {}, { cwd });
    t.is(result.code, 2, result.stderr);
    t.regex(result.stderr, /Invalid configuration:\n  - PORT: must be an integer[^\n]*\n  - DATABASE_URL: must be a URL/);
    t.notRegex(result.stderr, /\n\s+at /);
  }
  t.false(existsSync(path.join(cwd, 'data')));
});
