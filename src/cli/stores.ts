/**
 * The database and the job queue for a command that reads or changes stored work (dead-letters, privacy):
 * a small pool, no queue supervision (the running service maintains the queue), and one close for both.
 * Logs at warn, so the command's own output on stdout stays readable.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { type JobQueue, startQueue } from '../db/queue.ts';
import { createLogger } from '../lib/logger.ts';

export interface CommandStores {
  db: Database;
  queue: JobQueue;
  logger: Logger;
  close(): Promise<void>;
}

export async function openCommandStores(config: Config): Promise<CommandStores> {
  const logger = createLogger(config.logLevel === 'silent' ? 'silent' : 'warn');
  const db = await openDatabase(config.database, logger, { poolSize: 2 });
  const queue = await startQueue(db.pglite ? { pglite: db.pglite as never } : { connectionString: config.database.url }, logger, { supervise: false });
  return {
    db,
    queue,
    logger,
    async close() {
      await queue.stop();
      await db.close();
    },
  };
}
