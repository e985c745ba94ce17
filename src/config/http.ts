/** The HTTP server, its security headers and limits, and who may call the REST API. */
import { z } from 'zod';
import { bool, int, list, optionalInt, optionalString, string, url } from './validators.ts';
import { type Environment, isSet, type Values, variable } from './variable.ts';
import { isTrue } from './validators.ts';

export const httpVariables = {
  port: variable('PORT', int(8000, 0, 65535), 'TCP port of the HTTP server (0: any free port).'),
  host: variable('HOST', string('0.0.0.0'), 'Address the HTTP server listens on.'),
  publicUrl: variable('PUBLIC_URL', url(['http:', 'https:']), 'Base URL of this service, for links in Slack alerts; https also turns HSTS on.'),
  trustProxy: variable(
    'TRUST_PROXY',
    z
      .string()
      .optional()
      .transform((v, ctx) => {
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
    'How many proxies in front are trusted to append X-Forwarded-For (0: the socket\'s address is the client).',
  ),
  requestTimeoutMs: variable('HTTP_REQUEST_TIMEOUT_MS', int(30_000, 1000, 3_600_000), 'A request (headers and body) must arrive within this, else 408.'),
  headersTimeoutMs: variable('HTTP_HEADERS_TIMEOUT_MS', int(10_000, 1000, 3_600_000), 'The headers must arrive within this; at most HTTP_REQUEST_TIMEOUT_MS.'),
  hstsMaxAge: variable(
    'HSTS_MAX_AGE',
    optionalInt(0, 63_072_000, 'must be an integer number of seconds from 0 to 63072000'),
    'Strict-Transport-Security max-age in seconds; 0 = no header; unset: 180 days when PUBLIC_URL is https, else 0.',
  ),
  corsOrigins: variable(
    'CORS_ORIGINS',
    list.superRefine((origins, ctx) => {
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
    }),
    'Origins allowed by CORS (comma-separated); empty = no CORS headers.',
  ),
  metricsToken: variable('METRICS_TOKEN', optionalString, 'Bearer token /metrics requires; unset = open.'),
  /** Per window: requests per API key (or per address without one), failed authentications per address; 0 = off. */
  rateLimit: {
    requests: variable('RATE_LIMIT_PER_MINUTE', int(600, 0, 1_000_000), 'API requests per key (per address without a key) per window; 0 = off.'),
    authFailures: variable('RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', int(20, 0, 1_000_000), 'Failed authentications per address per window; 0 = off.'),
    windowSeconds: variable('RATE_LIMIT_WINDOW_SECONDS', int(60, 1, 86_400), 'The window both rate limits count in.'),
  },
};

export const apiVariables = {
  keys: variable('API_KEYS', list, 'Comma-separated API keys (Bearer or X-API-Key); unset = open API, refused in production.'),
  adminKeys: variable('API_ADMIN_KEYS', list, 'Comma-separated API keys that may also call the admin routes (audit, privacy, legal holds); each must be in API_KEYS too. Unset with an open API: the admin routes are open as well.'),
  allowAnonymous: variable('ALLOW_ANONYMOUS_API', bool(false), 'Allows an open API with NODE_ENV=production.'),
};

export function httpSection(v: Values<typeof httpVariables>) {
  // Served over https (PUBLIC_URL says so): browsers are told to stay on https for 180 days unless set.
  return { ...v, hstsMaxAge: v.hstsMaxAge ?? (v.publicUrl?.startsWith('https:') ? 15_552_000 : 0) };
}

export function httpRules(source: Environment): string[] {
  const problems: string[] = [];
  if (source.NODE_ENV === 'production' && !isSet(source, 'API_KEYS') && !isTrue(source.ALLOW_ANONYMOUS_API)) {
    problems.push('API_KEYS: required when NODE_ENV=production (or set ALLOW_ANONYMOUS_API=true)');
  }
  if (isSet(source, 'API_ADMIN_KEYS')) {
    const keys = new Set((source.API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean));
    const admin = (source.API_ADMIN_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    if (keys.size > 0 && admin.some((k) => !keys.has(k))) problems.push('API_ADMIN_KEYS: every admin key must also be in API_KEYS');
  }
  const timeout = (name: string, fallback: number) => (isSet(source, name) ? Number(source[name]) : fallback);
  if (timeout('HTTP_HEADERS_TIMEOUT_MS', 10_000) > timeout('HTTP_REQUEST_TIMEOUT_MS', 30_000)) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS: must not be larger than HTTP_REQUEST_TIMEOUT_MS');
  }
  return problems;
}
