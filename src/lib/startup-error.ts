/**
 * A start-up problem a person can act on (port in use, database unreachable, data directory locked):
 * its message is one line saying what is wrong and what to do. Commands print it without a stack trace
 * (src/cli/bootstrap.ts); the cause stays attached for the debug log.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
