/**
 * Shared setup for the inbox tests: one real Dovecot per test file, one mailbox user per test, the real
 * service (createService via startTestService) and an IMAP reader built from the service's own db,
 * ingest and health registry (the same call createService makes), with short timings and the
 * "crash before acknowledge" seam the tests need.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { loadConfig } from '../../src/config.ts';
import { createImapReader, type ImapReader, type ImapReaderDeps, type ImapTuning } from '../../src/inbound/imap/reader.ts';
import { createLogger } from '../../src/lib/logger.ts';
import test from 'ava';
import { type Dovecot, type DovecotOptions, dovecotAvailable, startDovecot } from '../helpers/dovecot.ts';
import { startTestService, type TestService, type TestServiceOptions } from '../helpers/service.ts';

export const SUPPORT = 'support@triage.test';

/**
 * One Dovecot for the calling test file: started before its tests, destroyed after. Without Dovecot the
 * tests are skipped (CI fails on any skip, so there they always run).
 */
export function useDovecot(options: DovecotOptions = {}): { serial: typeof test.serial; readonly dovecot: Dovecot } {
  const missing = dovecotAvailable();
  if (missing) console.warn(`skipping IMAP tests: ${missing}`);
  let server: Dovecot | undefined;
  test.before(async () => {
    if (!missing) server = await startDovecot(options);
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
