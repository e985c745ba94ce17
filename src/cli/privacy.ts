/**
 * `npm run privacy -- dry-run|export|erase (--email ADDRESS | --domain DOMAIN | --customer ID) [--mode anonymise|delete]`:
 * the same erasure, dry run and export as REST's /api/v1/privacy, from the command line (an operator's access
 * or erasure request). Prints JSON on stdout. Same .env / environment as the service; beside a running
 * service on PostgreSQL; on the embedded database with the service stopped.
 * Exit codes: 0 done, 1 failed (database), 2 bad arguments or configuration.
 */
import { SLACK_QUEUES } from '../db/queue-registry.ts';
import type { Sql } from '../db/sql.ts';
import { enqueueRedactions } from '../slack/jobs/redact.ts';
import { dryRun, erase, exportPerson, InvalidSubjectError, parseSubject, resumeErasures } from '../privacy/erase.ts';
import { options, runCommand, UsageError } from './bootstrap.ts';
import { openCommandStores } from './stores.ts';

const parseOptions = options({ email: { type: 'string' }, domain: { type: 'string' }, customer: { type: 'string' }, mode: { type: 'string' }, by: { type: 'string' } }, { positionals: true });

function parse(argv: string[]) {
  const { positionals, values } = parseOptions(argv);
  const command = positionals[0];
  if (positionals.length !== 1 || !['dry-run', 'export', 'erase'].includes(command!)) {
    throw new UsageError(positionals.length ? `unknown command "${positionals.join(' ')}"` : 'give a command: dry-run, export or erase');
  }
  const given = (['email', 'domain', 'customer'] as const).filter((k) => values[k] !== undefined);
  if (given.length !== 1) throw new UsageError('give exactly one of --email ADDRESS, --domain DOMAIN or --customer ID');
  const kind = given[0]!;
  if (command === 'erase' && values.mode !== 'anonymise' && values.mode !== 'delete') throw new UsageError('erase needs --mode anonymise or --mode delete');
  if (command !== 'erase' && values.mode !== undefined) throw new UsageError('--mode belongs to erase');
  let subject;
  try {
    subject = parseSubject(kind, values[kind]!);
  } catch (error) {
    if (error instanceof InvalidSubjectError) throw new UsageError(`--${kind} ${error.message}`);
    throw error;
  }
  return { command: command as 'dry-run' | 'export' | 'erase', subject, mode: values.mode as 'anonymise' | 'delete' | undefined, by: values.by ?? 'cli' };
}

await runCommand({
  name: 'privacy',
  usage: `npm run privacy -- dry-run (--email ADDRESS | --domain DOMAIN | --customer ID)
       npm run privacy -- export  (--email ADDRESS | --domain DOMAIN | --customer ID)
       npm run privacy -- erase   (--email ADDRESS | --domain DOMAIN | --customer ID) --mode anonymise|delete [--by NAME]`,
  parse,
  async run(values, ctx) {
    const config = ctx.config();
    const stores = await openCommandStores(config);
    const { db, queue, logger } = stores;
    try {
      // The Slack messages are edited or deleted by the running service's workers: the command enqueues their
      // jobs in the erasure's batches, when the service has created the queue (Slack configured).
      const redactable = values.command === 'erase' && (await queue.boss.getQueue(SLACK_QUEUES.redact)) !== null;
      const deps = { db, logger, ...(redactable ? { redactSlack: (tx: Sql, posts: Parameters<typeof enqueueRedactions>[2], mode: 'anonymise' | 'delete') => enqueueRedactions(queue, tx, posts, mode) } : {}) };
      if (values.command === 'dry-run') console.log(JSON.stringify(await dryRun(deps, values.subject)));
      else if (values.command === 'export') console.log(JSON.stringify(await exportPerson(deps, values.subject), null, 2));
      else {
        await resumeErasures(deps);
        console.log(JSON.stringify(await erase(deps, values.subject, values.mode!, `cli:${values.by}`)));
      }
      return 0;
    } catch (error) {
      console.error(`privacy: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    } finally {
      await stores.close();
    }
  },
});
