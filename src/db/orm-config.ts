/**
 * The one ORM configuration: the service (src/db/database.ts), the commands in src/cli and MikroORM's own
 * CLI (mikro-orm.config.ts at the top of the repository) all get their MikroORM options here, so they run
 * the same entities, migrations and drivers. On the embedded database it takes the data-directory lock
 * (data-dir-lock.ts) BEFORE PGlite touches the files: whichever of them opens the directory second is refused,
 * never corrupts it.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { Options } from '@mikro-orm/core';
import type { Config } from '../config.ts';
import { StartupError } from '../lib/startup-error.ts';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import { sharedOrmOptions } from './orm-options.ts';
import { CONNECT_TIMEOUT_MS } from './unavailable.ts';

export interface OrmConfig {
  kind: 'pglite' | 'postgresql';
  /** What MikroORM.init (or the CLI) takes: driver included. */
  options: Options;
  /** The embedded instance (PGlite only), shared with the job queue. */
  pglite?: Promise<PGlite>;
  /** PGlite on a directory: this process's lock on it, until release() (or the process exits). */
  lock?: DataDirLock;
}

export interface OrmConfigOptions {
  poolSize?: number;
  /** Called before a first start creates the embedded database in a child process (it takes a while). */
  onCreating?: () => void;
  /** An in-memory embedded database starts from this dumped data directory (see createSerializedPgliteDialect). */
  pgliteImage?: Blob;
}

export async function ormConfig(cfg: Pick<Config['database'], 'url' | 'pgliteDataDir' | 'poolMax'>, options: OrmConfigOptions = {}): Promise<OrmConfig> {
  // Each driver is imported only when used: the one not in use would cost ~40 MB of memory for nothing.
  if (cfg.url) {
    const { defineConfig } = await import('@mikro-orm/postgresql');
    return {
      kind: 'postgresql',
      options: defineConfig({
        ...sharedOrmOptions,
        clientUrl: cfg.url,
        pool: { min: 0, max: options.poolSize ?? cfg.poolMax },
        // A server that does not answer must fail the request in seconds (503), not hang it.
        driverOptions: { connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
      }) as Options,
    };
  }
  const dataDir = cfg.pgliteDataDir;
  const inMemory = dataDir === 'memory://' || dataDir.startsWith('memory:');
  let lock: DataDirLock | undefined;
  if (!inMemory) {
    try {
      mkdirSync(dataDir, { recursive: true });
      accessSync(dataDir, constants.W_OK);
      lock = lockDataDir(dataDir);
    } catch (error) {
      throw notWritable(dataDir, error);
    }
  }
  try {
    const [{ defineConfig }, { createSerializedPgliteDialect }, { hasCluster, initPgliteCluster }] = await Promise.all([
      import('@mikro-orm/pglite'),
      import('./pglite-dialect.ts'),
      import('./pglite-initdb.ts'),
    ]);
    // A first start creates the cluster in a child process, whose memory is given back when it ends.
    if (!inMemory && !hasCluster(dataDir)) {
      options.onCreating?.();
      await initPgliteCluster(dataDir);
    }
    const { dialect, pglite } = createSerializedPgliteDialect(inMemory ? 'memory://' : dataDir, inMemory ? options.pgliteImage : undefined);
    return { kind: 'pglite', options: defineConfig({ ...sharedOrmOptions, dbName: 'pglite', driverOptions: dialect }) as Options, pglite, lock };
  } catch (error) {
    lock?.release();
    throw error;
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
