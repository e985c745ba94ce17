/**
 * The one start of every command (the service, seed, db:migrate, classifier:*, imap:replay): reads .env from
 * the working directory when present (variables already set in the environment win), parses the
 * configuration on first use, and turns the failures a person can act on into one line on stderr and an
 * exit code: 2 for configuration and usage, 1 for start-up problems (port, database, locked data directory).
 * Anything else is a bug and keeps its stack trace.
 */
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config.ts';
import { StartupError } from '../lib/startup-error.ts';

/** A wrong argument or input file: the message says what to change. */
export class UsageError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UsageError';
    this.exitCode = exitCode;
  }
}

export interface CommandContext {
  /** The validated configuration (parsed once, on first call: commands that need none never fail on it). */
  config(): Config;
}

/** The exit code and one-line message for a failure a person can act on; undefined for a bug. */
export function describeFailure(error: unknown): { message: string; exitCode: number } | undefined {
  if (error instanceof ConfigError) return { message: error.message, exitCode: 2 };
  if (error instanceof UsageError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof StartupError) return { message: error.message, exitCode: 1 };
  // node:util parseArgs: an unknown option or a missing value.
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) return { message: (error as Error).message, exitCode: 2 };
  return undefined;
}

/**
 * Runs a command's main. A number it returns becomes the exit code; the process then ends on its own (the
 * service keeps running because its listener and timers keep the event loop alive).
 */
export async function runCommand(name: string, main: (ctx: CommandContext) => Promise<number | void>): Promise<void> {
  let config: Config | undefined;
  try {
    loadDotEnv();
    const code = await main({ config: () => (config ??= loadConfig()) });
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    const known = describeFailure(error);
    if (known) {
      console.error(`${name}: ${known.message}`);
      process.exit(known.exitCode);
    }
    console.error(`${name}: unexpected error`, error);
    process.exit(1);
  }
}
