/** Where tickets are stored, and whether this process runs the queue's workers. */
import { bool, int, number, string, url } from './validators.ts';
import { variable } from './variable.ts';

export const databaseVariables = {
  url: variable('DATABASE_URL', url(['postgres:', 'postgresql:']), 'PostgreSQL to use; unset = the embedded PGlite in PGLITE_DATA_DIR.'),
  pgliteDataDir: variable('PGLITE_DATA_DIR', string('./data/pglite'), 'Directory of the embedded database (memory:// keeps nothing); one process at a time.'),
  migrateOnStart: variable('MIGRATE_ON_START', bool(true), 'Apply pending migrations at start (safe with several instances: advisory lock).'),
  poolMax: variable('DATABASE_POOL_MAX', int(20, 1, 500), 'PostgreSQL: connections this process opens at most for requests and workers.'),
  queuePoolMax: variable('QUEUE_POOL_MAX', int(10, 1, 500), 'PostgreSQL: connections the job queue opens at most (besides DATABASE_POOL_MAX).'),
};

export const workerVariables = {
  enabled: variable('RUN_WORKER', bool(true), 'Run the classification and Slack workers in this process.'),
  concurrency: variable('WORKER_CONCURRENCY', int(4, 1, 64), 'Jobs of each queue this process runs at once.'),
  snoozeScanSeconds: variable('SNOOZE_SCAN_SECONDS', number(30, 1, 3600), 'How often workers look for snoozed tickets whose time has come.'),
};
