/**
 * Where log lines go: a file descriptor (stdout), written without ever blocking or sleeping.
 *
 * pino's default writer (sonic-boom) retries a failed write every 100 ms in a synchronous loop when it
 * flushes at exit; once stdout is a pipe whose reader is gone (`npm start | head -1`, Ctrl-C on
 * `| pino-pretty`), every retry fails with EPIPE and the process never ends, whatever signal it gets.
 * Here a write either completes, waits in a bounded buffer (a slow reader: EAGAIN on a non-blocking pipe,
 * retried on a timer that never keeps the process alive), or finds the reader gone, after which every
 * line is dropped: a log nobody can read must not stop the service from serving or from stopping.
 */
import { writeSync } from 'node:fs';

/** What a slow reader may leave waiting; past it the oldest lines are dropped (and counted). */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
const RETRY_MS = 50;

export interface LogDestination {
  write(line: string): void;
  /** True once the reader is gone (EPIPE or any other write error): lines are dropped from then on. */
  readonly closed: boolean;
  /** Lines dropped because the reader was too slow or gone. */
  readonly dropped: number;
}

export function fdDestination(fd = 1): LogDestination {
  // Node makes a stdout/stderr pipe non-blocking when process.stdout/stderr is first used. Do it now: a reader
  // that stalls must leave lines waiting here (EAGAIN), not block the event loop inside writeSync.
  if (fd === 1) void process.stdout;
  else if (fd === 2) void process.stderr;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let closed = false;
  let dropped = 0;
  let retry: NodeJS.Timeout | undefined;

  // Whatever still waits at exit gets one more try, never a loop.
  const atExit = () => {
    if (!closed) drain();
  };

  const stopRetrying = () => {
    if (retry) clearTimeout(retry);
    retry = undefined;
    process.off('exit', atExit);
  };

  const close = () => {
    closed = true;
    dropped += pending.length;
    pending = [];
    pendingBytes = 0;
    stopRetrying();
  };

  /** Writes what is pending until done or the pipe is full; returns false when something is left. */
  const drain = (): boolean => {
    while (pending.length) {
      const head = pending[0]!;
      let written: number;
      try {
        written = writeSync(fd, head);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return false;
        close();
        return true;
      }
      pendingBytes -= written;
      if (written < head.length) pending[0] = head.subarray(written);
      else pending.shift();
    }
    return true;
  };

  const scheduleRetry = () => {
    if (retry || closed) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (drain()) stopRetrying();
      else scheduleRetry();
    }, RETRY_MS);
    // A reader that never reads must not keep a finished process alive.
    retry.unref();
    if (!process.listeners('exit').includes(atExit)) process.on('exit', atExit);
  };

  return {
    write(line) {
      if (closed) {
        dropped++;
        return;
      }
      const chunk = Buffer.from(line);
      pending.push(chunk);
      pendingBytes += chunk.length;
      // The head may be half written: drop the oldest whole lines behind it.
      while (pendingBytes > MAX_PENDING_BYTES && pending.length > 2) {
        pendingBytes -= pending.splice(1, 1)[0]!.length;
        dropped++;
      }
      if (!retry && !drain()) scheduleRetry();
    },
    get closed() {
      return closed;
    },
    get dropped() {
      return dropped;
    },
  };
}
