/**
 * A first start on the embedded database: the cluster is made in a child process and moved into place only
 * when complete, with Postgres's small-memory settings. What an operator would notice: the directory works
 * (and keeps its data across a restart), a half-made cluster from a killed first start never breaks the next
 * one, a directory holding something else is refused with a message, and the settings are the light ones.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { hasCluster, initPgliteCluster } from '../../src/db/pglite-initdb.ts';

const silent = pino({ level: 'silent' });

function scratch(t: { teardown(fn: () => void): void }): string {
  const parent = mkdtempSync(path.join(tmpdir(), 'pglite-first-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  return parent;
}

test('a first start creates the database, says so once, and a restart finds the data', async (t) => {
  const dataDir = path.join(scratch(t), 'pglite');
  const config = loadConfig({ PGLITE_DATA_DIR: dataDir });
  let creating = 0;
  const first = await openDatabase(config.database, silent, { onCreating: () => creating++ });
  try {
    t.is(creating, 1, 'the first start announces the creation');
    await first.migrate();
    await first.sql.query("insert into saved_replies (title, body) values ('kept', 'across a restart')");
    // Postgres's defaults are sized for a server of 100 connections; the embedded one runs small.
    const settings = await first.sql.query<{ name: string; setting: string; unit: string | null }>(
      "select name, setting, unit from pg_settings where name in ('shared_buffers', 'max_connections')",
    );
    const byName = Object.fromEntries(settings.map((r) => [r.name, Number(r.setting)]));
    t.is(byName.shared_buffers, 2048, 'shared_buffers is 16 MB (2048 pages of 8 kB)');
    t.true(byName.max_connections! <= 10);
  } finally {
    await first.close();
  }
  t.deepEqual(readdirSync(path.dirname(dataDir)).filter((e) => e.includes('.initdb-')), [], 'no staging directory left');

  const again = await openDatabase(config.database, silent, { onCreating: () => creating++ });
  try {
    t.is(creating, 1, 'a restart creates nothing');
    const rows = await again.sql.query<{ body: string }>("select body from saved_replies where title = 'kept'");
    t.deepEqual(rows.map((r) => r.body), ['across a restart']);
  } finally {
    await again.close();
  }
});

test('the leftovers of a first start killed mid-initdb are removed and the next first start works', async (t) => {
  const parent = scratch(t);
  const dataDir = path.join(parent, 'pglite');
  mkdirSync(dataDir);
  const leftover = path.join(parent, 'pglite.initdb-4242');
  mkdirSync(path.join(leftover, 'base'), { recursive: true });
  writeFileSync(path.join(leftover, 'base', 'half-written'), 'x');

  t.is(await initPgliteCluster(dataDir), 'created');
  t.true(hasCluster(dataDir));
  t.deepEqual(readdirSync(parent).sort(), ['pglite']);
  t.is(await initPgliteCluster(dataDir), 'existed', 'a second call leaves the cluster as it is');
});

test('a directory that holds other files but no database is refused, not overwritten', async (t) => {
  const dataDir = path.join(scratch(t), 'pglite');
  mkdirSync(dataDir);
  writeFileSync(path.join(dataDir, 'notes.txt'), 'mine');
  const config = loadConfig({ PGLITE_DATA_DIR: dataDir });
  const error = await t.throwsAsync(openDatabase(config.database, silent));
  t.regex(error.message, /is not empty but holds no database/);
  t.deepEqual(readdirSync(dataDir), ['notes.txt'], 'the operator\'s file is untouched');
  t.deepEqual(readdirSync(path.dirname(dataDir)), ['pglite'], 'the staged cluster is removed');
});

test('a volume\'s root (it has lost+found and cannot be replaced) gets the database copied in', async (t) => {
  const parent = scratch(t);
  const dataDir = path.join(parent, 'volume');
  mkdirSync(path.join(dataDir, 'lost+found'), { recursive: true });
  t.is(await initPgliteCluster(dataDir), 'created');
  t.true(hasCluster(dataDir));
  t.true(readdirSync(dataDir).includes('lost+found'), 'lost+found is kept');
  t.deepEqual(readdirSync(parent), ['volume'], 'no staging directory left');
  const config = loadConfig({ PGLITE_DATA_DIR: dataDir });
  const db = await openDatabase(config.database, silent);
  try {
    t.true((await db.migrate()).length > 0, 'the copied cluster works');
  } finally {
    await db.close();
  }
});
