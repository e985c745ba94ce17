/**
 * The only reader of process.env. One zod schema; every problem is reported at once at start-up.
 */
import { z } from 'zod';
import { oauthPreset } from './inbound/imap/oauth/providers.ts';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(v)));

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const url = (protocols: string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

const cron = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim()))
    .refine((v) => v.split(/\s+/).length >= 5 && v.split(/\s+/).length <= 6, {
      message: 'must be a cron expression with 5 or 6 fields',
    });

const timeZone = optionalString.transform((v) => v ?? 'UTC').refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as UTC or Europe/Berlin' },
);

// OAuth endpoints carry secrets: HTTPS, or plain HTTP only to this machine (a local token broker, tests).
const oauthEndpoint = optionalString.refine(
  (v) => {
    if (v === undefined) return true;
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
    } catch {
      return false;
    }
  },
  { message: 'must be an https:// URL (http:// only for 127.0.0.1 / localhost)' },
);

/** 32 bytes for AES-256-GCM, written as 64 hex digits or base64. */
const encryptionKey = optionalString.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const key = /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) ? Buffer.from(v, 'base64') : undefined;
  if (!key || key.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 random bytes as base64 or 64 hex digits (generate one: openssl rand -base64 32)' });
    return z.NEVER;
  }
  return key;
});

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
  PORT: int(8000, 0, 65535),
  HOST: optionalString.transform((v) => v ?? '0.0.0.0'),
  PUBLIC_URL: url(['http:', 'https:']),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      // false / true (= one proxy) / the number of proxies in front whose X-Forwarded-For entries count.
      const s = (v ?? '').trim().toLowerCase();
      if (['', 'false', '0', 'no', 'off'].includes(s)) return 0;
      if (['true', 'yes', 'on'].includes(s)) return 1;
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1 || n > 10) {
        ctx.addIssue({ code: 'custom', message: 'must be false, true or the number of proxies in front (1 to 10)' });
        return z.NEVER;
      }
      return n;
    }),
  HTTP_REQUEST_TIMEOUT_MS: int(30_000, 1000, 3_600_000),
  HTTP_HEADERS_TIMEOUT_MS: int(10_000, 1000, 3_600_000),
  HSTS_MAX_AGE: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 63_072_000) {
      ctx.addIssue({ code: 'custom', message: 'must be an integer number of seconds from 0 to 63072000' });
      return z.NEVER;
    }
    return n;
  }),
  CORS_ORIGINS: optionalString.transform((v, ctx) => {
    const origins = (v ?? '').split(',').map((o) => o.trim()).filter(Boolean);
    for (const origin of origins) {
      let canonical: string | undefined;
      try {
        canonical = ['http:', 'https:'].includes(new URL(origin).protocol) ? new URL(origin).origin : undefined;
      } catch {
        canonical = undefined;
      }
      // Browsers send the exact origin (scheme://host[:port], no path or slash): anything else never matches.
      if (canonical !== origin) ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin such as https://app.example.com` });
    }
    return origins;
  }),
  METRICS_TOKEN: optionalString,
  RATE_LIMIT_PER_MINUTE: int(600, 0, 1_000_000),
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: int(20, 0, 1_000_000),
  RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 86_400),

  DATABASE_URL: url(['postgres:', 'postgresql:']),
  PGLITE_DATA_DIR: optionalString.transform((v) => v ?? './data/pglite'),
  MIGRATE_ON_START: bool(true),
  RUN_WORKER: bool(true),
  WORKER_CONCURRENCY: int(4, 1, 64),

  API_KEYS: optionalString.transform((v) =>
    v === undefined ? [] : v.split(',').map((k) => k.trim()).filter(Boolean),
  ),
  ALLOW_ANONYMOUS_API: bool(false),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url(['http:', 'https:']),
  OPENAI_MODEL: optionalString.transform((v) => v ?? 'gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: int(10_000, 100, 600_000),
  CLASSIFIER_MIN_CONFIDENCE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return 0.6;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 1) {
        ctx.addIssue({ code: 'custom', message: 'must be a number from 0 to 1' });
        return z.NEVER;
      }
      return n;
    }),
  PII_REDACTION: bool(true),

  IMAP_HOST: optionalString,
  IMAP_PORT: int(993, 1, 65535),
  IMAP_SECURE: bool(true),
  IMAP_USER: optionalString,
  IMAP_PASSWORD: optionalString,
  IMAP_ACCESS_TOKEN: optionalString,
  IMAP_MAILBOX: optionalString.transform((v) => v ?? 'INBOX'),
  IMAP_PROCESSED_MAILBOX: optionalString,
  IMAP_FAILED_MAILBOX: optionalString,
  IMAP_POLL_CRON: cron('*/1 * * * *'),
  IMAP_SUPPORT_ADDRESS: optionalString,
  IMAP_ATTACHMENT_MAX_BYTES: int(5 * 1024 * 1024, 0, 1024 * 1024 * 1024),
  IMAP_OAUTH_PROVIDER: z.enum(['google', 'microsoft', 'generic'], { message: 'must be google, microsoft or generic' }).optional(),
  IMAP_OAUTH_GRANT: z.enum(['refresh_token', 'client_credentials'], { message: 'must be refresh_token or client_credentials' }).optional(),
  IMAP_OAUTH_CLIENT_ID: optionalString,
  IMAP_OAUTH_CLIENT_SECRET: optionalString,
  IMAP_OAUTH_TENANT: optionalString,
  IMAP_OAUTH_REFRESH_TOKEN: optionalString,
  IMAP_OAUTH_TOKEN_URL: oauthEndpoint,
  IMAP_OAUTH_AUTHORIZE_URL: oauthEndpoint,
  IMAP_OAUTH_SCOPE: optionalString,
  TOKEN_ENCRYPTION_KEY: encryptionKey,

  ZENDESK_WEBHOOK_SECRET: optionalString,
  HELPSCOUT_WEBHOOK_SECRET: optionalString,
  INTERCOM_CLIENT_SECRET: optionalString,
  FRONT_WEBHOOK_SECRET: optionalString,
  FRESHDESK_WEBHOOK_TOKEN: optionalString,
  GENERIC_WEBHOOK_SECRET: optionalString,

  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: url(['http:', 'https:']),
  SLACK_CHANNEL_TECHNICAL: optionalString,
  SLACK_CHANNEL_BILLING: optionalString,
  SLACK_CHANNEL_GENERAL: optionalString,
  SLACK_CHANNEL_TRIAGE: optionalString,
  SLACK_DIGEST_CHANNEL: optionalString,
  SLACK_DIGEST_CRON: cron('0 9 * * 1-5'),
  SLACK_DIGEST_TZ: timeZone,
  SLACK_DIGEST_POST_EMPTY: bool(false),
  SLACK_STATS_COMMAND: optionalString.transform((v) => v ?? '/support-stats'),
  /** Where ops incidents go (intake broken: mailbox login, webhook secret, classifier, dead letters); unset = not posted. */
  SLACK_CHANNEL_OPS: optionalString,

  /** Ops incidents (src/ops/): how often each instance looks at the doors' health, and how long a fault lasts before it is an incident. */
  OPS_CHECK_INTERVAL_SECONDS: int(30, 1, 3600),
  /** A webhook door that answered every delivery with a rejection (wrong secret after a rotation) for this long. */
  OPS_WEBHOOK_REJECTING_SECONDS: int(600, 0, 604_800),
  /** A mailbox whose login or OAuth2 token refresh keeps failing for this long. */
  OPS_MAILBOX_LOGIN_FAILING_SECONDS: int(300, 0, 604_800),
  /** A mailbox with mail waiting (or no working session) and nothing read for this long. */
  OPS_MAILBOX_NOT_READ_SECONDS: int(900, 0, 604_800),
  /** The LLM classifier's circuit breaker not closed (local model answering instead) for this long. */
  OPS_CLASSIFIER_BREAKER_OPEN_SECONDS: int(600, 0, 604_800),
  /** More dead letters than this (jobs waiting for an operator) is an incident; it resolves at or below it. */
  OPS_DEAD_LETTERS_ABOVE: int(0, 0, 1_000_000),
});

type Env = z.output<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  http: {
    port: number;
    host: string;
    publicUrl: string | undefined;
    /** How many proxies in front are trusted to append X-Forwarded-For (0: the socket's address is the client). */
    trustProxy: number;
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    /** Strict-Transport-Security max-age in seconds; 0 = no header. */
    hstsMaxAge: number;
    /** Origins allowed by CORS; empty = no CORS headers. */
    corsOrigins: string[];
    /** Bearer token for /metrics; undefined = open. */
    metricsToken: string | undefined;
    /** Per window (windowSeconds): requests per API key (or per address without one), failed authentications per address; 0 = off. */
    rateLimit: { requests: number; authFailures: number; windowSeconds: number };
  };
  database: { url: string | undefined; pgliteDataDir: string; migrateOnStart: boolean };
  worker: { enabled: boolean; concurrency: number };
  api: { keys: string[]; allowAnonymous: boolean };
  classifier: {
    openai: { apiKey: string; baseURL: string | undefined; model: string; timeoutMs: number } | undefined;
    minConfidence: number;
    piiRedaction: boolean;
  };
  imap:
    | {
        host: string;
        port: number;
        secure: boolean;
        user: string;
        /** This mailbox's credentials (one object, so several mailboxes can each carry their own). */
        auth: ImapAuth;
        mailbox: string;
        processedMailbox: string | undefined;
        failedMailbox: string | undefined;
        pollCron: string;
        supportAddress: string | undefined;
        attachmentMaxBytes: number;
      }
    | undefined;
  webhooks: {
    zendesk: string | undefined;
    helpscout: string | undefined;
    intercom: string | undefined;
    front: string | undefined;
    freshdesk: string | undefined;
    generic: string | undefined;
  };
  slack:
    | {
        botToken: string;
        signingSecret: string | undefined;
        appToken: string | undefined;
        apiUrl: string | undefined;
        channels: { technical?: string; billing?: string; general?: string; triage?: string };
        digest: { channel: string | undefined; cron: string; timeZone: string; postEmpty: boolean };
        statsCommand: string;
        /** SLACK_CHANNEL_OPS: where ops incidents are posted (one message each, edited on recovery). */
        opsChannel: string | undefined;
      }
    | undefined;
  /** When a broken door becomes an ops incident (src/ops/). All durations in ms. */
  ops: {
    checkIntervalMs: number;
    webhookRejectingMs: number;
    mailboxLoginFailingMs: number;
    mailboxNotReadMs: number;
    classifierBreakerOpenMs: number;
    deadLettersAbove: number;
  };
}

export type ImapAuth =
  | { kind: 'password'; password: string }
  | { kind: 'token'; accessToken: string }
  | ImapOAuth2;

/** OAuth2 that renews itself (src/inbound/imap/oauth/): endpoints are already resolved from the provider preset. */
export interface ImapOAuth2 {
  kind: 'oauth2';
  provider: 'google' | 'microsoft' | 'generic';
  grant: 'refresh_token' | 'client_credentials';
  clientId: string;
  clientSecret: string | undefined;
  tokenUrl: string;
  /** Where an operator gives consent (npm run imap:authorize); refresh-token grant only. */
  authorizeUrl: string | undefined;
  /** The issuer the endpoints belong to (checked against an `iss` in the authorization response). */
  issuer: string;
  scope: string;
  /** The first refresh token (from imap:authorize elsewhere); a rotated one stored in the database wins. */
  refreshToken: string | undefined;
  /** AES-256-GCM key for the stored refresh token; required with the refresh-token grant. */
  encryptionKey: Buffer | undefined;
  /** Extra authorization-request parameters the provider needs to hand out a refresh token. */
  authorizeParams: Record<string, string>;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses an environment (process.env by default) into a Config, or throws ConfigError naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  // Rules across variables are checked on the raw values too, so one start-up lists every problem.
  const set = (name: string) => (source[name] ?? '').trim() !== '';
  const env = source.NODE_ENV ?? 'development';
  const anonymous = ['true', '1', 'yes', 'on'].includes((source.ALLOW_ANONYMOUS_API ?? '').trim());
  if (env === 'production' && !set('API_KEYS') && !anonymous) {
    problems.push('API_KEYS: required when NODE_ENV=production (or set ALLOW_ANONYMOUS_API=true)');
  }
  const timeout = (name: string, fallback: number) => (set(name) ? Number(source[name]) : fallback);
  if (timeout('HTTP_HEADERS_TIMEOUT_MS', 10_000) > timeout('HTTP_REQUEST_TIMEOUT_MS', 30_000)) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS: must not be larger than HTTP_REQUEST_TIMEOUT_MS');
  }
  if (set('IMAP_HOST') && !set('IMAP_USER')) problems.push('IMAP_USER: required when IMAP_HOST is set');
  if (set('IMAP_HOST')) problems.push(...imapAuthProblems(source));
  if (set('SLACK_BOT_TOKEN') && !set('SLACK_APP_TOKEN') && !set('SLACK_SIGNING_SECRET')) {
    problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (set it, or SLACK_APP_TOKEN for Socket Mode)');
  }
  if (problems.length === 0 && parsed.success) return toConfig(parsed.data);
  throw new ConfigError(problems);
}

/** Which credentials the inbox uses, and what each kind needs; one message per missing piece. */
function imapAuthProblems(source: Record<string, string | undefined>): string[] {
  const set = (name: string) => (source[name] ?? '').trim() !== '';
  const provider = (source.IMAP_OAUTH_PROVIDER ?? '').trim();
  const grant = (source.IMAP_OAUTH_GRANT ?? '').trim() || 'refresh_token';
  const kinds = ['IMAP_PASSWORD', 'IMAP_ACCESS_TOKEN', 'IMAP_OAUTH_PROVIDER'].filter(set);
  if (kinds.length === 0) return ['IMAP_PASSWORD: IMAP_PASSWORD, IMAP_ACCESS_TOKEN or IMAP_OAUTH_PROVIDER is required when IMAP_HOST is set'];
  if (kinds.length > 1) return [`IMAP_OAUTH_PROVIDER: set only one of ${kinds.join(', ')} (they are different ways to log in)`];
  if (!provider) return [];
  const problems: string[] = [];
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

function toImapAuth(e: Env): ImapAuth {
  if (e.IMAP_ACCESS_TOKEN) return { kind: 'token', accessToken: e.IMAP_ACCESS_TOKEN };
  if (!e.IMAP_OAUTH_PROVIDER) return { kind: 'password', password: e.IMAP_PASSWORD ?? '' };
  const grant = e.IMAP_OAUTH_GRANT ?? 'refresh_token';
  const preset = oauthPreset(e.IMAP_OAUTH_PROVIDER, grant, e.IMAP_OAUTH_TENANT ?? 'common', e.IMAP_OAUTH_TOKEN_URL);
  return {
    kind: 'oauth2',
    provider: e.IMAP_OAUTH_PROVIDER,
    grant,
    clientId: e.IMAP_OAUTH_CLIENT_ID!,
    clientSecret: e.IMAP_OAUTH_CLIENT_SECRET,
    tokenUrl: e.IMAP_OAUTH_TOKEN_URL ?? preset.tokenUrl,
    authorizeUrl: e.IMAP_OAUTH_AUTHORIZE_URL ?? preset.authorizeUrl,
    issuer: preset.issuer,
    scope: e.IMAP_OAUTH_SCOPE ?? preset.scope,
    refreshToken: e.IMAP_OAUTH_REFRESH_TOKEN,
    encryptionKey: e.TOKEN_ENCRYPTION_KEY,
    authorizeParams: preset.authorizeParams,
  };
}

function toConfig(e: Env): Config {
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: {
      port: e.PORT,
      host: e.HOST,
      publicUrl: e.PUBLIC_URL,
      trustProxy: e.TRUST_PROXY,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      // Served over https (PUBLIC_URL says so): browsers are told to stay on https for 180 days unless set.
      hstsMaxAge: e.HSTS_MAX_AGE ?? (e.PUBLIC_URL?.startsWith('https:') ? 15_552_000 : 0),
      corsOrigins: e.CORS_ORIGINS,
      metricsToken: e.METRICS_TOKEN,
      rateLimit: {
        requests: e.RATE_LIMIT_PER_MINUTE,
        authFailures: e.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
        windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      },
    },
    database: { url: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR, migrateOnStart: e.MIGRATE_ON_START },
    worker: { enabled: e.RUN_WORKER, concurrency: e.WORKER_CONCURRENCY },
    api: { keys: e.API_KEYS, allowAnonymous: e.ALLOW_ANONYMOUS_API },
    classifier: {
      openai: e.OPENAI_API_KEY
        ? { apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL, timeoutMs: e.OPENAI_TIMEOUT_MS }
        : undefined,
      minConfidence: e.CLASSIFIER_MIN_CONFIDENCE,
      piiRedaction: e.PII_REDACTION,
    },
    imap:
      e.IMAP_HOST && e.IMAP_USER
        ? {
            host: e.IMAP_HOST,
            port: e.IMAP_PORT,
            secure: e.IMAP_SECURE,
            user: e.IMAP_USER,
            auth: toImapAuth(e),
            mailbox: e.IMAP_MAILBOX,
            processedMailbox: e.IMAP_PROCESSED_MAILBOX,
            failedMailbox: e.IMAP_FAILED_MAILBOX,
            pollCron: e.IMAP_POLL_CRON,
            supportAddress: e.IMAP_SUPPORT_ADDRESS ?? (e.IMAP_USER.includes('@') ? e.IMAP_USER : undefined),
            attachmentMaxBytes: e.IMAP_ATTACHMENT_MAX_BYTES,
          }
        : undefined,
    webhooks: {
      zendesk: e.ZENDESK_WEBHOOK_SECRET,
      helpscout: e.HELPSCOUT_WEBHOOK_SECRET,
      intercom: e.INTERCOM_CLIENT_SECRET,
      front: e.FRONT_WEBHOOK_SECRET,
      freshdesk: e.FRESHDESK_WEBHOOK_TOKEN,
      generic: e.GENERIC_WEBHOOK_SECRET,
    },
    slack: e.SLACK_BOT_TOKEN
      ? {
          botToken: e.SLACK_BOT_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET,
          appToken: e.SLACK_APP_TOKEN,
          apiUrl: e.SLACK_API_URL,
          channels: {
            technical: e.SLACK_CHANNEL_TECHNICAL,
            billing: e.SLACK_CHANNEL_BILLING,
            general: e.SLACK_CHANNEL_GENERAL,
            triage: e.SLACK_CHANNEL_TRIAGE,
          },
          digest: {
            channel: e.SLACK_DIGEST_CHANNEL,
            cron: e.SLACK_DIGEST_CRON,
            timeZone: e.SLACK_DIGEST_TZ,
            postEmpty: e.SLACK_DIGEST_POST_EMPTY,
          },
          statsCommand: e.SLACK_STATS_COMMAND,
          opsChannel: e.SLACK_CHANNEL_OPS,
        }
      : undefined,
    ops: {
      checkIntervalMs: e.OPS_CHECK_INTERVAL_SECONDS * 1000,
      webhookRejectingMs: e.OPS_WEBHOOK_REJECTING_SECONDS * 1000,
      mailboxLoginFailingMs: e.OPS_MAILBOX_LOGIN_FAILING_SECONDS * 1000,
      mailboxNotReadMs: e.OPS_MAILBOX_NOT_READ_SECONDS * 1000,
      classifierBreakerOpenMs: e.OPS_CLASSIFIER_BREAKER_OPEN_SECONDS * 1000,
      deadLettersAbove: e.OPS_DEAD_LETTERS_ABOVE,
    },
  };
}
