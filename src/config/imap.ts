/** The support mailbox read over IMAP: where, how to log in (password, fixed token or OAuth2), what to do with mail. */
import { parseMailboxList, SINGLE_MAILBOX_VARIABLES } from './imap-mailboxes.ts';
import type { ImapAuth, ImapMailbox, SmtpSettings } from './mailbox.ts';
import { oauthPreset } from './oauth-providers.ts';
import { bool, cron, encryptionKey, int, oneOf, optionalString, secretEndpoint, string } from './validators.ts';
import { type Environment, isSet, type Values, variable } from './variable.ts';

export const imapVariables = {
  mailboxesFile: variable('IMAP_MAILBOXES_FILE', optionalString, 'Several mailboxes: a JSON file listing them (src/config/imap-mailboxes.ts, docs/imap.md).'),
  mailboxesInline: variable('IMAP_MAILBOXES', optionalString, 'The same JSON list inline, where mounting a file is awkward.'),
  host: variable('IMAP_HOST', optionalString, 'IMAP server; the mailbox is read only when it is set.'),
  port: variable('IMAP_PORT', int(993, 1, 65535), 'IMAP port.'),
  secure: variable('IMAP_SECURE', bool(true), 'TLS from the first byte (false: plain, or STARTTLS when offered).'),
  user: variable('IMAP_USER', optionalString, 'Login name of the mailbox.'),
  password: variable('IMAP_PASSWORD', optionalString, 'Password (or app password) of the mailbox.'),
  accessToken: variable('IMAP_ACCESS_TOKEN', optionalString, 'A fixed OAuth2 access token (XOAUTH2); expires after about an hour.'),
  oauth: {
    provider: variable('IMAP_OAUTH_PROVIDER', oneOf(['google', 'microsoft', 'generic']), 'OAuth2 that renews itself, instead of a password or fixed token.'),
    grant: variable('IMAP_OAUTH_GRANT', oneOf(['refresh_token', 'client_credentials']), 'refresh_token (default) or client_credentials (Microsoft app-only).'),
    clientId: variable('IMAP_OAUTH_CLIENT_ID', optionalString, 'The OAuth client (application) id.'),
    clientSecret: variable('IMAP_OAUTH_CLIENT_SECRET', optionalString, 'Client secret; optional for public clients, required for client_credentials.'),
    tenant: variable('IMAP_OAUTH_TENANT', optionalString, 'Microsoft: directory (tenant) id or domain.'),
    refreshToken: variable('IMAP_OAUTH_REFRESH_TOKEN', optionalString, 'A first refresh token; normally `npm run imap:authorize` stores one.'),
    tokenUrl: variable('IMAP_OAUTH_TOKEN_URL', secretEndpoint, 'Token endpoint (generic: required; else overrides the preset).'),
    authorizeUrl: variable('IMAP_OAUTH_AUTHORIZE_URL', secretEndpoint, 'Consent endpoint for imap:authorize (generic).'),
    scope: variable('IMAP_OAUTH_SCOPE', optionalString, 'Overrides the preset\'s scope.'),
  },
  encryptionKey: variable('TOKEN_ENCRYPTION_KEY', encryptionKey, 'AES-256-GCM key of stored refresh tokens (32 bytes, base64 or hex).'),
  mailbox: variable('IMAP_MAILBOX', string('INBOX'), 'Folder to read.'),
  processedMailbox: variable('IMAP_PROCESSED_MAILBOX', optionalString, 'Move stored mail here (unset: flag it \\Seen and leave it).'),
  failedMailbox: variable('IMAP_FAILED_MAILBOX', optionalString, 'Move unparseable mail here.'),
  pollCron: variable('IMAP_POLL_CRON', cron('*/1 * * * *'), 'Polling without IDLE; a safety net with it.'),
  supportAddress: variable('IMAP_SUPPORT_ADDRESS', optionalString, 'Our own address (loop protection); defaults to IMAP_USER when it is one.'),
  smtp: {
    host: variable('SMTP_HOST', optionalString, 'SMTP server for agents\' replies to e-mail tickets (unset: no Reply button on mail).'),
    port: variable('SMTP_PORT', int(587, 1, 65535), 'SMTP port (587 submission, 465 with SMTP_SECURE=true).'),
    secure: variable('SMTP_SECURE', bool(false), 'TLS from the first byte (port 465); false: STARTTLS when the server offers it.'),
    user: variable('SMTP_USER', optionalString, 'SMTP login; defaults to IMAP_USER.'),
    password: variable('SMTP_PASSWORD', optionalString, 'SMTP password; defaults to IMAP_PASSWORD.'),
  },
  attachmentMaxBytes: variable('IMAP_ATTACHMENT_MAX_BYTES', int(5 * 1024 * 1024, 0, 1024 * 1024 * 1024), 'Attachment content kept up to this size (metadata always).'),
};

type ImapValues = Values<typeof imapVariables>;

/** The one mailbox of IMAP_HOST etc. (id `default`), or none when IMAP_HOST is unset. */
export function singleMailbox(v: ImapValues): ImapMailbox[] {
  const { host, user } = v;
  if (!host || !user) return [];
  return [{
    id: 'default', host, port: v.port, secure: v.secure, user, auth: toImapAuth(v), mailbox: v.mailbox,
    processedMailbox: v.processedMailbox, failedMailbox: v.failedMailbox, pollCron: v.pollCron,
    supportAddress: v.supportAddress ?? (user.includes('@') ? user : undefined), attachmentMaxBytes: v.attachmentMaxBytes,
    defaultCategory: undefined, slackChannel: undefined, smtp: singleSmtp(v),
  }];
}

function singleSmtp(v: ImapValues): SmtpSettings | undefined {
  const { host, port, secure, user, password } = v.smtp;
  if (!host) return undefined;
  return { host, port, secure, user: user ?? v.user, password: password ?? (user ? undefined : v.password) };
}

/** The mailboxes of IMAP_MAILBOXES_FILE / IMAP_MAILBOXES (undefined when neither is set); problems are added. */
export function mailboxList(source: Environment, v: ImapValues, problems: string[]): ImapMailbox[] | undefined {
  const set = (name: string) => isSet(source, name);
  const given = (['IMAP_MAILBOXES_FILE', 'IMAP_MAILBOXES'] as const).filter(set);
  if (!given.length) return undefined;
  if (given.length > 1) problems.push('IMAP_MAILBOXES: set IMAP_MAILBOXES_FILE or IMAP_MAILBOXES, not both');
  for (const name of SINGLE_MAILBOX_VARIABLES.filter(set)) {
    problems.push(`${name}: not used with ${given[0]}; describe that mailbox as an entry of the list instead`);
  }
  // The shared settings come from their own variables; when those are invalid they are reported already.
  const result = parseMailboxList({ variable: given[0]!, value: source[given[0]!]!.trim() }, source, {
    pollCron: v.pollCron ?? '*/1 * * * *',
    attachmentMaxBytes: v.attachmentMaxBytes ?? 5 * 1024 * 1024,
    // An invalid key is already reported: do not also call it missing.
    encryptionKey: v.encryptionKey ?? (set('TOKEN_ENCRYPTION_KEY') ? Buffer.alloc(32) : undefined),
  });
  problems.push(...result.problems);
  return result.mailboxes;
}

function toImapAuth(v: ImapValues): ImapAuth {
  if (v.accessToken) return { kind: 'token', accessToken: v.accessToken };
  const { provider, ...o } = v.oauth;
  if (!provider) return { kind: 'password', password: v.password ?? '' };
  const grant = o.grant ?? 'refresh_token';
  const preset = oauthPreset(provider, grant, o.tenant ?? 'common', o.tokenUrl);
  return {
    kind: 'oauth2',
    provider,
    grant,
    clientId: o.clientId!,
    clientSecret: o.clientSecret,
    tokenUrl: o.tokenUrl ?? preset.tokenUrl,
    authorizeUrl: o.authorizeUrl ?? preset.authorizeUrl,
    issuer: preset.issuer,
    scope: o.scope ?? preset.scope,
    refreshToken: o.refreshToken,
    encryptionKey: v.encryptionKey,
    authorizeParams: preset.authorizeParams,
  };
}

/** Which credentials the mailbox uses, and what each kind needs; one message per missing piece. */
export function imapRules(source: Environment): string[] {
  const set = (name: string) => isSet(source, name);
  // A list of mailboxes checks its own entries (mailboxList); IMAP_HOST beside it is reported there.
  if (!set('IMAP_HOST') || set('IMAP_MAILBOXES_FILE') || set('IMAP_MAILBOXES')) return [];
  const problems: string[] = [];
  if (!set('IMAP_USER')) problems.push('IMAP_USER: required when IMAP_HOST is set');
  const provider = (source.IMAP_OAUTH_PROVIDER ?? '').trim();
  const grant = (source.IMAP_OAUTH_GRANT ?? '').trim() || 'refresh_token';
  const kinds = ['IMAP_PASSWORD', 'IMAP_ACCESS_TOKEN', 'IMAP_OAUTH_PROVIDER'].filter(set);
  if (kinds.length === 0) return [...problems, 'IMAP_PASSWORD: IMAP_PASSWORD, IMAP_ACCESS_TOKEN or IMAP_OAUTH_PROVIDER is required when IMAP_HOST is set'];
  if (kinds.length > 1) return [...problems, `IMAP_OAUTH_PROVIDER: set only one of ${kinds.join(', ')} (they are different ways to log in)`];
  if (!provider) return problems;
  if (!set('IMAP_OAUTH_CLIENT_ID')) problems.push('IMAP_OAUTH_CLIENT_ID: required with IMAP_OAUTH_PROVIDER (the OAuth client / application id)');
  if (provider === 'generic' && !set('IMAP_OAUTH_TOKEN_URL')) problems.push('IMAP_OAUTH_TOKEN_URL: required with IMAP_OAUTH_PROVIDER=generic');
  if (provider === 'microsoft' && !set('IMAP_OAUTH_TENANT')) problems.push('IMAP_OAUTH_TENANT: required with IMAP_OAUTH_PROVIDER=microsoft (directory (tenant) id or domain)');
  if (grant === 'client_credentials') {
    if (provider === 'google') problems.push('IMAP_OAUTH_GRANT: Google has no client-credentials grant for IMAP; use refresh_token');
    if (!set('IMAP_OAUTH_CLIENT_SECRET')) problems.push('IMAP_OAUTH_CLIENT_SECRET: required with IMAP_OAUTH_GRANT=client_credentials');
  } else if (!set('TOKEN_ENCRYPTION_KEY')) {
    problems.push('TOKEN_ENCRYPTION_KEY: required with OAuth2 refresh tokens (they are stored encrypted); generate one: openssl rand -base64 32');
  }
  return problems;
}
