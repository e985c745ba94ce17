/**
 * `npm run imap:replay -- --since DATE [--id ID] [--mailbox NAME]`: re-reads mail received since DATE into
 * the database of the configured service (same .env / environment), from every configured mailbox or the
 * ones named by --id. Already stored mail is skipped. On the
 * embedded database the service must be stopped (its data directory is locked while it runs); on
 * PostgreSQL it runs beside the service, which classifies what the replay queues.
 */
import { parseReplayArgs, replayMailbox } from '../inbound/imap/replay.ts';
import { createService } from '../service.ts';
import { runCommand, UsageError } from './bootstrap.ts';

await runCommand({
  name: 'imap:replay',
  usage: 'npm run imap:replay -- --since DATE [--id ID] [--mailbox NAME]',
  parse: parseReplayArgs,
  async run(args, ctx) {
    const config = ctx.config();
    if (!config.mailboxes.length) throw new UsageError('IMAP is not configured: set IMAP_HOST, IMAP_USER and IMAP_PASSWORD or IMAP_ACCESS_TOKEN (or IMAP_MAILBOXES_FILE)');
    const unknown = (args.ids ?? []).filter((id) => !config.mailboxes.some((m) => m.id === id));
    if (unknown.length) throw new UsageError(`no configured mailbox ${unknown.join(', ')} (configured: ${config.mailboxes.map((m) => m.id).join(', ')})`);
    const chosen = config.mailboxes.filter((m) => !args.ids || args.ids.includes(m.id));

    // The service's database, queue and ingest, without its HTTP listener or workers.
    const service = await createService({ ...config, worker: { ...config.worker, enabled: false } });
    try {
      for (const mailbox of chosen) {
        const counts = await replayMailbox({ config: mailbox, db: service.db, ingest: service.ingest, logger: service.logger, since: args.since, mailboxes: args.mailboxes });
        console.log(JSON.stringify({ mailbox: mailbox.id, since: args.since.toISOString(), ...counts }));
      }
    } catch (error) {
      service.logger.error({ err: error }, 'replay failed');
      return 1;
    } finally {
      await service.stop();
    }
  },
});
