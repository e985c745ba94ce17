/**
 * The console's live signals and presence (src/console/live.ts). A signal says only "ticket N changed, this
 * kind": NOTIFY on one channel, sent inside the transaction that makes the change, so PostgreSQL delivers it
 * on commit and never for a rollback, to every instance that LISTENs (PGlite: the one instance, same rules).
 * Payloads carry no text from the ticket. Presence is a row per open stream in console_presence.
 */
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import type { Sql } from '../sql.ts';

export const SIGNAL_CHANNEL = 'console_signals';

/** 'incident': an incident changed (its id in `ticket`); the inbox and the incident pages reload on it. */
export const SIGNAL_KINDS = ['created', 'classified', 'follow_up', 'changed', 'reply', 'presence', 'incident'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export interface ConsoleSignal {
  ticket: number;
  kind: SignalKind;
}

/** Queues the signal in `tx`: it leaves on commit. */
export async function notifyConsole(tx: Sql, signal: ConsoleSignal): Promise<void> {
  await tx.query('select pg_notify($1, $2)', [SIGNAL_CHANNEL, JSON.stringify({ t: signal.ticket, k: signal.kind })]);
}

/** A payload from the channel, or undefined when it is not one of ours. */
export function parseSignal(payload: string): ConsoleSignal | undefined {
  try {
    const v = JSON.parse(payload) as { t?: unknown; k?: unknown };
    return Number.isSafeInteger(v.t) && (SIGNAL_KINDS as readonly unknown[]).includes(v.k) ? { ticket: v.t as number, kind: v.k as SignalKind } : undefined;
  } catch {
    return undefined;
  }
}

export interface SignalListener {
  close(): Promise<void>;
}

export interface ListenOptions {
  onSignal(signal: ConsoleSignal): void;
  /** The connection broke (it is opened again after `retryMs`) or could not be opened. */
  onError(error: Error): void;
  /** Listening again after a break: signals may have been missed meanwhile. */
  onReconnect?(): void;
  retryMs?: number;
}

/**
 * LISTENs on the channel: on PGlite on its one connection (the LISTEN through our serializing handle, so it
 * never lands inside another user's transaction; the instance hands every notification to its listeners), on
 * PostgreSQL on a connection of its own, opened again after a break.
 */
export async function listenForSignals(source: { pglite: PGlite; sql: Sql } | { url: string }, opts: ListenOptions): Promise<SignalListener> {
  const deliver = (payload: string | undefined) => {
    const signal = payload === undefined ? undefined : parseSignal(payload);
    if (signal) opts.onSignal(signal);
  };
  if ('pglite' in source) {
    const { pglite, sql: handle } = source;
    const off = pglite.onNotification((channel, payload) => {
      if (channel === SIGNAL_CHANNEL) deliver(payload);
    });
    await handle.query(`listen ${SIGNAL_CHANNEL}`);
    return {
      async close() {
        off();
        if (!pglite.closed) await handle.query(`unlisten ${SIGNAL_CHANNEL}`).catch(() => undefined);
      },
    };
  }
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (again: boolean): Promise<void> => {
    const c = new pg.Client({ connectionString: source.url, application_name: 'support-triage-console-live', connectionTimeoutMillis: 5_000 });
    const retry = (error: Error) => {
      if (closed) return;
      opts.onError(error);
      c.removeAllListeners();
      c.on('error', () => undefined);
      void c.end().catch(() => undefined);
      if (client === c) client = undefined;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (!closed) void connect(true);
      }, opts.retryMs ?? 1_000);
    };
    c.on('error', retry);
    c.on('end', () => retry(new Error('the listening connection ended')));
    c.on('notification', (n) => deliver(n.payload));
    try {
      await c.connect();
      await c.query(`listen ${SIGNAL_CHANNEL}`);
    } catch (error) {
      retry(error as Error);
      return;
    }
    if (closed) return void c.end().catch(() => undefined);
    client = c;
    if (again) opts.onReconnect?.();
  };
  await connect(false);
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}

// ---- presence ----

export interface Viewer {
  userId: string;
  userName: string | null;
}

export async function insertPresence(tx: Sql, row: { streamId: string; ticketId: number } & Viewer): Promise<void> {
  await tx.kysely.insertInto('console_presence').values({ stream_id: row.streamId, ticket_id: row.ticketId, user_id: row.userId, user_name: row.userName }).execute();
}

/** Marks this instance's open streams seen now (one statement per heartbeat, whatever their number). */
export async function touchPresence(db: Sql, streamIds: readonly string[]): Promise<void> {
  if (!streamIds.length) return;
  await db.kysely.updateTable('console_presence').set({ seen_at: sql<Date>`now()` }).where('stream_id', 'in', [...streamIds]).execute();
}

export async function deletePresence(tx: Sql, streamIds: readonly string[]): Promise<void> {
  if (!streamIds.length) return;
  await tx.kysely.deleteFrom('console_presence').where('stream_id', 'in', [...streamIds]).execute();
}

/** Everyone with the ticket open (seen within `freshSeconds` by the database's clock: instances' clocks may differ), one line per person, by name. */
export async function viewersOf(db: Sql, ticketId: number, freshSeconds: number): Promise<Viewer[]> {
  const rows = await db.kysely
    .selectFrom('console_presence')
    .select(['user_id', (eb) => eb.fn.max('user_name').as('user_name')])
    .where('ticket_id', '=', ticketId)
    .where('seen_at', '>', sql<Date>`now() - make_interval(secs => ${freshSeconds})`)
    .groupBy('user_id')
    .orderBy('user_id')
    .limit(50)
    .execute();
  return rows.map((r) => ({ userId: r.user_id, userName: r.user_name ?? null }));
}

/** Rows nobody refreshed for a long time (an instance that died): clutter only, removed now and then. */
export async function deleteStalePresence(db: Sql, olderThanSeconds: number): Promise<void> {
  await db.kysely.deleteFrom('console_presence').where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`).execute();
}
