/**
 * PGlite has one connection, and Kysely's PGlite driver sends every query to the open transaction if there
 * is one, whoever asked. Without a lock, a request's read could land inside another request's transaction
 * (and be rolled back with it). This dialect hands the connection to one user at a time, as Kysely's SQLite
 * driver does, so MikroORM, pg-boss and our raw SQL can share the instance safely.
 */
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { type DatabaseConnection, type Dialect, type Driver, PGliteDialect } from 'kysely';
import arrayParser from 'postgres-array';
import { createPostgreSqlTypeParsers } from '@mikro-orm/sql';
import { Mutex } from '../lib/mutex.ts';

/**
 * Postgres's memory settings for one embedded user. Its defaults are sized for a server of 100 connections:
 * 128 MB of shared_buffers alone grew PGlite's WebAssembly heap from 128 to 188 MB, every page of it touched.
 * The data directory is in the OS page cache anyway, so a small buffer pool costs little time.
 */
export const PGLITE_SETTINGS: Record<string, string> = {
  shared_buffers: '16MB',
  maintenance_work_mem: '16MB',
  temp_buffers: '2MB',
  max_connections: '8',
};

/** PGlite's own start parameters with PGLITE_SETTINGS on top. */
export const pgliteStartParams = () => [...PGlite.defaultStartParams, ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`])];

/**
 * `image`: a data directory dumped by PGlite (dumpDataDir) that an in-memory database starts from instead of
 * running initdb: the test suite boots hundreds of services from one migrated image (initdb alone is ~2 s).
 */
export function createSerializedPgliteDialect(dataDir: string, image?: Blob): { dialect: Dialect; pglite: Promise<PGlite> } {
  const pglite = PGlite.create({
    dataDir: dataDir === 'memory://' ? undefined : dataDir,
    ...(image ? { loadDataDir: image } : {}),
    parsers: createPostgreSqlTypeParsers((s) => arrayParser.parse(s)),
    // Trigram matching for search (the migration creates the extension and its indexes).
    extensions: { pg_trgm },
    startParams: pgliteStartParams(),
  });
  const inner = new PGliteDialect({ pglite: () => pglite });
  const dialect: Dialect = {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver: () => serialize(inner.createDriver()),
  };
  return { dialect, pglite };
}

function serialize(driver: Driver): Driver {
  const mutex = new Mutex();
  const releases: (() => void)[] = [];
  return {
    init: () => driver.init(),
    async acquireConnection(): Promise<DatabaseConnection> {
      const release = await mutex.acquire();
      releases.push(release);
      return driver.acquireConnection();
    },
    async releaseConnection(connection) {
      await driver.releaseConnection(connection);
      // Holders release in the order they acquired: the lock admits one at a time.
      releases.shift()?.();
    },
    beginTransaction: (c, s) => driver.beginTransaction(c, s),
    commitTransaction: (c) => driver.commitTransaction(c),
    rollbackTransaction: (c) => driver.rollbackTransaction(c),
    savepoint: driver.savepoint?.bind(driver),
    rollbackToSavepoint: driver.rollbackToSavepoint?.bind(driver),
    releaseSavepoint: driver.releaseSavepoint?.bind(driver),
    destroy: () => driver.destroy(),
  };
}
