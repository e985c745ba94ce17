/**
 * `npm run db:migrate` applies pending migrations; `npm run db:migration:create` writes a new one from the
 * difference between the entities and the last snapshot (developers only; never edit a landed migration).
 */
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../lib/logger.ts';
import { openDatabase } from '../database.ts';

const command = process.argv[2] ?? 'up';
const config = loadConfig();
const logger = createLogger(config.logLevel);
const db = await openDatabase(config.database, logger, { poolSize: 2 });
try {
  if (command === 'up') {
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } else if (command === 'create') {
    const result = await db.orm.migrator.create(undefined, false, process.argv.includes('--initial'));
    console.log(result.diff.up.length ? `created ${result.fileName}` : 'no changes: entities match the last snapshot');
  } else {
    console.error(`unknown command "${command}" (use: up | create)`);
    process.exitCode = 2;
  }
} finally {
  await db.close();
}
