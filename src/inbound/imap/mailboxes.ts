/**
 * Every configured support mailbox, each with its own reader: its own session, lock, cursor, credentials
 * and backoff, so one failing (bad password, server down) never stops or delays the others. /health gets
 * one 'imap' entry: `checks.imap.mailboxes.<id>` holds each reader's details, the top level summarizes
 * (with a single mailbox it is that mailbox's details, as before several were possible).
 */
import type { ImapMailbox } from '../../config.ts';
import type { ComponentHealth } from '../../lib/health.ts';
import type { Metrics } from '../../lib/metrics.ts';
import { createImapReader, type ImapHealth, type ImapReader, type ImapReaderDeps } from './reader.ts';

export interface MailboxReaders {
  start(): void;
  stop(): Promise<void>;
  health(): ComponentHealth;
  /** Per-mailbox gauges, refreshed before each /metrics scrape. */
  updateMetrics(): void;
  readonly readers: ReadonlyMap<string, ImapReader>;
}

export function createMailboxReaders(
  deps: Omit<ImapReaderDeps, 'config' | 'health' | 'onOutcome'> & { mailboxes: ImapMailbox[]; health: { register(name: string, probe: () => ComponentHealth): void }; metrics?: Metrics },
): MailboxReaders {
  const readers = new Map<string, ImapReader>();
  for (const mailbox of deps.mailboxes) {
    readers.set(mailbox.id, createImapReader({
      ...deps,
      config: mailbox,
      // Each reader reports to this group, which registers the one 'imap' entry below.
      health: { register: () => undefined },
      onOutcome: (outcome) => deps.metrics?.imapMail.inc({ mailbox: mailbox.id, outcome }),
    }));
  }
  const health = () => summarize(new Map([...readers].map(([id, r]) => [id, r.health()])));
  deps.health.register('imap', health);
  return {
    readers,
    health,
    start() {
      for (const r of readers.values()) r.start();
    },
    async stop() {
      await Promise.all([...readers.values()].map((r) => r.stop()));
    },
    updateMetrics() {
      const m = deps.metrics;
      if (!m) return;
      for (const [id, r] of readers) {
        const h = r.health();
        m.imapUp.set({ mailbox: id }, h.status === 'connected' ? 1 : 0);
        m.imapBacklog.set({ mailbox: id }, h.backlog);
        if (h.last_fetch_at) m.imapLastFetch.set({ mailbox: id }, Date.parse(h.last_fetch_at) / 1000);
      }
    },
  };
}

/** Worst first: the summary is healthy ("connected") only when no mailbox is failing or still connecting. */
const ORDER = ['failing', 'connecting', 'disabled', 'connected', 'standby'];

export function summarize(each: Map<string, ImapHealth>): ComponentHealth {
  const all = [...each.values()];
  const mailboxes = Object.fromEntries(each);
  if (all.length === 1) return { ...all[0]!, mailboxes };
  const statuses = all.map((h) => h.status);
  // Standby next to connected ones is normal (another instance reads that mailbox); all standby is standby.
  const status = ORDER.find((s) => s !== 'standby' && statuses.includes(s as ImapHealth['status'])) ?? 'standby';
  const failing = Object.entries(mailboxes).filter(([, h]) => h.status === 'failing').map(([id]) => id);
  const errors = Object.entries(mailboxes)
    .filter(([, h]) => h.last_error)
    .map(([id, h]) => ({ mailbox_id: id, ...h.last_error! }))
    .sort((a, b) => b.at.localeCompare(a.at));
  const fetched = all.filter((h) => h.status === 'connected').map((h) => h.last_fetch_at);
  return {
    status,
    failing,
    backlog: all.reduce((n, h) => n + h.backlog, 0),
    // The stalest read among the mailboxes this instance reads: the one to worry about.
    last_fetch_at: fetched.includes(null) ? null : (fetched as string[]).sort()[0] ?? null,
    last_error: errors[0] ?? null,
    mailboxes,
  };
}
