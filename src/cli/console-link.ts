/**
 * `npm run console:link [-- --role admin|agent|viewer] [--minutes N]` prints a one-time sign-in link to the
 * operator console: the way in without Slack. Used once, valid for N minutes (15), stored only as its hash.
 * On the embedded database it refuses while the service has the directory open: the service prints a link
 * itself when it starts on the embedded database without Sign in with Slack.
 * Exit codes: 0 printed, 1 failed (database), 2 bad arguments or configuration.
 */
import { openDatabase } from '../db/database.ts';
import { issueSignInLink } from '../db/repositories/console-sessions.ts';
import { createLogger } from '../lib/logger.ts';
import { options, runCommand, UsageError } from './bootstrap.ts';

const ROLES = ['admin', 'agent', 'viewer'];

await runCommand({
  name: 'console:link',
  usage: 'npm run console:link [-- --role admin|agent|viewer] [--minutes N]',
  parse(argv) {
    const { values } = options({ role: { type: 'string', default: 'admin' }, minutes: { type: 'string', default: '15' } })(argv);
    if (!ROLES.includes(values.role)) throw new UsageError(`--role "${values.role}" is not one of ${ROLES.join(', ')}`);
    const minutes = Number(values.minutes);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) throw new UsageError('--minutes must be a whole number from 1 to 1440');
    return { role: values.role, minutes };
  },
  async run({ role, minutes }, ctx) {
    const config = ctx.config();
    const db = await openDatabase(config.database, createLogger(config.logLevel === 'silent' ? 'silent' : 'warn'), { poolSize: 2 });
    try {
      if (config.database.migrateOnStart) await db.migrate();
      const { token } = await issueSignInLink(db.sql, role, minutes);
      const base = config.http.publicUrl?.replace(/\/$/, '') ?? `http://localhost:${config.http.port}`;
      console.log(`${base}/console/sign-in/link?token=${token}`);
      console.error(`console:link: one use, ${role}, valid for ${minutes} minutes`);
    } finally {
      await db.close();
    }
  },
});
