/**
 * The one start of every command (src/cli/*.ts and the service, src/main.ts), in this order:
 * 1. the arguments: a wrong one is reported before anything else is read or opened;
 * 2. .env from the working directory when present (variables already set in the environment win);
 * 3. the configuration, parsed on first use (commands that need none never fail on it), and a logger at its level;
 * 4. the command; a number it returns becomes the exit code.
 * Failures a person can act on become one line on stderr and an exit code: 2 for arguments and
 * configuration, 1 for start-up problems (port, database, locked data directory). Anything else is a bug
 * and keeps its stack trace.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ConfigError, dotEnvWarnings, loadConfig, loadDotEnv, type Config } from '../config.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { StartupError } from '../lib/startup-error.ts';
import { ignoreClosedOutput } from './process-guards.ts';

/** How long a finished command may take to let go of what it opened before it is ended anyway. */
const LINGER_MS = 5_000;

/** The command could not do its job for a reason its message explains (an unreadable file, a refused sign-in). */
export class CommandError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CommandError';
    this.exitCode = exitCode;
  }
}

/** A wrong argument, or a setting this command needs and lacks: the message says what to change. */
export class UsageError extends CommandError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

export interface CommandContext {
  /** The validated configuration (parsed once, on first call). */
  config(): Config;
  /** A logger at the configured level (created on first call). */
  logger(): Logger;
}

export interface Command<A> {
  /** As the operator types it after `npm run` (seed, db:migrate, ...); prefixes every message. */
  name: string;
  /** Shown after an argument error. */
  usage: string;
  /** argv (without node and the script) to the command's arguments; what it throws is an argument error. */
  parse(argv: string[]): A;
  run(args: A, ctx: CommandContext): Promise<number | void>;
  /**
   * The command prints its own results in plain lines: its logger writes warnings and errors only (debug and
   * trace still go through), so no JSON log lines surround that output.
   */
  plainOutput?: boolean;
  /** The service: keeps running after run() returns, until a signal stops it. */
  runsUntilStopped?: boolean;
}

/** The logger level of a command: info lines are the service's, not a plain-output command's. */
export function commandLogLevel(configured: string, plainOutput: boolean): string {
  return plainOutput && configured === 'info' ? 'warn' : configured;
}

/** A parse for Command: node:util parseArgs, strict (unknown options are errors). */
export function options<const O extends ParseArgsOptionsConfig>(spec: O, opts: { positionals?: boolean } = {}) {
  return (argv: string[]) => parseArgs({ args: argv, options: spec, strict: true, allowPositionals: opts.positionals ?? false });
}

/** The exit code and one-line message for a failure a person can act on; undefined for a bug. */
export function describeFailure(error: unknown): { message: string; exitCode: number } | undefined {
  if (error instanceof ConfigError) return { message: error.message, exitCode: 2 };
  if (error instanceof CommandError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof StartupError) return { message: error.message, exitCode: 1 };
  return undefined;
}

/** The first sentence of an argument error (parseArgs adds advice over several lines). */
function argumentProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/\n|(?<=')\. /)[0]!.trim();
}

/**
 * A command closes what it opened, so it ends when run() returns. Should something stay open anyway (a
 * library's timer), say what on stderr and end rather than hang the terminal or a script.
 */
function endWhenFinished(name: string, before: string[]): void {
  setTimeout(() => {
    // What the command added to what every process holds (its stdio), named as Node names it (Timeout, TCPWrap, ...).
    const open = process.getActiveResourcesInfo();
    for (const kind of before) {
      const at = open.indexOf(kind);
      if (at >= 0) open.splice(at, 1);
    }
    console.error(`${name}: finished, but ${open.join(', ') || 'something'} stayed open; exiting`);
    process.exit();
  }, LINGER_MS).unref();
}

function exitWith(name: string, message: string, exitCode: number): never {
  console.error(`${name}: ${message}`);
  process.exit(exitCode);
}

export async function runCommand<A>(command: Command<A>, argv: string[] = process.argv.slice(2)): Promise<void> {
  ignoreClosedOutput();
  const before = process.getActiveResourcesInfo();
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`usage: ${command.usage}`);
    return;
  }
  let args: A;
  try {
    args = command.parse(argv);
  } catch (error) {
    const problem = argumentProblem(error);
    exitWith(command.name, problem.includes('usage:') ? problem : `${problem}\nusage: ${command.usage}`, 2);
  }
  let config: Config | undefined;
  let logger: Logger | undefined;
  const ctx: CommandContext = {
    config: () => (config ??= loadConfig()),
    logger: () => (logger ??= createLogger(commandLogLevel(ctx.config().logLevel, command.plainOutput ?? false))),
  };
  try {
    loadDotEnv();
    for (const warning of dotEnvWarnings()) console.error(`${command.name}: warning: ${warning}`);
    const code = await command.run(args, ctx);
    if (typeof code === 'number') process.exitCode = code;
    if (!command.runsUntilStopped) endWhenFinished(command.name, before);
  } catch (error) {
    const known = describeFailure(error);
    if (known) exitWith(command.name, known.message, known.exitCode);
    console.error(`${command.name}: unexpected error`, error);
    process.exit(1);
  }
}
