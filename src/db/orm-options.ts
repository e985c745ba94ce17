/**
 * MikroORM options shared by both drivers, so the embedded database and PostgreSQL run the same entities and
 * the same migrations. orm-config.ts adds the driver and its connection (and the embedded database's lock).
 */
import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities/index.ts';

export const migrationsPath = fileURLToPath(new URL('../../migrations', import.meta.url));

export const sharedOrmOptions = {
  entities,
  extensions: [Migrator],
  migrations: {
    path: migrationsPath,
    pathTs: migrationsPath,
    glob: '!(*.d).{js,ts}',
    emit: 'ts' as const,
    transactional: true,
    allOrNothing: true,
    snapshot: true,
    snapshotOnMigrate: false,
    snapshotName: '.snapshot',
    silent: true,
    // Migration files are run by Node's type stripping: a plain class, no parameter properties.
    fileName: (timestamp: string, name?: string) => `Migration${timestamp}${name ? `_${name}` : ''}`,
  },
  // The ORM defines the schema and runs migrations; queries go through the SQL handle. Refusing the global
  // EntityManager makes an accidental em call fail loudly instead of sharing one identity map across requests.
  allowGlobalContext: false,
  ensureDatabase: false,
  debug: false,
};
