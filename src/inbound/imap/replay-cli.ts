/**
 * `npm run imap:replay -- --since DATE [--mailbox NAME]`: re-reads mail received since DATE into the
 * database of the configured service (same .env / environment). Already stored mail is skipped.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../config.ts';
import { createService } from '../../service.ts';
import { parseReplayArgs, replayMailbox } from './replay.ts';

if (existsSync('.env')) process.loadEnvFile('.env');

let args: ReturnType<typeof parseReplayArgs>;
let config: ReturnType<typeof loadConfig>;
try {
  args = parseReplayArgs(process.argv.slice(2));
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  process.exit(2);
}
if (!config.imap) {
  console.error('IMAP is not configured: set IMAP_HOST, IMAP_USER and IMAP_PASSWORD or IMAP_ACCESS_TOKEN');
  process.exit(2);
}

// The service's database, queue and ingest, without its HTTP listener or workers: queued classification
// jobs are picked up by the running service.
const service = await createService({ ...config, worker: { ...config.worker, enabled: false } });
try {
  const counts = await replayMailbox({ config: config.imap, db: service.db, ingest: service.ingest, logger: service.logger, since: args.since, mailboxes: args.mailboxes });
  console.log(JSON.stringify({ since: args.since.toISOString(), ...counts }));
} catch (error) {
  service.logger.error({ err: error }, 'replay failed');
  process.exitCode = 1;
} finally {
  await service.stop();
}
