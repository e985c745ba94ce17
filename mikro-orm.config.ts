/**
 * MikroORM CLI configuration (`npx mikro-orm-esm ...`), for tooling only: the service, `npm run db:migrate`
 * and `npm run db:migration:create` build the same options in src/db (the serialized PGlite dialect lives
 * there). Uses DATABASE_URL when set, else the embedded database directory.
 */
import { defineConfig as definePglite } from '@mikro-orm/pglite';
import { defineConfig as definePostgres } from '@mikro-orm/postgresql';
import { loadConfig } from './src/config.ts';
import { sharedOrmOptions } from './src/db/orm-options.ts';

const { database } = loadConfig();

export default database.url
  ? definePostgres({ ...sharedOrmOptions, clientUrl: database.url })
  : definePglite({ ...sharedOrmOptions, dbName: database.pgliteDataDir });
