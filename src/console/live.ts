/**
 * Live updates: GET /console/live is a stream of server-sent events, one `ticket` event per committed change
 * ({"ticket":N,"kind":K}: no text of the ticket) and one `incident` event per incident changed by a person
 * ({"incident":N}, to the streams of lists only), fed by LISTEN/NOTIFY (src/db/repositories/console-signals.ts)
 * so a change made on any instance reaches the consoles open on every instance. A ticket page's stream
 * (`?ticket=N`) hears only that ticket and is its viewer's presence: a console_presence row while it is open.
 * Bounded per instance (CONSOLE_LIVE_STREAMS) and per session; a comment line every heartbeat keeps proxies
 * from closing an idle stream and refreshes presence; close() ends every stream (graceful shutdown).
 * A console that gets no stream polls instead (assets/console-keys.js).
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import {
  type ConsoleSignal, deletePresence, deleteStalePresence, insertPresence, listenForSignals, notifyConsole, type SignalListener, touchPresence,
} from '../db/repositories/console-signals.ts';
import { HttpError } from '../lib/http-error.ts';
import type { ConsoleState } from './session.ts';

/** Streams one session may hold at once (a tab each); past it that tab polls. */
export const STREAMS_PER_SESSION = 8;
export const HEARTBEAT_MS = 15_000;
/** A viewer whose stream's instance has not refreshed the row for this long is gone (that instance died). */
export const PRESENCE_FRESH_SECONDS = 45;
/** A stream whose client reads nothing for this many bytes is dropped (its browser reconnects or polls). */
const MAX_BUFFERED = 64 * 1024;

interface Stream {
  id: string;
  session: string;
  ticket: number | undefined;
  out: PassThrough;
}

export interface LiveOptions {
  db: Database;
  databaseUrl: string | undefined;
  maxStreams: number;
  logger: Logger;
  heartbeatMs?: number;
}

export interface Live {
  router: Router;
  /** Starts listening and the heartbeat. */
  start(): Promise<void>;
  /** Ends every stream and stops listening. */
  close(): Promise<void>;
  /** Open streams on this instance. */
  size(): number;
}

export function createLive(opts: LiveOptions): Live {
  const { db, logger } = opts;
  const streams = new Set<Stream>();
  let listener: SignalListener | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;

  const send = (stream: Stream, chunk: string) => {
    if (stream.out.writableLength > MAX_BUFFERED) return void stream.out.end();
    stream.out.write(chunk);
  };
  const publish = (signal: ConsoleSignal) => {
    // An incident's change goes to the streams of lists (the inbox, the incident pages), never to a ticket's.
    if (signal.kind === 'incident') {
      const chunk = `event: incident\ndata: ${JSON.stringify({ incident: signal.ticket })}\n\n`;
      for (const stream of streams) if (stream.ticket === undefined) send(stream, chunk);
      return;
    }
    const chunk = `event: ticket\ndata: ${JSON.stringify({ ticket: signal.ticket, kind: signal.kind })}\n\n`;
    for (const stream of streams) if (stream.ticket === undefined || stream.ticket === signal.ticket) send(stream, chunk);
  };
  /** After a break in listening, signals may be lost: every console reloads what it shows. */
  const everything = () => {
    for (const stream of streams) send(stream, `event: resync\ndata: {}\n\n`);
  };

  const beat = async () => {
    for (const stream of streams) send(stream, ': heartbeat\n\n');
    const watching = [...streams].filter((s) => s.ticket !== undefined).map((s) => s.id);
    try {
      await touchPresence(db.sql, watching);
      await deleteStalePresence(db.sql, 3_600);
    } catch (error) {
      logger.warn({ err: error }, 'console: presence not refreshed');
    }
  };

  const router = new Router({ sensitive: true });
  router.get('/console/live', async (ctx: Context) => {
    const user = (ctx.state as ConsoleState).user!;
    if (closed) throw new HttpError(503, 'The service is stopping.');
    const raw = typeof ctx.query.ticket === 'string' ? ctx.query.ticket : '';
    const ticket = /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
    if (raw && ticket === undefined) throw new HttpError(422, 'ticket is a ticket number.');
    if (streams.size >= opts.maxStreams) throw new HttpError(429, 'This instance holds as many live streams as it may: the console polls instead.');
    // The CSRF token is one per session: it tells this session's streams apart from others' without the cookie.
    if ([...streams].filter((s) => s.session === user.csrfToken).length >= STREAMS_PER_SESSION) {
      throw new HttpError(429, `At most ${STREAMS_PER_SESSION} live streams per session: this tab polls instead.`);
    }
    const stream: Stream = { id: randomUUID(), session: user.csrfToken, ticket, out: new PassThrough() };
    streams.add(stream);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      streams.delete(stream);
      stream.out.end();
      // After close() the rows go in one statement there, before the database closes.
      if (ticket !== undefined && !closed) {
        void db.transaction(async (tx) => {
          await deletePresence(tx, [stream.id]);
          await notifyConsole(tx, { ticket, kind: 'presence' });
        }).catch((error: unknown) => logger.warn({ err: error }, 'console: presence not removed'));
      }
    };
    ctx.res.on('close', leave);
    stream.out.on('close', leave);
    if (ticket !== undefined) {
      await db.transaction(async (tx) => {
        await insertPresence(tx, { streamId: stream.id, ticketId: ticket, userId: user.userId, userName: user.name });
        await notifyConsole(tx, { ticket, kind: 'presence' });
      });
    }
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.status = 200;
    ctx.type = 'text/event-stream';
    ctx.set('Cache-Control', 'no-store, no-transform');
    // Proxies that buffer (nginx) pass each event on at once; the stream's connection is not reused after it.
    ctx.set('X-Accel-Buffering', 'no');
    ctx.set('Connection', 'close');
    ctx.body = stream.out;
    stream.out.write(`retry: 2000\n: connected\n\n`);
  });

  return {
    router,
    size: () => streams.size,
    async start() {
      const source = db.pglite ? { pglite: db.pglite, sql: db.sql } : { url: opts.databaseUrl! };
      listener = await listenForSignals(source, {
        onSignal: publish,
        onError: (error) => logger.warn({ err: error }, 'console: live-update connection broke; opening it again'),
        onReconnect: everything,
      });
      heartbeat = setInterval(() => void beat(), opts.heartbeatMs ?? HEARTBEAT_MS);
      heartbeat.unref();
    },
    async close() {
      closed = true;
      if (heartbeat) clearInterval(heartbeat);
      const watching = [...streams].filter((s) => s.ticket !== undefined).map((s) => s.id);
      for (const stream of streams) stream.out.end();
      streams.clear();
      await listener?.close();
      await deletePresence(db.sql, watching).catch((error: unknown) => logger.warn({ err: error }, 'console: presence not removed'));
    },
  };
}
