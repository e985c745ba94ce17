/**
 * Several support mailboxes (support@, billing@, a second brand) as one JSON list: IMAP_MAILBOXES_FILE
 * names a file holding it, or IMAP_MAILBOXES holds it inline. Each entry carries everything one mailbox
 * needs; secrets may name an environment variable instead (`"passwordEnv": "BILLING_IMAP_PASSWORD"`) so
 * the file itself can be committed or mounted without them. Unknown keys are errors (a typo must not be
 * silently ignored), and every problem is named by its place: `IMAP_MAILBOXES_FILE[1] (billing).port`.
 * config.ts calls parseMailboxList; the variables themselves are read there.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ImapAuth, ImapMailbox } from './mailbox.ts';
import { CATEGORIES } from '../domain/categories.ts';
import { oauthPreset } from './oauth-providers.ts';

/** What the list's entries share, from the IMAP_* variables that are not about one mailbox. */
export interface MailboxDefaults {
  pollCron: string;
  attachmentMaxBytes: number;
  encryptionKey: Buffer | undefined;
}

const text = z.string().trim().min(1, 'must not be empty');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable');
// OAuth endpoints carry secrets: HTTPS, or plain HTTP only to this machine (as IMAP_OAUTH_TOKEN_URL).
const endpoint = text.refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
  } catch {
    return false;
  }
}, 'must be an https:// URL (http:// only for 127.0.0.1 / localhost)');

const oauth2Schema = z.strictObject({
  provider: z.enum(['google', 'microsoft', 'generic'], { message: 'must be google, microsoft or generic' }),
  grant: z.enum(['refresh_token', 'client_credentials'], { message: 'must be refresh_token or client_credentials' }).default('refresh_token'),
  clientId: text,
  clientSecret: text.optional(),
  clientSecretEnv: envName.optional(),
  tenant: text.optional(),
  refreshToken: text.optional(),
  refreshTokenEnv: envName.optional(),
  tokenUrl: endpoint.optional(),
  authorizeUrl: endpoint.optional(),
  scope: text.optional(),
});

const smtpSchema = z.strictObject({
  host: text,
  port: z.number({ message: 'must be a number' }).int().min(1).max(65535).default(587),
  secure: z.boolean({ message: 'must be true or false' }).default(false),
  user: text.optional(),
  password: text.optional(),
  passwordEnv: envName.optional(),
});

const mailboxSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be 1 to 40 lowercase letters, digits, - or _ (it names the mailbox in /health, /metrics, logs and tickets)'),
  host: text,
  port: z.number({ message: 'must be a number' }).int().min(1).max(65535).default(993),
  tls: z.boolean({ message: 'must be true or false' }).default(true),
  user: text,
  password: text.optional(),
  passwordEnv: envName.optional(),
  accessToken: text.optional(),
  accessTokenEnv: envName.optional(),
  oauth2: oauth2Schema.optional(),
  folder: text.default('INBOX'),
  processedFolder: text.optional(),
  failedFolder: text.optional(),
  supportAddress: text.optional(),
  defaultCategory: z.enum(CATEGORIES, { message: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
  slackChannel: text.optional(),
  /** Agents' replies go out here; user and password default to the IMAP login's when it is a password. */
  smtp: smtpSchema.optional(),
  pollCron: text.refine((v) => [5, 6].includes(v.split(/\s+/).length), 'must be a cron expression with 5 or 6 fields').optional(),
});

type RawMailbox = z.output<typeof mailboxSchema>;

/**
 * The list from IMAP_MAILBOXES_FILE or IMAP_MAILBOXES, or the problems found (each naming its field).
 * `env` is where `...Env` secrets are looked up.
 */
export function parseMailboxList(
  from: { variable: 'IMAP_MAILBOXES' | 'IMAP_MAILBOXES_FILE'; value: string },
  env: Record<string, string | undefined>,
  defaults: MailboxDefaults,
): { mailboxes: ImapMailbox[]; problems: string[] } {
  const where = from.variable;
  let text = from.value;
  if (where === 'IMAP_MAILBOXES_FILE') {
    try {
      text = readFileSync(from.value, 'utf8');
    } catch (error) {
      return { mailboxes: [], problems: [`${where}: cannot read ${from.value} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`] };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { mailboxes: [], problems: [`${where}: not valid JSON (${(error as Error).message})`] };
  }
  if (!Array.isArray(json) || json.length === 0) {
    return { mailboxes: [], problems: [`${where}: must be a JSON array with one object per mailbox, e.g. [{"id": "support", "host": ..., "user": ..., "passwordEnv": ...}]`] };
  }

  const problems: string[] = [];
  const mailboxes: ImapMailbox[] = [];
  json.forEach((entry: unknown, i) => {
    const rawId = entry && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string' ? (entry as { id: string }).id : undefined;
    const at = (field: string) => `${where}[${i}]${rawId ? ` (${rawId})` : ''}${field ? `.${field}` : ''}`;
    const parsed = mailboxSchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        // An unknown key is named itself (zod puts it in `keys`, not in the path).
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [''];
        for (const key of keys) problems.push(`${at([...issue.path, key].filter((p) => p !== '').join('.'))}: ${issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message}`);
      }
      return;
    }
    const found: string[] = [];
    const mailbox = toMailbox(parsed.data, env, defaults, (field, message) => found.push(`${at(field)}: ${message}`));
    problems.push(...found);
    if (!found.length) mailboxes.push(mailbox);
  });

  // Two entries for one mailbox would read it twice (and share its cursor): refused, as are repeated ids.
  const seen = new Map<string, number>();
  const ids = new Map<string, number>();
  mailboxes.forEach((m, i) => {
    const identity = `${m.user.toLowerCase()}@${m.host.toLowerCase()}:${m.port}/${m.mailbox}`;
    if (ids.has(m.id)) problems.push(`${where}: id "${m.id}" is used twice; every mailbox needs its own`);
    else if (seen.has(identity)) problems.push(`${where}: "${m.id}" reads the same folder of the same account as "${mailboxes[seen.get(identity)!]!.id}" (${identity})`);
    ids.set(m.id, i);
    seen.set(identity, i);
  });
  return { mailboxes, problems };
}

function toMailbox(m: RawMailbox, env: Record<string, string | undefined>, defaults: MailboxDefaults, problem: (field: string, message: string) => void): ImapMailbox {
  /** A secret given inline or by the name of the variable holding it, never both. */
  const secret = (obj: Record<string, unknown>, field: string, prefix = ''): string | undefined => {
    const inline = obj[field] as string | undefined;
    const variable = obj[`${field}Env`] as string | undefined;
    if (inline !== undefined && variable !== undefined) problem(`${prefix}${field}`, `set ${field} or ${field}Env, not both`);
    if (variable === undefined) return inline;
    const value = (env[variable] ?? '').trim();
    if (!value) problem(`${prefix}${field}Env`, `the environment variable ${variable} is not set`);
    return value || undefined;
  };
  const password = secret(m, 'password');
  const accessToken = secret(m, 'accessToken');
  const kinds = [password !== undefined || m.passwordEnv ? 'password' : '', accessToken !== undefined || m.accessTokenEnv ? 'accessToken' : '', m.oauth2 ? 'oauth2' : ''].filter(Boolean);
  if (kinds.length === 0) problem('password', 'one of password, passwordEnv, accessToken, accessTokenEnv or oauth2 is required');
  if (kinds.length > 1) problem(kinds[1]!, `set only one of ${kinds.join(', ')} (they are different ways to log in)`);

  let auth: ImapAuth = accessToken !== undefined ? { kind: 'token', accessToken } : { kind: 'password', password: password ?? '' };
  const o = m.oauth2;
  if (o) {
    if (o.provider === 'generic' && !o.tokenUrl) problem('oauth2.tokenUrl', 'required with provider generic');
    if (o.provider === 'microsoft' && !o.tenant) problem('oauth2.tenant', 'required with provider microsoft (directory (tenant) id or domain)');
    const clientSecret = secret(o, 'clientSecret', 'oauth2.');
    const refreshToken = secret(o, 'refreshToken', 'oauth2.');
    if (o.grant === 'client_credentials') {
      if (o.provider === 'google') problem('oauth2.grant', 'Google has no client-credentials grant for IMAP; use refresh_token');
      if (!clientSecret && !o.clientSecretEnv) problem('oauth2.clientSecret', 'required with grant client_credentials (or clientSecretEnv)');
    } else if (!defaults.encryptionKey) {
      problem('oauth2', 'TOKEN_ENCRYPTION_KEY is required with OAuth2 refresh tokens (they are stored encrypted); generate one: openssl rand -base64 32');
    }
    const preset = oauthPreset(o.provider, o.grant, o.tenant ?? 'common', o.tokenUrl);
    auth = {
      kind: 'oauth2',
      provider: o.provider,
      grant: o.grant,
      clientId: o.clientId,
      clientSecret,
      tokenUrl: o.tokenUrl ?? preset.tokenUrl,
      authorizeUrl: o.authorizeUrl ?? preset.authorizeUrl,
      issuer: preset.issuer,
      scope: o.scope ?? preset.scope,
      refreshToken,
      encryptionKey: defaults.encryptionKey,
      authorizeParams: preset.authorizeParams,
    };
  }
  let smtp: ImapMailbox['smtp'];
  if (m.smtp) {
    const given = secret(m.smtp, 'password', 'smtp.');
    const user = m.smtp.user ?? m.user;
    // The IMAP password is reused only for the IMAP login itself (not for another SMTP user).
    const password = given ?? (m.smtp.user === undefined && auth.kind === 'password' ? auth.password : undefined);
    smtp = { host: m.smtp.host, port: m.smtp.port, secure: m.smtp.secure, user, password };
  }
  return {
    id: m.id,
    host: m.host,
    port: m.port,
    secure: m.tls,
    user: m.user,
    auth,
    mailbox: m.folder,
    processedMailbox: m.processedFolder,
    failedMailbox: m.failedFolder,
    pollCron: m.pollCron ?? defaults.pollCron,
    supportAddress: m.supportAddress ?? (m.user.includes('@') ? m.user : undefined),
    attachmentMaxBytes: defaults.attachmentMaxBytes,
    defaultCategory: m.defaultCategory,
    slackChannel: m.slackChannel,
    smtp,
  };
}

/** IMAP_* variables that describe one mailbox: with a list they would be ignored, so they are refused. */
export const SINGLE_MAILBOX_VARIABLES = [
  'IMAP_HOST', 'IMAP_PORT', 'IMAP_SECURE', 'IMAP_USER', 'IMAP_PASSWORD', 'IMAP_ACCESS_TOKEN', 'IMAP_MAILBOX', 'IMAP_PROCESSED_MAILBOX', 'IMAP_FAILED_MAILBOX',
  'IMAP_SUPPORT_ADDRESS', 'IMAP_OAUTH_PROVIDER', 'IMAP_OAUTH_GRANT', 'IMAP_OAUTH_CLIENT_ID', 'IMAP_OAUTH_CLIENT_SECRET', 'IMAP_OAUTH_TENANT',
  'IMAP_OAUTH_REFRESH_TOKEN', 'IMAP_OAUTH_TOKEN_URL', 'IMAP_OAUTH_AUTHORIZE_URL', 'IMAP_OAUTH_SCOPE',
  'SMTP_HOST', 'SMTP_PORT', 'SMTP_SECURE', 'SMTP_USER', 'SMTP_PASSWORD',
];
