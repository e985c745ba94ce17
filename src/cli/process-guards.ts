/**
 * The service's last line of defence: what escapes every try/catch is logged with its origin instead of
 * disappearing or killing the process without a word.
 *
 * - unhandledRejection: logged, and the service keeps serving. A promise nobody awaited failed; nothing was
 *   unwound half-way (the code that created it already returned), and every change is transactional, so the
 *   process is in a known state. The log line is the bug report.
 * - uncaughtException: logged as fatal, then onFatal (src/main.ts: the graceful shutdown, exit code 1).
 *   A synchronous throw unwound some callback half-way, and Node documents that resuming after it is unsafe.
 *   Nothing is lost by stopping: a message is acknowledged only after it is committed, queued jobs survive,
 *   and the supervisor (Docker's restart policy, systemd, Kubernetes) starts a clean process. A clean close
 *   also protects the embedded database's files better than carrying on in an unknown state.
 */
import type { Logger } from 'pino';

interface ProcessEvents {
  on(event: 'unhandledRejection', listener: (reason: unknown, promise: Promise<unknown>) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown, promise: Promise<unknown>) => void): unknown;
  off(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
}

export interface ProcessGuardOptions {
  logger: Logger;
  /** Called once, after the first uncaught exception is logged. */
  onFatal: (error: Error) => void;
  /** The process (tests pass an EventEmitter). */
  target?: ProcessEvents;
}

/** Installs both handlers; returns a function that removes them. */
export function installProcessGuards({ logger, onFatal, target = process }: ProcessGuardOptions): () => void {
  let fatal = false;
  const onRejection = (reason: unknown) => {
    logger.error({ err: reason, origin: 'unhandledRejection' }, 'a promise was rejected and nobody handled it; the service keeps serving');
  };
  const onException = (error: Error, origin: string) => {
    if (fatal) {
      logger.error({ err: error, origin }, 'another uncaught exception during the shutdown');
      return;
    }
    fatal = true;
    logger.fatal({ err: error, origin }, 'uncaught exception: shutting down gracefully (exit code 1) so that a clean process takes over');
    onFatal(error);
  };
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  return () => {
    target.off('unhandledRejection', onRejection);
    target.off('uncaughtException', onException);
  };
}

/**
 * A reader that went away (`npm run dead-letters -- list | head -1`) makes the next write to stdout or
 * stderr fail with EPIPE, which Node raises as an uncaught exception. The rest of the output has nobody to
 * read it: drop it quietly and let the command finish (or the service keep serving) as usual.
 */
export function ignoreClosedOutput(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}
