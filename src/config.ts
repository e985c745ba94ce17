/**
 * The only reader of process.env (and of .env). Each variable is declared once, with its validator, default
 * and purpose, in its area's file under src/config/; this file puts the areas together and derives the
 * Config's type from them. Every problem is reported at once at start-up.
 *
 * Adding a variable: one line in its area's declarations (plus its line in .env.example and README's table,
 * which test/unit/config-docs.test.ts checks). Adding an area: a file beside the others and one line in
 * CONFIG_VARIABLES (plus one in CROSS_RULES if its variables depend on each other).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { classifierSection, classifierVariables } from './config/classifier.ts';
import { consoleRules, consoleSection, consoleVariables } from './config/console.ts';
import { customerVariables } from './config/customers.ts';
import { databaseVariables, workerVariables } from './config/database.ts';
import { apiVariables, httpRules, httpSection, httpVariables } from './config/http.ts';
import { opsSection, opsVariables } from './config/ops.ts';
import { imapRules, imapVariables, mailboxList, singleMailbox } from './config/imap.ts';
import type { ImapMailbox } from './config/mailbox.ts';
import { replyRules, replySection, replyVariables } from './config/replies.ts';
import { retentionVariables } from './config/retention.ts';
import { slaSection, slaVariables } from './config/sla.ts';
import { csatRules, csatSection, csatVariables } from './config/csat.ts';
import { incidentSection, incidentVariables } from './config/incidents.ts';
import { slackRules, slackSection, slackVariables } from './config/slack.ts';
import { misspeltSettings } from './config/misspelt.ts';
import { type Environment, readValues, type Values, variable, variablesOf } from './config/variable.ts';
import { webhookVariables } from './config/webhooks.ts';

export type { ImapAuth, ImapMailbox, ImapOAuth2 } from './config/mailbox.ts';

/** Every variable, nested as the Config is. */
export const CONFIG_VARIABLES = {
  env: variable('NODE_ENV', z.enum(['development', 'production', 'test']).optional().default('development'), 'production requires API keys (or ALLOW_ANONYMOUS_API).'),
  logLevel: variable('LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'), 'Lowest level written to the log.'),
  http: httpVariables,
  database: databaseVariables,
  worker: workerVariables,
  api: apiVariables,
  classifier: classifierVariables,
  imap: imapVariables,
  webhooks: webhookVariables,
  slack: slackVariables,
  ops: opsVariables,
  replies: replyVariables,
  sla: slaVariables,
  console: consoleVariables,
  customers: customerVariables,
  retention: retentionVariables,
  csat: csatVariables,
  incidents: incidentVariables,
};

/** Rules across variables; they read the raw values, so one start-up lists these beside every bad value. */
const CROSS_RULES: ((source: Environment) => string[])[] = [httpRules, imapRules, slackRules, replyRules, consoleRules, csatRules];

/** The parsed values, with the areas whose shape differs from their variables' (optional sections, derived defaults). */
function toConfig(v: Values<typeof CONFIG_VARIABLES>, mailboxes: ImapMailbox[]) {
  const { imap: _imap, ...rest } = v;
  return {
    ...rest,
    http: httpSection(v.http),
    classifier: classifierSection(v.classifier),
    /** The support mailboxes read (empty: no inbox door): IMAP_MAILBOXES(_FILE), or the one of IMAP_HOST etc. */
    mailboxes,
    slack: slackSection(v.slack),
    ops: opsSection(v.ops),
    /** How replies reach customers through helpdesk APIs and outbound webhooks (src/outbound/helpdesks/). */
    replies: replySection(v.replies),
    /** SLA clocks (src/sla/); undefined when no target is set. */
    sla: slaSection(v.sla),
    /** The operator console's sign-in and roles (src/console/). */
    console: consoleSection(v.console),
    /** Satisfaction surveys after a resolve; undefined when off. */
    csat: csatSection(v.csat, v.sla),
    /** Floods of similar tickets grouped into incidents; undefined when off. */
    incidents: incidentSection(v.incidents),
  };
}

export type Config = ReturnType<typeof toConfig>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses an environment (process.env by default) into a Config, or throws ConfigError naming every bad variable. */
export function loadConfig(source: Environment = process.env): Config {
  const problems: string[] = [];
  const values = readValues(CONFIG_VARIABLES, source, problems);
  for (const rule of CROSS_RULES) problems.push(...rule(source));
  const list = mailboxList(source, values.imap, problems);
  if (problems.length) throw new ConfigError(problems);
  return toConfig(values, list ?? singleMailbox(values.imap));
}

/**
 * Reads .env from the directory (the working directory by default) into process.env when the file exists;
 * a variable already set in the environment wins. Returns the file read, if any.
 */
export function loadDotEnv(dir = process.cwd()): string | undefined {
  const file = path.join(dir, '.env');
  if (!existsSync(file)) return undefined;
  process.loadEnvFile(file);
  return file;
}

/**
 * Lines of the .env file (in `dir`) whose name looks like a setting without being one (PORTT, port): they
 * would be ignored without a word. Only .env is checked: the process environment holds many other programs'
 * variables (HOME is one letter from HOST).
 */
export function dotEnvWarnings(dir = process.cwd()): string[] {
  const file = path.join(dir, '.env');
  if (!existsSync(file)) return [];
  const settings = variablesOf(CONFIG_VARIABLES).map((v) => v.name);
  return misspeltSettings(Object.keys(parseEnv(readFileSync(file, 'utf8'))), settings, '.env');
}
