/**
 * The support inbox door: keeps one IMAP session to the mailbox (password or XOAUTH2, TLS or plain),
 * drains new mail on IDLE notifications, on the IMAP_POLL_CRON schedule and after every reconnect,
 * checks that an idle connection is still alive, and reconnects with capped, jittered backoff.
 * Bad credentials / TLS / missing mailbox are reported in /health and retried slowly. With OAuth2 each
 * login uses a token that renews itself; a session logs in again with the next token when its own is due
 * for renewal (Exchange Online ends sessions whose token expired), between two drains.
 * Only the instance holding the mailbox lock reads; the others stand by.
 */
import { ImapFlow } from 'imapflow';
import cron from 'node-cron';
import type { Logger } from 'pino';
import type { ImapMailbox } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import { createBackoff, type BackoffOptions } from '../../lib/backoff.ts';
import type { DoorActivity } from '../../lib/door-activity.ts';
import { drainMailbox, type DrainSettings } from './drain.ts';
import { createImapCredentials, type Login } from './credentials.ts';
import { classifyImapError, describeImapError, withTimeout, type ImapFailureKind } from './errors.ts';
import type { MailOutcome } from './handle-mail.ts';
import { createMailboxLock, type HeldLock } from '../../db/repositories/mailbox-locks.ts';

export type ImapStatus = 'disabled' | 'connecting' | 'connected' | 'standby' | 'failing';

export interface ImapHealth {
  status: ImapStatus;
  mailbox?: string;
  last_fetch_at: string | null;
  backlog: number;
  last_error: { message: string; kind: ImapFailureKind; at: string } | null;
  [detail: string]: unknown;
}

export interface ImapTuning {
  /** How often an idle session proves it is alive (NOOP). */
  heartbeatMs: number;
  /** A NOOP or a mailbox open that takes longer means a dead connection. */
  commandTimeoutMs: number;
  socketTimeoutMs: number;
  backoff: BackoffOptions;
  /** Retry delay after bad credentials / configuration errors. */
  permanentRetryMs: number;
  /** How often a standby instance tries to take over the mailbox. */
  lockRetryMs: number;
  batchSize: number;
  batchBytes: number;
  streamThresholdBytes: number;
  ingestConcurrency: number;
  autoIdleDelayMs: number;
}

export const DEFAULT_TUNING: ImapTuning = {
  heartbeatMs: 60_000,
  commandTimeoutMs: 20_000,
  socketTimeoutMs: 5 * 60_000,
  backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0.5 },
  permanentRetryMs: 5 * 60_000,
  lockRetryMs: 15_000,
  batchSize: 200,
  batchBytes: 16 * 1024 * 1024,
  streamThresholdBytes: 1024 * 1024,
  ingestConcurrency: 200,
  autoIdleDelayMs: 1_000,
};

export interface ImapReaderDeps {
  config: ImapMailbox;
  db: Database;
  ingest: Ingest;
  logger: Logger;
  health: { register(name: string, probe: () => ImapHealth): void };
  tuning?: Partial<ImapTuning>;
  /** Test seam: called after a batch is committed and before the server is told (throw = crash there). */
  beforeAcknowledge?: (uids: number[]) => Promise<void> | void;
  /** Called with each mail's outcome (metrics). */
  onOutcome?: (kind: MailOutcome['kind']) => void;
  /** Records mail taken in / refused and refused logins (/health doors, /metrics). */
  doors?: DoorActivity;
}

/** The mailbox as named in ops incidents, /health `doors` ("imap:" + it) and metrics. */
export const mailboxName = (cfg: Pick<ImapMailbox, 'user' | 'mailbox'>) => `${cfg.user}/${cfg.mailbox}`;

export interface ImapReader {
  /** mailboxName(config). */
  readonly mailbox: string;
  start(): void;
  stop(): Promise<void>;
  health(): ImapHealth;
  /** Outcome counters since start (benchmarks, logs). */
  readonly counters: Record<MailOutcome['kind'], number>;
}

export function createImapReader(deps: ImapReaderDeps): ImapReader {
  const cfg = deps.config;
  const logger = deps.logger.child({ component: 'imap', mailbox_id: cfg.id });
  const t: ImapTuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const counters: Record<MailOutcome['kind'], number> = { created: 0, followup: 0, duplicate: 0, ignored: 0, failed: 0 };
  const state: ImapHealth = { status: 'disabled', last_fetch_at: null, backlog: 0, last_error: null };
  const credentials = createImapCredentials(cfg, { db: deps.db, logger, timeoutMs: t.commandTimeoutMs });
  const snapshot = (): ImapHealth => {
    const oauth = credentials.health();
    return oauth ? { ...state, oauth } : { ...state };
  };
  deps.health.register('imap', snapshot);
  const door = `imap:${mailboxName(cfg)}`;
  deps.doors?.declare(door);

  // Keyed by the account and folder, not by the configured id: renaming an entry does not re-read its mail,
  // and two mailboxes differ in account or folder (config refuses two entries for the same pair).
  const cursorKey = `${cfg.user}@${cfg.host}:${cfg.port}/${cfg.mailbox}`.slice(0, 512);
  state.mailbox = cfg.mailbox;
  state.mailbox_id = cfg.id;
  const lock = createMailboxLock(deps.db, `imap:${cursorKey}`);
  const backoff = createBackoff(t.backoff);
  const supportAddresses = [cfg.supportAddress, cfg.user.includes('@') ? cfg.user : undefined].filter((a): a is string => !!a);
  const settings: DrainSettings = {
    cursorKey,
    mailbox: cfg.mailbox,
    source: { mailboxId: cfg.id, defaultCategory: cfg.defaultCategory, slackChannel: cfg.slackChannel },
    processedMailbox: cfg.processedMailbox,
    failedMailbox: cfg.failedMailbox,
    supportAddresses,
    attachmentMaxBytes: cfg.attachmentMaxBytes,
    batchSize: t.batchSize,
    batchBytes: t.batchBytes,
    streamThresholdBytes: t.streamThresholdBytes,
    ingestConcurrency: t.ingestConcurrency,
  };

  let stopping = false;
  let running: Promise<void> | undefined;
  let held: HeldLock | null = null;
  let client: ImapFlow | undefined;
  // Wakes the idle session (new mail, poll tick, stop); `interruptBackoff` wakes only for stop.
  let wake: (() => void) | undefined;
  let interruptBackoff: (() => void) | undefined;
  let pending = false;
  // Set by the poll schedule: SELECT the mailbox again before reading, so a mailbox deleted and recreated
  // under us (new UIDVALIDITY, no notification on the old session) is noticed.
  let reselect = false;
  let lastDrain: Promise<void> = Promise.resolve();
  let task: ReturnType<typeof cron.schedule> | undefined;

  const poke = () => {
    pending = true;
    wake?.();
  };
  const sleep = (ms: number, wakeOnMail: boolean) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        if (wake === done) wake = undefined;
        if (interruptBackoff === done) interruptBackoff = undefined;
        resolve();
      }
      if (wakeOnMail) wake = done;
      else interruptBackoff = done;
    });

  const newClient = (login: Login) =>
    new ImapFlow({
      host: cfg.host,
      port: cfg.port,
      secure: cfg.secure,
      auth: login.auth,
      logger: logger.isLevelEnabled('debug') ? (logger.child({ component: 'imapflow' }) as never) : false,
      autoIdleDelay: t.autoIdleDelayMs,
      socketTimeout: t.socketTimeoutMs,
      connectionTimeout: t.commandTimeoutMs,
      greetingTimeout: t.commandTimeoutMs,
      clientInfo: { name: 'support-triage' },
    });

  const ensureMailbox = async (c: ImapFlow, path: string | undefined) => {
    if (!path) return;
    try {
      await c.mailboxCreate(path);
    } catch {
      // Already there (or not allowed: the move will say so clearly).
    }
  };

  /** Connects and logs in; a refused OAuth2 token is renewed and tried once more before that counts. */
  const connect = async (): Promise<{ c: ImapFlow; login: Login }> => {
    let login = await credentials.login();
    for (let attempt = 1; ; attempt++) {
      const c = newClient(login);
      client = c;
      c.on('error', (err: Error) => logger.debug({ err: err.message }, 'IMAP connection error'));
      try {
        await c.connect();
        return { c, login };
      } catch (error) {
        const retry = attempt === 1 && classifyImapError(error) === 'auth' ? await credentials.afterRefusal(login) : null;
        if (!retry || stopping) throw error;
        logger.warn({ err: describeImapError(error) }, 'IMAP refused the OAuth2 token; trying once more with a renewed one');
        c.close();
        login = retry;
      }
    }
  };

  /**
   * One connected session: returns when stopping or when its OAuth2 token is due (log in again), throws
   * when the connection is lost or dead.
   */
  const session = async (c: ImapFlow, renewAt: number | undefined) => {
    let lost: ((e: Error) => void) | undefined;
    const closed = new Promise<never>((_, reject) => (lost = reject));
    closed.catch(() => {});
    c.on('close', () => lost?.(new Error('IMAP connection closed')));
    c.on('exists', () => poke());
    void held?.lost.then(() => lost?.(new Error('mailbox lock lost (database connection dropped)')));

    await Promise.race([withTimeout(c.mailboxOpen(cfg.mailbox), t.commandTimeoutMs, 'SELECT'), closed]);
    await ensureMailbox(c, cfg.processedMailbox);
    await ensureMailbox(c, cfg.failedMailbox);
    state.status = 'connected';
    state.last_error = null;
    backoff.reset();
    logger.info({ mailbox: cfg.mailbox, idle: c.capabilities.has('IDLE') }, 'IMAP mailbox open');

    pending = true; // catch up on everything that arrived while we were away
    while (!stopping) {
      if (pending) {
        pending = false;
        if (reselect) {
          reselect = false;
          await Promise.race([withTimeout(c.mailboxOpen(cfg.mailbox), t.commandTimeoutMs, 'SELECT'), closed]);
        }
        // Never two drains at once: one abandoned with a dead connection normally ends at once (it fails at
        // its acknowledgement, so it cannot move the cursor). Bounded, so a wedged one cannot block reading.
        await Promise.race([lastDrain, new Promise((r) => setTimeout(r, t.commandTimeoutMs).unref())]);
        const drain = drainMailbox(c, deps, settings, {
            shouldStop: () => stopping,
            onProgress: ({ backlog, outcome }) => {
              if (backlog >= 0) {
                state.backlog = backlog;
                state.last_fetch_at = new Date().toISOString();
              }
              if (outcome) {
                counters[outcome.kind]++;
                deps.onOutcome?.(outcome.kind);
                if (outcome.kind === 'ignored' || outcome.kind === 'failed') deps.doors?.rejected(door, outcome.kind, outcome.reason);
                else deps.doors?.accepted(door);
              }
            },
            beforeAcknowledge: deps.beforeAcknowledge,
          });
        // If the connection dies first, the drain fails on its own later: that failure is already handled.
        lastDrain = drain.catch(() => {});
        await Promise.race([drain, closed]);
        state.last_fetch_at = new Date().toISOString();
        continue;
      }
      if (renewAt !== undefined && Date.now() >= renewAt) {
        logger.debug('OAuth2 token due for renewal: logging in again with the next one');
        return;
      }
      await Promise.race([sleep(renewAt === undefined ? t.heartbeatMs : Math.max(0, Math.min(t.heartbeatMs, renewAt - Date.now())), true), closed]);
      if (renewAt !== undefined && Date.now() >= renewAt) continue;
      if (!pending && !stopping) {
        // Quiet for a whole heartbeat: prove the connection (and a possibly silent IDLE) is alive.
        await Promise.race([withTimeout(c.noop(), t.commandTimeoutMs, 'NOOP'), closed]);
      }
    }
  };

  const loop = async () => {
    while (!stopping) {
      let delay = 0;
      try {
        if (!held) {
          held = await lock.tryAcquire();
          if (!held) {
            state.status = 'standby';
            await sleep(t.lockRetryMs, false);
            continue;
          }
          logger.info({ mailbox: cfg.mailbox }, `this instance reads the mailbox ${cfg.id}`);
        }
        state.status = 'connecting';
        const { c, login } = await connect();
        await session(c, login.renewAt);
      } catch (error) {
        if (stopping) break;
        const kind = classifyImapError(error);
        const message = describeImapError(error);
        state.status = 'failing';
        state.last_error = { message, kind, at: new Date().toISOString() };
        delay = kind === 'transient' ? backoff.next() : t.permanentRetryMs;
        if (kind !== 'transient') deps.doors?.rejected(door, kind === 'auth' ? 'login' : 'config', message);
        if (kind === 'auth') {
          logger.error({ host: cfg.host, user: cfg.user, err: message, retryInMs: delay },
            cfg.auth.kind === 'oauth2'
              ? `IMAP OAuth2 login failing for mailbox ${cfg.id} (${cfg.user}@${cfg.host}): ${message}`
              : `IMAP login refused for mailbox ${cfg.id} (${cfg.user}@${cfg.host}): check its password / access token (a fixed access token expires after about an hour; OAuth2 renews it)`);
        } else if (kind === 'config') {
          logger.error({ host: cfg.host, mailbox: cfg.mailbox, err: message, retryInMs: delay }, 'IMAP configuration problem (TLS or mailbox)');
        } else {
          logger.warn({ err: message, retryInMs: delay }, 'IMAP connection lost; reconnecting');
        }
      } finally {
        const c = client;
        client = undefined;
        if (c) {
          if ((stopping || !delay) && c.usable) await withTimeout(c.logout(), 2_000, 'LOGOUT').catch(() => c.close());
          else c.close();
        }
      }
      if (delay && !stopping) await sleep(delay, false);
    }
    await held?.release();
    held = null;
  };

  return {
    mailbox: mailboxName(cfg),
    counters,
    health: snapshot,
    start() {
      if (running) return;
      stopping = false;
      state.status = 'connecting';
      task = cron.schedule(cfg.pollCron, () => {
        reselect = true;
        poke();
      }, { noOverlap: true });
      running = loop().catch((err: unknown) => {
        state.status = 'failing';
        logger.error({ err }, 'IMAP reader stopped unexpectedly');
      });
    },
    async stop() {
      stopping = true;
      await task?.destroy();
      task = undefined;
      wake?.();
      interruptBackoff?.();
      const r = running;
      running = undefined;
      if (r) {
        // A batch in progress finishes its current mail and acknowledges what is committed.
        const finished = await Promise.race([r.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 15_000).unref())]);
        if (!finished) client?.close();
        await r;
      }
      state.status = 'disabled';
    },
  };
}
