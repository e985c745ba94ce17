/**
 * Shared setup for the inbox tests: one real Dovecot per test file (useDovecot), one mailbox user per test,
 * the real service (createService via startTestService) and an IMAP reader built from the service's own db,
 * ingest and health registry (the same call createService makes), with short timings and the
 * "crash before acknowledge" seam the tests need. openInbox does all three for a test, teardown included.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { loadConfig } from '../../src/config.ts';
import { createImapReader, type ImapReader, type ImapReaderDeps, type ImapTuning } from '../../src/inbound/imap/reader.ts';
import { createLogger } from '../../src/lib/logger.ts';
import test from 'ava';
import type { Teardown } from '../kit/database.ts';
import { type Dovecot, type DovecotOptions, dovecotAvailable, startDovecot } from '../kit/dovecot.ts';
import { startTestService, type TestService, type TestServiceOptions } from '../kit/service.ts';

export const SUPPORT = 'support@triage.test';

export interface DovecotSuite {
  serial: typeof test.serial;
  readonly dovecot: Dovecot;
}

/**
 * One Dovecot for the calling test file: started before its tests, destroyed after. Without Dovecot the
 * tests are skipped (CI fails on any skip, so there they always run). Options given as a function are
 * awaited in the same before hook, just before the server starts: that is where to start what Dovecot must
 * know about (an identity provider), since ava runs a file's before hooks concurrently.
 */
export function useDovecot(options: DovecotOptions | (() => Promise<DovecotOptions>) = {}): DovecotSuite {
  const missing = dovecotAvailable();
  if (missing) console.warn(`skipping IMAP tests: ${missing}`);
  let server: Dovecot | undefined;
  test.before(async () => {
    if (!missing) server = await startDovecot(typeof options === 'function' ? await options() : options);
  });
  test.after.always(async () => server?.destroy());
  return {
    serial: missing ? (test.serial.skip as unknown as typeof test.serial) : test.serial,
    get dovecot() {
      return server!;
    },
  };
}

export const FAST: Partial<ImapTuning> = {
  heartbeatMs: 500,
  commandTimeoutMs: 3_000,
  socketTimeoutMs: 10_000,
  backoff: { baseMs: 100, maxMs: 1_000, jitter: 0.5 },
  permanentRetryMs: 1_000,
  lockRetryMs: 300,
  autoIdleDelayMs: 200,
};

export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));
}

export interface Mailbox {
  user: string;
  password: string;
  env: Record<string, string>;
}

/** A fresh mailbox user (each test reads its own INBOX). */
export async function newMailbox(dovecot: Dovecot, extraEnv: Record<string, string> = {}): Promise<Mailbox> {
  const user = `u${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  await dovecot.addUser(user, password);
  return {
    user,
    password,
    env: {
      IMAP_HOST: dovecot.host,
      IMAP_PORT: String(dovecot.port),
      IMAP_SECURE: 'false',
      IMAP_USER: user,
      IMAP_PASSWORD: password,
      IMAP_SUPPORT_ADDRESS: SUPPORT,
      IMAP_POLL_CRON: '*/1 * * * * *',
      ...extraEnv,
    },
  };
}

export async function startService(options: TestServiceOptions = {}): Promise<TestService> {
  return startTestService({}, { classifier: createKeywordClassifier(), ...options });
}

export function readerFor(svc: TestService, env: Record<string, string>, extra: Partial<Pick<ImapReaderDeps, 'beforeAcknowledge'>> & { tuning?: Partial<ImapTuning> } = {}): ImapReader {
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  if (!config.mailboxes[0]) throw new Error('readerFor needs IMAP_HOST and IMAP_USER in env');
  return createImapReader({
    config: config.mailboxes[0],
    db: svc.service.db,
    ingest: svc.service.ingest,
    logger: process.env.TEST_LOG_LEVEL ? createLogger(process.env.TEST_LOG_LEVEL) : svc.service.logger,
    health: svc.service.health,
    tuning: { ...FAST, ...extra.tuning },
    beforeAcknowledge: extra.beforeAcknowledge,
  });
}

export interface InboxOptions {
  /** Added to the mailbox's IMAP_* environment. */
  env?: Record<string, string>;
  service?: TestServiceOptions;
  /** For the reader (readerFor's extras). */
  reader?: Parameters<typeof readerFor>[2];
  /** Use this environment for the reader instead of the mailbox's (it receives the mailbox). */
  readerEnv?: (box: Mailbox) => Record<string, string>;
}

export interface Inbox {
  svc: TestService;
  box: Mailbox;
  reader: ImapReader;
  /** The environment the readers were built from (the mailbox's, or readerEnv's). */
  env: Record<string, string>;
  /** Another reader of the same mailbox on the same service, also stopped at teardown (before the service). */
  addReader(extra?: Parameters<typeof readerFor>[2]): ImapReader;
}

/**
 * The usual start of an inbox test: the service, a fresh mailbox and a reader of it (not started). At
 * teardown the readers stop, then the service; the teardown is registered as soon as the service runs, so a
 * failed setup cannot leave it running.
 */
export async function openInbox(t: Teardown, dovecot: Dovecot, options: InboxOptions = {}): Promise<Inbox> {
  const svc = await startService(options.service);
  return attach(t, svc, () => newMailbox(dovecot, options.env), options);
}

/**
 * A second service instance on the PostgreSQL database of `inbox` (started with service: { database:
 * 'postgres' }), with its own reader of the same mailbox (same environment unless readerEnv says otherwise);
 * stopped at teardown like openInbox's.
 */
export async function joinInbox(t: Teardown, inbox: Inbox, options: Omit<InboxOptions, 'env' | 'service'> = {}): Promise<Inbox> {
  if (!inbox.svc.databaseUrl) throw new Error('joinInbox needs an inbox on PostgreSQL (service: { database: "postgres" })');
  const svc = await startService({ databaseUrl: inbox.svc.databaseUrl });
  return attach(t, svc, async () => inbox.box, { readerEnv: () => inbox.env, ...options });
}

async function attach(t: Teardown, svc: TestService, mailbox: () => Promise<Mailbox>, options: InboxOptions): Promise<Inbox> {
  const readers: ImapReader[] = [];
  t.teardown(async () => {
    for (const r of readers) await r.stop();
    await svc.stop();
  });
  const box = await mailbox();
  const env = options.readerEnv ? options.readerEnv(box) : box.env;
  const addReader = (extra: Parameters<typeof readerFor>[2] = {}) => {
    const r = readerFor(svc, env, extra);
    readers.push(r);
    return r;
  };
  return { svc, box, env, reader: addReader(options.reader), addReader };
}

export interface TicketRow {
  id: number;
  subject: string | null;
  body: string;
  full_body: string | null;
  requester_email: string | null;
  requester_name: string | null;
  external_id: string | null;
  participants: string[] | null;
}

export async function tickets(svc: TestService): Promise<TicketRow[]> {
  return svc.service.db.sql.query<TicketRow>(
    `select id, subject, body, full_body, requester_email, requester_name, external_id, participants from tickets where source = 'email' order by id`,
  );
}

export async function events(svc: TestService): Promise<{ verdict: string; reason: string; ticket_id: number | null; delivery_id: string }[]> {
  return svc.service.db.sql.query(`select verdict, reason, ticket_id, delivery_id from inbound_events where source = 'email' order by id`);
}

/** UIDs and flags of a folder, read with a separate client. */
export async function folder(dovecot: Dovecot, box: Mailbox, path = 'INBOX'): Promise<{ uid: number; seen: boolean }[]> {
  const c = await dovecot.client(box.user, box.password);
  try {
    const status = await c.status(path, { messages: true }).catch(() => false as const);
    if (!status || !status.messages) return [];
    const lock = await c.getMailboxLock(path);
    try {
      const rows = await c.fetchAll('1:*', { uid: true, flags: true });
      return rows.map((r) => ({ uid: r.uid, seen: !!r.flags?.has('\\Seen') }));
    } finally {
      lock.release();
    }
  } finally {
    await c.logout().catch(() => c.close());
  }
}

/** A minimal RFC 822 message built in code. */
export function mail(o: { from: string; subject: string; body: string; messageId?: string | null; inReplyTo?: string; to?: string; cc?: string; headers?: Record<string, string>; date?: string }): Buffer {
  const lines = [
    `From: ${o.from}`,
    `To: ${o.to ?? SUPPORT}`,
    ...(o.cc ? [`Cc: ${o.cc}`] : []),
    `Subject: ${o.subject}`,
    `Date: ${o.date ?? 'Mon, 16 Nov 2026 10:00:00 +0000'}`,
    ...(o.messageId === null ? [] : [`Message-ID: ${o.messageId ?? `<${randomBytes(8).toString('hex')}@customer.example>`}`]),
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body,
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}
