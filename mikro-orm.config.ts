/**
 * MikroORM's own CLI (`npx mikro-orm migration:list`, migration:check, migration:up, migration:create, debug)
 * reads this file. It is the configuration the service and `npm run db:*` use (src/db/orm-config.ts), from
 * the same variables (.env included). On the embedded database it takes the data-directory lock first: while
 * the service or another command has the directory open, the CLI stops with who holds it instead of
 * opening the files a second time (which would corrupt them). The lock goes when the CLI exits.
 */
import { MemoryCacheAdapter } from '@mikro-orm/core';
import { loadConfig, loadDotEnv } from './src/config.ts';
import { ormConfig, type OrmConfig } from './src/db/orm-config.ts';

let config: Promise<OrmConfig> | undefined;

// A factory, so only a CLI command that needs the database opens (and locks) it, and only once.
export default async () => {
  config ??= (() => {
    loadDotEnv();
    return ormConfig(loadConfig().database, { poolSize: 2 });
  })();
  const orm = await config;
  return orm.pglite ? { ...orm.options, resultCache: { ...orm.options.resultCache, adapter: closingEmbedded(orm.pglite) } } : orm.options;
};

/**
 * The CLI's `orm.close()` does not close an embedded instance handed in through our dialect (the service closes
 * it itself, src/db/database.ts), and PGlite's timers then keep the command alive after its answer. close()
 * ends with the result cache's close: there the instance is closed too, so every CLI command ends.
 */
function closingEmbedded(pglite: NonNullable<OrmConfig['pglite']>) {
  return class extends MemoryCacheAdapter {
    async close(): Promise<void> {
      this.clear();
      const instance = await pglite;
      if (!instance.closed) await instance.close();
    }
  };
}
