/**
 * `npm run db:migrate` applies pending migrations; `npm run db:migration:create` writes a new one from the
 * difference between the entities and the last snapshot (developers only; never edit a landed migration).
 * On the embedded database it refuses while the service (or another command) has the directory open.
 */
import { openDatabase } from '../db/database.ts';
import { options, runCommand, UsageError } from './bootstrap.ts';

await runCommand({
  name: 'db:migrate',
  usage: 'npm run db:migrate (= up) | npm run db:migration:create [-- --initial]',
  plainOutput: true,
  parse(argv) {
    const { values, positionals } = options({ initial: { type: 'boolean', default: false } }, { positionals: true })(argv);
    const command = positionals[0] ?? 'up';
    if (positionals.length > 1 || (command !== 'up' && command !== 'create')) throw new UsageError(`unknown command "${positionals.join(' ')}" (use: up | create)`);
    if (values.initial && command !== 'create') throw new UsageError('--initial belongs to create');
    return { command, initial: values.initial };
  },
  async run({ command, initial }, ctx) {
    const config = ctx.config();
    const db = await openDatabase(config.database, ctx.logger(), { poolSize: 2 });
    try {
      if (command === 'up') {
        const applied = await db.migrate();
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } else {
        const result = await db.orm.migrator.create(undefined, false, initial);
        console.log(result.diff.up.length ? `created ${result.fileName}` : 'no changes: entities match the last snapshot');
      }
    } finally {
      await db.close();
    }
  },
});
