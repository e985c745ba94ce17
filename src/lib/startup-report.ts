/**
 * What the service says while it starts. A first start on the embedded database takes tens of seconds
 * (creating the database, migrations, the model); without a word a person at a terminal cannot tell a slow
 * start from a hung one, nor where to go once it is up. On a terminal: plain sentences on stderr. Piped
 * (`npm start | pino-pretty`, a process manager, a container): the same steps as JSON log lines.
 * Whether it is a terminal is the caller's decision (src/main.ts asks process.stdout / stderr), so tests
 * drive both forms through the real start path.
 */
import type { Logger } from 'pino';

export interface StartupReport {
  openingDatabase(kind: 'pglite' | 'postgresql', where: string): void;
  /** A first start on the embedded database: initdb runs (once per data directory). */
  creatingDatabase(where: string): void;
  migrated(applied: string[]): void;
  classifier(description: string): void;
  /** The service answers; `baseUrl` is where a browser on this machine reaches it. */
  ready(baseUrl: string): void;
}

/** A page a person opens first; the ready message lists them in the caller's order. */
export interface StartPage {
  label: string;
  path: string;
}

export interface StartupReportOptions {
  /** Plain sentences for a person (a terminal) or JSON log lines (piped). */
  interactive: boolean;
  logger: Logger;
  /** The pages named once the service is ready. */
  pages: readonly StartPage[];
  /** Where the plain sentences go (default stderr: stdout stays the log stream). */
  write?: (text: string) => void;
  /** The clock for "ready in N s" (tests need no real one). */
  now?: () => number;
}

export function createStartupReport(o: StartupReportOptions): StartupReport {
  return o.interactive ? plainReport(o.pages, o.write ?? ((text) => process.stderr.write(text)), o.now ?? Date.now) : jsonReport(o.pages, o.logger);
}

function plainReport(pages: readonly StartPage[], write: (text: string) => void, now: () => number): StartupReport {
  const started = now();
  const say = (line: string) => write(`${line}\n`);
  return {
    openingDatabase: (kind, where) => say(kind === 'pglite' ? `Opening the embedded database in ${where} …` : `Connecting to PostgreSQL at ${where} …`),
    creatingDatabase: (where) => say(`First start: creating the embedded database in ${where}. This takes 10 to 30 seconds, once.`),
    migrated: (applied) => say(applied.length ? `Database schema brought up to date (${applied.length} migration${applied.length === 1 ? '' : 's'} applied).` : 'Database schema is up to date.'),
    classifier: (description) => say(`Classifier: ${description}.`),
    ready(baseUrl) {
      const seconds = ((now() - started) / 1000).toFixed(1);
      const width = Math.max(...pages.map((p) => p.label.length));
      say(`\nSupport Triage is ready after ${seconds} s: ${baseUrl}/`);
      for (const page of pages) say(`  ${`${page.label}:`.padEnd(width + 2)}${baseUrl}${page.path}`);
      say('Stop it with Ctrl-C. Log lines (JSON) follow on stdout.\n');
    },
  };
}

function jsonReport(pages: readonly StartPage[], logger: Logger): StartupReport {
  const log = logger.child({ component: 'startup' });
  return {
    openingDatabase: (kind, where) => log.info({ database: kind, where }, 'opening the database'),
    creatingDatabase: (where) => log.info({ where }, 'first start: creating the embedded database'),
    migrated: (applied) => log.info({ applied: applied.length }, applied.length ? 'migrations applied' : 'schema up to date'),
    classifier: (description) => log.info({ classifier: description }, 'classifier ready'),
    ready: (baseUrl) => log.info({ url: `${baseUrl}/`, pages: Object.fromEntries(pages.map((p) => [p.label, `${baseUrl}${p.path}`])) }, 'ready'),
  };
}

/** Says nothing: commands that build the service for other work (seed) and the tests' in-process service. */
export const silentStartup: StartupReport = {
  openingDatabase: () => undefined,
  creatingDatabase: () => undefined,
  migrated: () => undefined,
  classifier: () => undefined,
  ready: () => undefined,
};

/** The address a browser on this machine uses: a wildcard or loopback bind is reached as localhost. */
export function browserUrl(host: string, port: number, publicUrl?: string): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const local = host === '0.0.0.0' || host === '::' || host === '' || host === '127.0.0.1' || host === '::1' || host === 'localhost';
  const shown = local ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
