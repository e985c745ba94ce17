/**
 * Opens the database: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise. Same entities and
 * migrations for both. Exposes the MikroORM instance (schema and migrations) and a SQL handle over the same
 * connection(s), which every query uses.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import type { MikroORM } from '@mikro-orm/core';
import type { PGlite } from '@electric-sql/pglite';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { StartupError } from '../lib/startup-error.ts';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import { sharedOrmOptions } from './orm-options.ts';
import { checkPostgres } from './postgres-check.ts';
import { type DB, type Sql, sqlOf } from './sql.ts';
import { CONNECT_TIMEOUT_MS } from './unavailable.ts';

export interface Database {
  orm: MikroORM;
  kind: 'pglite' | 'postgresql';
  sql: Sql;
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Applies pending migrations; on PostgreSQL under an advisory lock so several instances can start at once. */
  migrate(): Promise<string[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** The embedded instance (PGlite only): pg-boss talks to it directly, PGlite's own lock serializing it with our transactions. */
  pglite?: PGlite;
}

// An arbitrary constant shared by every instance: only one of them migrates at a time.
const MIGRATION_LOCK_ID = 7_302_114_221;

export interface OpenOptions {
  poolSize?: number;
  /** Called before a first start creates the embedded database (it takes a while: the start-up report says so). */
  onCreating?: () => void;
}

export async function openDatabase(cfg: Config['database'], logger: Logger, options: OpenOptions = {}): Promise<Database> {
  const embedded = cfg.url ? undefined : await openPglite(cfg.pgliteDataDir, options.onCreating);
  const orm = cfg.url ? await openPostgres(cfg.url, options.poolSize ?? cfg.poolMax) : embedded!.orm;
  const kind = cfg.url ? 'postgresql' : 'pglite';
  // MikroORM's Kysely integration: the client of the ORM's own connection (pool or PGlite), typed from the entities.
  const kysely = (orm.em.fork() as unknown as SqlEntityManager).getKysely<DB>();
  const sql = sqlOf(kysely);

  return {
    orm,
    kind,
    sql,
    transaction: (fn) => kysely.transaction().execute((trx) => fn(sqlOf(trx))),
    async migrate() {
      const run = async () => (await orm.migrator.up()).map((m) => m.name);
      if (kind === 'pglite') return run();
      // The lock is session-scoped, so take and release it on one dedicated connection.
      return kysely.connection().execute(async (conn) => {
        const lock = sqlOf(conn);
        await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        try {
          const applied = await run();
          if (applied.length) logger.info({ applied }, 'migrations applied');
          return applied;
        } finally {
          await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
        }
      });
    },
    async ping() {
      try {
        await sql.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      try {
        await orm.close(true);
      } finally {
        embedded?.lock?.release();
      }
    },
    pglite: embedded?.pglite,
  };
}

// Each driver is imported only when used: the one not in use would cost ~40 MB of memory for nothing.
async function openPostgres(url: string, poolSize: number): Promise<MikroORM> {
  // MikroORM connects lazily: without this, a wrong URL would surface later as a stack trace mid-migration.
  await checkPostgres(url);
  const { MikroORM: PostgresORM } = await import('@mikro-orm/postgresql');
  return PostgresORM.init({
    ...sharedOrmOptions,
    clientUrl: url,
    pool: { min: 0, max: poolSize },
    // A server that does not answer must fail the request in seconds (503), not hang it.
    driverOptions: { connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
  }) as unknown as Promise<MikroORM>;
}

async function openPglite(dataDir: string, onCreating?: () => void): Promise<{ orm: MikroORM; pglite: PGlite; lock?: DataDirLock }> {
  const inMemory = dataDir === 'memory://' || dataDir.startsWith('memory:');
  let lock: DataDirLock | undefined;
  if (!inMemory) {
    try {
      mkdirSync(dataDir, { recursive: true });
      accessSync(dataDir, constants.W_OK);
      // Before PGlite touches the files: a second process on the same directory corrupts it.
      lock = lockDataDir(dataDir);
    } catch (error) {
      throw notWritable(dataDir, error);
    }
  }
  try {
    const [{ MikroORM: PgliteORM }, { createSerializedPgliteDialect }, { hasCluster, initPgliteCluster }] = await Promise.all([
      import('@mikro-orm/pglite'),
      import('./pglite-dialect.ts'),
      import('./pglite-initdb.ts'),
    ]);
    // A first start creates the cluster in a child process, whose memory is given back when it ends.
    if (!inMemory && !hasCluster(dataDir)) {
      onCreating?.();
      await initPgliteCluster(dataDir);
    }
    const { dialect, pglite } = createSerializedPgliteDialect(inMemory ? 'memory://' : dataDir);
    const orm = (await PgliteORM.init({
      ...sharedOrmOptions,
      dbName: 'pglite',
      driverOptions: dialect,
    })) as unknown as MikroORM;
    return { orm, pglite: await pglite, lock };
  } catch (error) {
    lock?.release();
    if (inMemory) throw error;
    throw new StartupError(
      `the embedded database in ${dataDir} could not be opened (${(error as Error).message}): ` +
        'if it was damaged, see "Recovering the embedded database" in README.md',
      { cause: error },
    );
  }
}

function notWritable(dataDir: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') return error;
  const user = process.getuid ? ` (uid ${process.getuid()})` : '';
  return new StartupError(
    `cannot write the embedded database directory ${dataDir} (${code}): make it writable for this user${user}, ` +
      'set PGLITE_DATA_DIR to a writable directory, or set DATABASE_URL',
    { cause: error },
  );
}
