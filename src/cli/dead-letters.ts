/**
 * `npm run dead-letters -- list [--queue Q] [--json]` shows the jobs that exhausted their retries;
 * `npm run dead-letters -- replay [--queue Q] (--id ID ... | --all)` moves them back to their queue, where the
 * running service handles them like new (the exactly-once guards hold);
 * `npm run dead-letters -- discard [--queue Q] (--id ID ... | --all)` deletes them for good (the same code as the
 * console's Discard button). Same .env / environment as the service.
 * Exit codes: 0 done, 1 failed (database), 2 bad arguments or configuration.
 */
import { createDeadLetters, type DeadLetter, UnknownQueueError } from '../db/repositories/dead-letters.ts';
import { options, runCommand, UsageError } from './bootstrap.ts';
import { openCommandStores } from './stores.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const parseOptions = options(
  { queue: { type: 'string' }, id: { type: 'string', multiple: true }, all: { type: 'boolean' }, json: { type: 'boolean' } },
  { positionals: true },
);

function parse(argv: string[]) {
  const { positionals, values } = parseOptions(argv);
  const command = positionals[0];
  if (positionals.length !== 1 || (command !== 'list' && command !== 'replay' && command !== 'discard')) {
    throw new UsageError(positionals.length ? `unknown command "${positionals.join(' ')}"` : 'give a command: list, replay or discard');
  }
  if (values.queue !== undefined && !/^[a-z][a-z0-9-]*$/.test(values.queue)) throw new UsageError(`--queue "${values.queue}" is not a queue name (e.g. classify, slack-alert)`);
  if (command === 'list' && (values.id || values.all)) throw new UsageError('--id and --all belong to replay and discard');
  if (command !== 'list') {
    if (!values.id === !values.all) throw new UsageError(`${command} needs exactly one of --id ID or --all`);
    const bad = values.id?.find((id) => !UUID.test(id));
    if (bad !== undefined) throw new UsageError(`--id "${bad}" is not a dead-letter id (a UUID, as list shows)`);
  }
  return { command, ...values };
}

const line = (d: DeadLetter) =>
  `${d.id}  ${d.queue.padEnd(22)} ${d.deadSince.toISOString()}  ${JSON.stringify(d.data)}${d.error ? `  error: ${d.error}` : ''}`;

await runCommand({
  name: 'dead-letters',
  usage: `npm run dead-letters -- list [--queue QUEUE] [--json]
       npm run dead-letters -- replay [--queue QUEUE] (--id ID [--id ID ...] | --all)
       npm run dead-letters -- discard [--queue QUEUE] (--id ID [--id ID ...] | --all)`,
  parse,
  async run(values, ctx) {
    const config = ctx.config();
    const stores = await openCommandStores(config);
    const { db, queue } = stores;
    const deadLetters = createDeadLetters(queue, db.transaction);
    try {
      if (values.command === 'list') {
        const items = await deadLetters.list(values.queue);
        if (values.json) console.log(JSON.stringify({ items, counts: await deadLetters.counts() }));
        else if (!items.length) console.log(`no dead letters${values.queue ? ` in ${values.queue}` : ''}`);
        else for (const d of items) console.log(line(d));
        return 0;
      }
      const wanted = values.id;
      const request = { ...(values.queue ? { queue: values.queue } : {}), ...(wanted ? { ids: wanted } : {}) };
      const done = values.command === 'replay' ? 'replayed' : 'discarded';
      const moved = values.command === 'replay' ? await deadLetters.replay(request) : await deadLetters.discard(request);
      for (const d of moved) console.log(`${done} ${line(d)}`);
      const missing = wanted?.filter((id) => !moved.some((d) => d.id === id)) ?? [];
      console.log(`${moved.length} ${done}${missing.length ? `; not found (already replayed or discarded?): ${missing.join(', ')}` : ''}`);
      return missing.length ? 1 : 0;
    } catch (error) {
      if (error instanceof UnknownQueueError) throw new UsageError(error.message);
      console.error(`dead-letters: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    } finally {
      await stores.close();
    }
  },
});
