/**
 * Re-reads a period of the mailbox (and of the processed-mail folder, where handled mail was moved)
 * through the same pipeline. Safe to run at any time, next to a running service: ingest skips what is
 * stored already (recorded as duplicates), nothing is flagged or moved, the cursor is not touched.
 */
import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { ImapMailbox } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import { createImapCredentials } from './credentials.ts';
import { drainMailbox } from './drain.ts';
import type { MailOutcome } from './handle-mail.ts';
import { DEFAULT_TUNING } from './reader.ts';

export interface ReplayOptions {
  config: ImapMailbox;
  db: Database;
  ingest: Ingest;
  logger: Logger;
  since: Date;
  /** Folders to read; default: IMAP_MAILBOX and IMAP_PROCESSED_MAILBOX. */
  mailboxes?: string[];
}

export async function replayMailbox(o: ReplayOptions): Promise<Record<MailOutcome['kind'], number>> {
  const counters: Record<MailOutcome['kind'], number> = { created: 0, followup: 0, duplicate: 0, ignored: 0, failed: 0 };
  const cfg = o.config;
  const login = await createImapCredentials(cfg, { db: o.db, logger: o.logger, timeoutMs: DEFAULT_TUNING.commandTimeoutMs }).login();
  const client = new ImapFlow({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    auth: login.auth,
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', (err: Error) => o.logger.warn({ err: err.message }, 'IMAP error during replay'));
  await client.connect();
  try {
    const folders = o.mailboxes ?? [cfg.mailbox, ...(cfg.processedMailbox ? [cfg.processedMailbox] : [])];
    for (const mailbox of folders) {
      const lock = await client.getMailboxLock(mailbox, { readOnly: true });
      try {
        await drainMailbox(
          client,
          { db: o.db, ingest: o.ingest, logger: o.logger },
          {
            cursorKey: '(replay)',
            mailbox,
            source: { mailboxId: cfg.id, defaultCategory: cfg.defaultCategory, slackChannel: cfg.slackChannel },
            processedMailbox: undefined,
            failedMailbox: undefined,
            supportAddresses: [cfg.supportAddress, cfg.user.includes('@') ? cfg.user : undefined].filter((a): a is string => !!a),
            attachmentMaxBytes: cfg.attachmentMaxBytes,
            batchSize: DEFAULT_TUNING.batchSize,
            batchBytes: DEFAULT_TUNING.batchBytes,
            streamThresholdBytes: DEFAULT_TUNING.streamThresholdBytes,
            ingestConcurrency: DEFAULT_TUNING.ingestConcurrency,
            since: o.since,
          },
          { shouldStop: () => false, onProgress: ({ outcome }) => outcome && counters[outcome.kind]++ },
        );
      } finally {
        lock.release();
      }
      o.logger.info({ mailbox, since: o.since.toISOString(), ...counters }, 'replayed');
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return counters;
}

/**
 * `--since 2026-11-01` (any date Date.parse accepts, UTC when no zone), optional `--mailbox NAME` (a folder,
 * repeatable) and `--id ID` (a configured mailbox, repeatable; default: every configured one).
 */
export function parseReplayArgs(argv: string[]): { since: Date; mailboxes?: string[]; ids?: string[] } {
  let since: Date | undefined;
  const mailboxes: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? argv[++i];
    if (flag === '--since') {
      const d = value ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value) : undefined;
      if (!d || Number.isNaN(d.getTime())) throw new Error(`--since needs a date such as 2026-11-01 (got ${value ?? 'nothing'})`);
      since = d;
    } else if (flag === '--mailbox') {
      if (!value) throw new Error('--mailbox needs a folder name');
      mailboxes.push(value);
    } else if (flag === '--id') {
      if (!value) throw new Error('--id needs the id of a configured mailbox');
      ids.push(value);
    } else {
      throw new Error(`unknown argument ${arg}; usage: npm run imap:replay -- --since DATE [--id ID] [--mailbox NAME]`);
    }
  }
  if (!since) throw new Error('usage: npm run imap:replay -- --since DATE [--id ID] [--mailbox NAME]');
  return { since, ...(mailboxes.length ? { mailboxes } : {}), ...(ids.length ? { ids } : {}) };
}
