/**
 * Reads everything above the cursor from the selected mailbox, in UID order, in batches:
 * fetch -> parse -> triage/ingest (committed) -> flag or move -> advance the cursor. A mail is only
 * acknowledged on the server after its outcome is committed, and the cursor only moves over a gap-free
 * prefix of handled mail, so a crash anywhere re-reads (ingest dedupes) instead of losing.
 */
import type { ImapFlow } from 'imapflow';
import type { Readable } from 'node:stream';
import { parseEmail, type ParsedEmail } from './parse-mail.ts';
import { planMail, recordUnparseable, type HandleDeps, type MailOutcome, type MailPlan } from './handle-mail.ts';
import { type Cursor, readCursor, writeCursor } from '../../db/repositories/mailbox-cursors.ts';
import type { MailContext } from './to-inbound.ts';

export interface DrainSettings {
  cursorKey: string;
  mailbox: string;
  /** Which configured mailbox this is, recorded on its tickets. */
  source: MailContext['source'];
  processedMailbox: string | undefined;
  failedMailbox: string | undefined;
  supportAddresses: string[];
  attachmentMaxBytes: number;
  batchSize: number;
  /** Mails above this size are streamed (download in chunks) instead of fetched into memory. */
  streamThresholdBytes: number;
  /** Byte budget of one batch of in-memory sources. */
  batchBytes: number;
  ingestConcurrency: number;
  /** Only UIDs with an internal date at or after this (replay). */
  since?: Date;
}

/** What the caller steers and hears of a drain: when to stop, progress (for /health), and a crash point for tests. */
export interface DrainControl {
  shouldStop(): boolean;
  onProgress(p: { backlog: number; outcome?: MailOutcome }): void;
  /** Test seam: runs after the batch is committed, before the server is told. Throwing = crash here. */
  beforeAcknowledge?: (uids: number[]) => Promise<void> | void;
}

/** Partial FETCH size for streamed mail: few round trips, bounded memory. */
const DOWNLOAD_CHUNK = 256 * 1024;

interface Listed {
  uid: number;
  size: number;
  internalDate: Date | null;
}

export async function drainMailbox(client: ImapFlow, deps: HandleDeps, s: DrainSettings, control: DrainControl): Promise<void> {
  const mb = client.mailbox;
  if (!mb) throw new Error('no mailbox selected');
  const uidValidity = BigInt(mb.uidValidity);
  let cursor: Cursor | null = s.since ? { uidValidity, lastUid: 0 } : await readCursor(deps.db.sql, s.cursorKey);
  if (!s.since && (!cursor || cursor.uidValidity !== uidValidity)) {
    if (cursor) {
      deps.logger.warn({ mailbox: s.mailbox, was: cursor.uidValidity.toString(), now: uidValidity.toString() },
        'UIDVALIDITY changed: rescanning the whole mailbox (already stored mail is skipped by Message-ID)');
    }
    cursor = { uidValidity, lastUid: 0 };
    await writeCursor(deps.db.sql, s.cursorKey, cursor);
  }
  if (!mb.exists) {
    control.onProgress({ backlog: 0 });
    return;
  }
  let list: Listed[];
  if (s.since) {
    const uids = (await client.search({ since: s.since }, { uid: true })) || [];
    list = uids.length ? await listMeta(client, uids.join(',')) : [];
  } else {
    list = (await listMeta(client, `${cursor!.lastUid + 1}:*`)).filter((m) => m.uid > cursor!.lastUid);
  }
  list.sort((a, b) => a.uid - b.uid);
  let backlog = list.length;
  control.onProgress({ backlog });

  for (let i = 0; i < list.length && !control.shouldStop(); ) {
    const batch: Listed[] = [];
    let bytes = 0;
    while (i < list.length && batch.length < s.batchSize && (batch.length === 0 || bytes + list[i]!.size <= s.batchBytes)) {
      const m = list[i++]!;
      if (m.size <= s.streamThresholdBytes) bytes += m.size;
      batch.push(m);
    }
    const handled = await processBatch(client, deps, s, control, batch, uidValidity);
    if (handled.length && !s.since) {
      cursor = { uidValidity, lastUid: handled[handled.length - 1]! };
      await writeCursor(deps.db.sql, s.cursorKey, cursor);
    }
    backlog -= handled.length;
    control.onProgress({ backlog });
    if (handled.length < batch.length && !control.shouldStop()) throw new Error('batch stopped early');
  }
}

async function listMeta(client: ImapFlow, range: string): Promise<Listed[]> {
  const rows = await client.fetchAll(range, { uid: true, size: true, internalDate: true }, { uid: true });
  return rows.map((r) => ({
    uid: r.uid,
    size: r.size ?? 0,
    internalDate: r.internalDate ? new Date(r.internalDate) : null,
  }));
}

/** Returns the UIDs handled (a prefix of the batch), after acknowledging them on the server. */
async function processBatch(client: ImapFlow, deps: HandleDeps, s: DrainSettings, control: DrainControl, batch: Listed[], uidValidity: bigint): Promise<number[]> {
  const small = batch.filter((m) => m.size <= s.streamThresholdBytes).map((m) => m.uid);
  const sources = new Map<number, Buffer>();
  if (small.length) {
    for (const r of await client.fetchAll(small, { uid: true, source: true }, { uid: true })) if (r.source) sources.set(r.uid, r.source);
  }

  const outcomes = new Map<number, MailOutcome>();
  let failure: unknown;
  let pending: { uid: number; plan: MailPlan }[] = [];
  let pendingBytes = 0;

  // Runs the planned mails in mailbox order: unordered ones together (ingest group-commits them),
  // an ordered one only after everything before it is stored.
  const flush = async () => {
    let group: Promise<void>[] = [];
    const run = (uid: number, plan: MailPlan) =>
      plan.run().then(
        (o) => {
          outcomes.set(uid, o);
          control.onProgress({ backlog: -1, outcome: o });
        },
        (e: unknown) => {
          failure ??= e;
        },
      );
    for (const { uid, plan } of pending) {
      if (failure) break;
      if (plan.ordered) {
        await Promise.all(group);
        group = [];
        if (!failure) await run(uid, plan);
      } else {
        group.push(run(uid, plan));
        if (group.length >= s.ingestConcurrency) {
          await Promise.all(group);
          group = [];
        }
      }
    }
    await Promise.all(group);
    pending = [];
    pendingBytes = 0;
  };

  for (const m of batch) {
    if (failure || control.shouldStop()) break;
    const ctx: MailContext = { mailbox: s.mailbox, source: s.source, uid: m.uid, uidValidity: uidValidity.toString(), internalDate: m.internalDate, supportAddresses: s.supportAddresses };
    let raw: Buffer | Readable | undefined = sources.get(m.uid);
    if (!raw) {
      // Large (or not returned in the batch fetch): stream it in chunks; memory stays flat.
      await flush();
      const dl = await client.download(String(m.uid), undefined, { uid: true, chunkSize: DOWNLOAD_CHUNK });
      if (!dl.content) {
        outcomes.set(m.uid, { kind: 'ignored', reason: 'expunged before it could be read', ticketId: null });
        continue;
      }
      raw = dl.content;
    }
    let parsed: ParsedEmail;
    try {
      parsed = await parseEmail(raw, { attachmentMaxBytes: s.attachmentMaxBytes });
    } catch (error) {
      if (!client.usable) throw error; // the stream died with the connection: retry later, not "unparseable"
      await flush();
      outcomes.set(m.uid, await recordUnparseable(deps, ctx, error, Buffer.isBuffer(raw) ? raw : null));
      continue;
    }
    pending.push({ uid: m.uid, plan: planMail(deps, parsed, ctx) });
    // Kept attachment content waits in memory until its mail is stored: bound it.
    pendingBytes += parsed.attachments.reduce((n, a) => n + (a.content?.length ?? 0), 0);
    if (pendingBytes > s.batchBytes) await flush();
  }
  await flush();

  // The gap-free prefix of handled mail: everything after the first unhandled one is read again later.
  const handled: number[] = [];
  for (const m of batch) {
    if (!outcomes.has(m.uid)) break;
    handled.push(m.uid);
  }
  if (handled.length) {
    await control.beforeAcknowledge?.(handled);
    if (!s.since) await acknowledge(client, s, handled, outcomes);
  }
  if (failure) throw failure;
  return handled;
}

async function acknowledge(client: ImapFlow, s: DrainSettings, uids: number[], outcomes: Map<number, MailOutcome>): Promise<void> {
  const failed = uids.filter((u) => outcomes.get(u)?.kind === 'failed');
  const done = uids.filter((u) => outcomes.get(u)?.kind !== 'failed');
  // imapflow answers `false` instead of throwing when the command could not run (connection gone): the
  // cursor must not move past mail the server was not told about.
  const check = (ok: unknown, what: string) => {
    if (!ok) throw new Error(`IMAP ${what} failed; the mail will be read again`);
  };
  if (done.length) {
    check(await client.messageFlagsAdd(done, ['\\Seen'], { uid: true }), 'STORE \\Seen');
    if (s.processedMailbox) check(await client.messageMove(done, s.processedMailbox, { uid: true }), `MOVE to ${s.processedMailbox}`);
  }
  // Failed mail stays unread where it is unless a failed-mail folder is configured.
  if (failed.length && s.failedMailbox) check(await client.messageMove(failed, s.failedMailbox, { uid: true }), `MOVE to ${s.failedMailbox}`);
}
