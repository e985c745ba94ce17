/**
 * `npm run db:migrate` applies pending migrations; `npm run db:migration:create` writes a new one from the
 * difference between the entities and the last snapshot (developers only; never edit a landed migration).
 * On the embedded database it refuses while the service (or another command) has the directory open.
 */
import { runCommand, UsageError } from '../../cli/bootstrap.ts';
import { createLogger } from '../../lib/logger.ts';
import { openDatabase } from '../database.ts';

await runCommand('db:migrate', async (ctx) => {
  const command = process.argv[2] ?? 'up';
  if (command !== 'up' && command !== 'create') throw new UsageError(`unknown command "${command}" (use: up | create)`);
  const config = ctx.config();
  const db = await openDatabase(config.database, createLogger(config.logLevel), { poolSize: 2 });
  try {
    if (command === 'up') {
      const applied = await db.migrate();
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } else {
      const result = await db.orm.migrator.create(undefined, false, process.argv.includes('--initial'));
      console.log(result.diff.up.length ? `created ${result.fileName}` : 'no changes: entities match the last snapshot');
    }
  } finally {
    await db.close();
  }
});
