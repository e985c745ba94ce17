/**
 * Opens the database: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise. Same entities and
 * migrations for both. Exposes the MikroORM instance (schema and migrations) and a SQL handle over the same
 * connection(s), which every query uses.
 */
import { MikroORM } from '@mikro-orm/core';
import type { PGlite } from '@electric-sql/pglite';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { StartupError } from '../lib/startup-error.ts';
import { ormConfig } from './orm-config.ts';
import { checkPostgres } from './postgres-check.ts';
import { type DB, type Sql, sqlOf } from './sql.ts';

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
  /** An in-memory embedded database starts from this image (tests: see createSerializedPgliteDialect). */
  pgliteImage?: Blob;
}

export async function openDatabase(cfg: Config['database'], logger: Logger, options: OpenOptions = {}): Promise<Database> {
  // MikroORM connects lazily: without this, a wrong URL would surface later as a stack trace mid-migration.
  if (cfg.url) await checkPostgres(cfg.url);
  const config = await ormConfig(cfg, options);
  let orm: MikroORM;
  let pglite: PGlite | undefined;
  try {
    orm = await MikroORM.init(config.options);
    pglite = await config.pglite;
  } catch (error) {
    config.lock?.release();
    if (!config.lock) throw error;
    throw new StartupError(
      `the embedded database in ${cfg.pgliteDataDir} could not be opened (${(error as Error).message}): ` +
        'if it was damaged, see "Recovering the embedded database" in README.md',
      { cause: error },
    );
  }
  const kind = config.kind;
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
        // The ORM leaves a PGlite it was handed open, and PGlite's armed timers would keep a finished command alive.
        if (pglite && !pglite.closed) await pglite.close();
      } finally {
        config.lock?.release();
      }
    },
    pglite,
  };
}
