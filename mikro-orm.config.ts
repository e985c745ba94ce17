/**
 * MikroORM's own CLI (`npx mikro-orm migration:list`, migration:check, migration:up, migration:create, debug)
 * reads this file. It is the configuration the service and `npm run db:*` use (src/db/orm-config.ts), from
 * the same variables (.env included). On the embedded database it takes the data-directory lock first: while
 * the service or another command has the directory open, the CLI stops with who holds it instead of
 * opening the files a second time (which would corrupt them). The lock goes when the CLI exits.
 */
import { loadConfig, loadDotEnv } from './src/config.ts';
import { ormConfig, type OrmConfig } from './src/db/orm-config.ts';

let config: Promise<OrmConfig> | undefined;

// A factory, so only a CLI command that needs the database opens (and locks) it, and only once.
export default async () => {
  config ??= (() => {
    loadDotEnv();
    return ormConfig(loadConfig().database, { poolSize: 2 });
  })();
  return (await config).options;
};
