/**
 * IMAP ingestion benchmark (issue 4): a real Dovecot mailbox with N mails, read end to end by the inbox
 * reader into the real service (ticket stored + classification job queued, classification worker off),
 * compared with a bare imapflow fetch of the same mailbox in the same run; then the memory while one
 * mail with a 20 MB attachment goes through.
 *
 *   node bench/imap.ts [--messages 5000] [--database postgres|pglite|both]
 *                      [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * Prints Markdown. Target: >= 200 mails/s end to end.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import { loadConfig } from '../src/config.ts';
import { createImapReader } from '../src/inbound/imap/reader.ts';
import { createService } from '../src/service.ts';
import { startDovecot, type Dovecot } from '../test/kit/dovecot.ts';
import { recreateDatabase } from '../test/kit/database.ts';
import { ADMIN_URL, machine } from './lib.ts';

// Memory figures need a collectable heap: re-run once with --expose-gc.
if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const gc = globalThis.gc as () => void;

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    database: { type: 'string', default: 'both' },
    'admin-url': { type: 'string', default: ADMIN_URL },
  },
});
const N = Number(values.messages);
const USER = 'bench';
const PASS = 'bench-password';

const paragraph =
  'Since the last update the export to CSV stops halfway and the dashboard shows an error. We tried two browsers and cleared the cache. Could you please have a look at our account? ';

/** A realistic mix: mostly plain text, some HTML-only, some with a small attachment. */
function message(i: number): Buffer {
  const id = `<bench-${i}-${randomBytes(4).toString('hex')}@customer.example>`;
  const head = [`From: Customer ${i} <customer${i}@customer.example>`, 'To: support@triage.test', `Subject: Request ${i}: export fails`,
    'Date: Mon, 16 Nov 2026 10:00:00 +0000', `Message-ID: ${id}`, 'MIME-Version: 1.0'];
  if (i % 20 === 0) {
    const att = randomBytes(24 * 1024).toString('base64').replace(/.{76}/g, '$&\r\n');
    return Buffer.from([...head, 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain; charset=utf-8', '',
      paragraph.repeat(3), '--b', 'Content-Type: application/pdf; name="log.pdf"', 'Content-Disposition: attachment; filename="log.pdf"',
      'Content-Transfer-Encoding: base64', '', att, '--b--', ''].join('\r\n'));
  }
  if (i % 10 === 0) {
    return Buffer.from([...head, 'Content-Type: text/html; charset=utf-8', '', `<html><body><p>Hello,</p><p>${paragraph.repeat(4)}</p><p>Thanks</p></body></html>`, ''].join('\r\n'));
  }
  return Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', '', 'Hello,', '', paragraph.repeat(5), '', 'Thanks,', `Customer ${i}`, ''].join('\r\n'));
}

async function load(dovecot: Dovecot, mailbox: string, n: number): Promise<number> {
  const c = await dovecot.client(USER, PASS);
  try { await c.mailboxCreate(mailbox); } catch { /* exists */ }
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const m = message(i);
    bytes += m.length;
    await c.append(mailbox, m);
  }
  await c.logout();
  return bytes;
}

/** The bare client: fetch every source in batches of 200, nothing else. */
async function bareFetch(dovecot: Dovecot, mailbox: string): Promise<{ seconds: number; count: number }> {
  const c = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: USER, pass: PASS }, logger: false, disableAutoIdle: true });
  await c.connect();
  const t0 = performance.now();
  const mb = await c.mailboxOpen(mailbox, { readOnly: true });
  let count = 0;
  for (let start = 1; start <= mb.exists; start += 200) {
    const rows = await c.fetchAll(`${start}:${Math.min(mb.exists, start + 199)}`, { uid: true, source: true });
    count += rows.filter((r) => r.source).length;
  }
  const seconds = (performance.now() - t0) / 1000;
  await c.logout();
  return { seconds, count };
}

interface Run {
  database: string;
  seconds: number;
  stored: number;
  queued: number;
  bigPeakMb: number;
  bigBaseMb: number;
  bigSeconds: number;
  bigAttachment: number;
  rssPeakMb: number;
}

async function endToEnd(dovecot: Dovecot, mailbox: string, database: 'postgres' | 'pglite'): Promise<Run> {
  const env: Record<string, string> = {
    NODE_ENV: 'production', ALLOW_ANONYMOUS_API: 'true', LOG_LEVEL: 'warn', RUN_WORKER: 'false', HOST: '127.0.0.1', PORT: '0',
    IMAP_HOST: dovecot.host, IMAP_PORT: String(dovecot.port), IMAP_SECURE: 'false', IMAP_USER: USER, IMAP_PASSWORD: PASS,
    IMAP_MAILBOX: mailbox, IMAP_SUPPORT_ADDRESS: 'support@triage.test',
  };
  if (database === 'postgres') env.DATABASE_URL = await recreateDatabase('support_triage_bench_imap', values['admin-url']!);
  else env.PGLITE_DATA_DIR = 'memory://';
  const config = loadConfig(env);
  const service = await createService(config);
  if (!config.mailboxes[0]) throw new Error('bench needs the IMAP_* settings');
  const reader = createImapReader({ config: config.mailboxes[0], db: service.db, ingest: service.ingest, logger: service.logger, health: service.health });
  const handled = () => Object.values(reader.counters).reduce((a, b) => a + b, 0);

  const t0 = performance.now();
  reader.start();
  while (handled() < N) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t0) / 1000;
  const [stored] = await service.db.sql.query<{ n: number }>(`select count(*)::int as n from tickets where source = 'email'`);
  // Counted in pg-boss's table: its queue statistics are refreshed only periodically.
  // Tickets covered by classification jobs (a group commit queues one job for all its tickets).
  const [jobs] = await service.db.sql.query<{ n: number }>(
    `select count(distinct t.tid)::int as n from pgboss.job j,
            jsonb_array_elements_text(coalesce(j.data->'ticketIds', jsonb_build_array(j.data->'ticketId'))) as t(tid)
      where j.name = 'classify'`,
  );
  const queued = jobs!.n;

  // Mails with a 20 MB attachment through the same reader: one timed, one with its memory sampled (the
  // sampler forces a GC every 50 ms, which would distort the time).
  const bigMail = (tag: string) => Buffer.from([
    'From: Big <big@customer.example>', 'To: support@triage.test', 'Subject: Disk image', `Message-ID: <big-${tag}-${database}@customer.example>`,
    'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Image attached.', '--b',
    'Content-Type: application/octet-stream; name="disk.img"', 'Content-Disposition: attachment; filename="disk.img"', 'Content-Transfer-Encoding: base64', '',
    randomBytes(20 * 1024 * 1024).toString('base64').replace(/.{76}/g, '$&\r\n'), '--b--', '',
  ].join('\r\n'));
  const waitHandled = async (count: number) => {
    while (handled() < count) await new Promise((r) => setTimeout(r, 10));
  };
  let big: Buffer | undefined = bigMail('timed');
  const bigAttachment = big.length;
  await dovecot.append(USER, PASS, mailbox, [big]);
  big = undefined;
  const b0 = performance.now();
  await waitHandled(N + 1);
  const bigSeconds = (performance.now() - b0) / 1000;

  await dovecot.append(USER, PASS, mailbox, [bigMail('sampled')]);
  gc();
  const used = () => {
    const m = process.memoryUsage();
    return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
  };
  // The base is taken while the reader idles between the two mails; the reader picks the new one up itself.
  const base = used();
  let peak = base;
  let rssPeak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    gc();
    peak = Math.max(peak, used());
  }, 50);
  await waitHandled(N + 2);
  clearInterval(timer);
  await reader.stop();
  await service.stop();
  return { database, seconds, stored: stored!.n, queued, bigPeakMb: peak, bigBaseMb: base, bigSeconds, bigAttachment, rssPeakMb: rssPeak / 2 ** 20 };
}

const dovecot = await startDovecot({ users: { [USER]: PASS } });
try {
  const dbs = values.database === 'both' ? (['postgres', 'pglite'] as const) : [values.database as 'postgres' | 'pglite'];
  const lines = [
    `Machine: ${machine()}; Dovecot ${spawnSync('dovecot', ['--version'], { encoding: 'utf8' }).stdout.trim()} on loopback. ${new Date().toISOString()}`,
    '',
    '| database | mails | bare imapflow fetch | end to end (stored + classification queued) | ratio e2e / bare | stored | tickets queued for classification | 20 MB attachment mail: live heap+buffers, peak over base | process RSS peak | its time |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const db of dbs) {
    const mailbox = `Bench-${db}`;
    const bytes = await load(dovecot, mailbox, N);
    const bare = await bareFetch(dovecot, mailbox);
    const run = await endToEnd(dovecot, mailbox, db);
    const e2e = N / run.seconds;
    const bareRate = bare.count / bare.seconds;
    process.stderr.write(`${db}: ${N} mails (${(bytes / 2 ** 20).toFixed(1)} MiB), bare ${bareRate.toFixed(0)}/s, e2e ${e2e.toFixed(0)}/s\n`);
    lines.push(
      `| ${db} | ${N} (${(bytes / 2 ** 20).toFixed(1)} MiB) | ${bareRate.toFixed(0)} mails/s | **${e2e.toFixed(0)} mails/s** (${run.seconds.toFixed(1)} s) | ${(e2e / bareRate).toFixed(2)} | ${run.stored} | ${run.queued} | +${(run.bigPeakMb - run.bigBaseMb).toFixed(1)} MiB for a ${(run.bigAttachment / 2 ** 20).toFixed(1)} MiB mail | ${run.rssPeakMb.toFixed(0)} MiB | ${run.bigSeconds.toFixed(1)} s |`,
    );
  }
  lines.push('', 'Target: >= 200 mails/s end to end. "bare" = imapflow fetching the full sources of the same mailbox in batches of 200, no parsing, no database.');
  console.log(lines.join('\n'));
} finally {
  await dovecot.destroy();
}
