/**
 * Where log lines go: stdout (or another writable stream), never blocking, never retrying in a loop.
 *
 * pino's default writer (sonic-boom) retries a failed write every 100 ms in a synchronous loop when it
 * flushes at exit; once stdout is a pipe whose reader is gone (`npm start | head -1`, Ctrl-C on
 * `| pino-pretty`), every retry fails with EPIPE and the process never ends, whatever signal it gets.
 * Node's own stdout stream writes at once when the pipe has room and otherwise queues the line until the
 * reader takes it, without blocking the event loop; it reports a gone reader once, as an 'error'. Here
 * the queue is bounded (a stalled reader costs at most MAX_PENDING_BYTES, newer lines are dropped), and
 * after a write error every line is dropped: a log nobody can read must not stop the service from serving
 * or from stopping. Writing through the same stream as console.log keeps the two in order.
 */
import type { Writable } from 'node:stream';

const MAX_PENDING_BYTES = 4 * 1024 * 1024;

export interface LogDestination {
  write(line: string): void;
  /** True once a write failed (EPIPE: the reader is gone): lines are dropped from then on. */
  readonly closed: boolean;
  /** Lines dropped because the reader was too slow or gone. */
  readonly dropped: number;
}

/** Streams whose write errors are already handled (one listener per stream, however many loggers use it). */
const guarded = new WeakSet<Writable>();

export function streamDestination(stream: Writable = process.stdout): LogDestination {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    // The error destroys the stream; that is all a logger needs to know (see `closed`).
    stream.on('error', () => {});
  }
  let dropped = 0;
  const closed = () => stream.destroyed || stream.errored !== null;
  return {
    write(line) {
      if (closed() || stream.writableLength > MAX_PENDING_BYTES) {
        dropped++;
        return;
      }
      stream.write(line);
    },
    get closed() {
      return closed();
    },
    get dropped() {
      return dropped;
    },
  };
}

/**
 * Resolves once what waits in the stream has been written (the last lines of a shutdown), or after `maxMs`,
 * or when the reader is gone: process.exit() drops whatever is still queued, so wait for it, but never long.
 */
export function outputWritten(stream: Writable = process.stdout, maxMs = 2_000): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, maxMs);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}
