/**
 * Databases for tests and benchmarks. Tests get a throwaway PostgreSQL database each (created from
 * TEST_DATABASE_URL or the local server, dropped afterwards), or a durable one that outlives a service
 * restart; benchmarks re-create a named database of their own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';

/**
 * The PostgreSQL server tests create their databases on: the service's own in a PostgreSQL run
 * (TEST_DATABASE_URL), else the one `npm test` started (TEST_POSTGRES_URL), else a local server (bare `npx ava`).
 */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL || process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Anything with ava's t.teardown. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A new database on the server of `serverUrl`. Without a name it gets a unique one; `replace` drops a
 * database of that name first (benchmarks re-run into the same name).
 */
export async function createTestDatabase(serverUrl = POSTGRES_URL, options: { name?: string; replace?: boolean } = {}): Promise<TestDatabase> {
  const name = options.name ?? `st_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  // Interpolated into DDL (identifiers cannot be bound parameters).
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  await admin(serverUrl, async (client) => {
    if (options.replace) await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name}`);
  });
  return {
    url: databaseUrl(serverUrl, name),
    drop: () => admin(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** Drops (when present) and creates the database `name`; returns its URL. For benchmarks, which keep it. */
export async function recreateDatabase(name: string, serverUrl: string): Promise<string> {
  return (await createTestDatabase(serverUrl, { name, replace: true })).url;
}

/**
 * Service environment for a database that survives a service stop, removed at the end of the test: PGlite in
 * a folder, or a PostgreSQL database in a PostgreSQL run (TEST_DATABASE_URL set).
 */
export async function durableDatabase(t: Teardown): Promise<Record<string, string>> {
  if (process.env.TEST_DATABASE_URL) {
    const db = await createTestDatabase();
    t.teardown(() => db.drop());
    return { DATABASE_URL: db.url };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'st-pglite-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { PGLITE_DATA_DIR: dir };
}

/**
 * A migrated database of its own, closed (and dropped) when the test ends: a throwaway PostgreSQL database in a
 * PostgreSQL run, else an in-memory PGlite. For the query-plan tests, which fill it and ask the planner.
 */
export async function migratedDatabase(t: Teardown): Promise<Database> {
  const pgDb = process.env.TEST_DATABASE_URL ? await createTestDatabase() : undefined;
  if (pgDb) t.teardown(() => pgDb.drop());
  const config = loadConfig(pgDb ? { DATABASE_URL: pgDb.url } : { PGLITE_DATA_DIR: 'memory://' });
  const db = await openDatabase(config.database, pino({ level: 'silent' }), { poolSize: 2 });
  t.teardown(() => db.close());
  await db.migrate();
  return db;
}
