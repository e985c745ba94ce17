/**
 * Fixed-window rate limits (rate-limiter-flexible): API requests per API key (per client address when no key
 * is presented: an open API), and failed authentications per client address (brute force). Shared by every
 * instance through PostgreSQL when DATABASE_URL is set, in this process's memory otherwise (the embedded
 * database is single-instance). A limit of 0 turns that limit off.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../config.ts';
import { HttpError } from '../../lib/http-error.ts';

export interface RateLimits {
  /** Counts one API request for a key (or an address without one); throws 429 past the limit. */
  request(subject: { apiKey: string } | { address: string }): Promise<void>;
  /** Throws 429 while this address is blocked for failed authentications (a correct key included). */
  assertNotBlocked(address: string): Promise<void>;
  /** Counts a failed authentication from this address; throws 429 when it is one more than allowed. */
  failedAuthentication(address: string): Promise<void>;
  /** Where the counts live: 'postgresql' (shared), 'memory' (this process) or 'off'. */
  store: 'postgresql' | 'memory' | 'off';
  close(): Promise<void>;
}

/** The table every instance counts in (created by the limiter itself; MikroORM's snapshot diff does not see it). */
export const RATE_LIMIT_TABLE = 'http_rate_limits';

export async function createRateLimits(cfg: Config['http']['rateLimit'], databaseUrl: string | undefined, logger: Logger): Promise<RateLimits> {
  const duration = cfg.windowSeconds;
  const wanted = cfg.requests > 0 || cfg.authFailures > 0;
  // A small pool of its own: a limiter query must not wait behind the ORM's transactions for a connection.
  const pool = wanted && databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'support-triage-rate-limit' }) : undefined;
  // An idle client the server dropped (restart, failover) is removed by pg; without a listener it would crash the process.
  pool?.on('error', (err) => logger.warn({ err }, 'rate limit connection lost'));

  const limiter = async (keyPrefix: string, points: number, blockInMemory: boolean): Promise<RateLimiterAbstract | undefined> => {
    if (points === 0) return undefined;
    // While PostgreSQL is unreachable each instance keeps limiting on its own instead of failing requests.
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    if (!pool) return memory;
    return new Promise((resolve, reject) => {
      const shared: RateLimiterPostgres = new RateLimiterPostgres(
        {
          storeClient: pool, tableName: RATE_LIMIT_TABLE, keyPrefix, points, duration, insuranceLimiter: memory,
          // A client over its limit is then answered from memory until the window ends, not with a query each time.
          ...(blockInMemory ? { inMemoryBlockOnConsumed: points } : {}),
        },
        (err?: Error) => (err ? reject(err) : resolve(shared)),
      );
    });
  };
  let requests: RateLimiterAbstract | undefined;
  let failures: RateLimiterAbstract | undefined;
  try {
    // One after the other: two CREATE TABLE IF NOT EXISTS of one table at once may collide.
    requests = await limiter('api', cfg.requests, true);
    failures = await limiter('auth-failures', cfg.authFailures, false);
  } catch (error) {
    await pool?.end();
    throw error;
  }

  return {
    store: !wanted ? 'off' : pool ? 'postgresql' : 'memory',
    async request(subject) {
      if (!requests) return;
      const key = 'apiKey' in subject ? `key:${fingerprint(subject.apiKey)}` : `ip:${subject.address}`;
      await requests.consume(key).catch((rejection: unknown) => {
        throw tooMany(rejection, 'Too many requests');
      });
    },
    async assertNotBlocked(address) {
      if (!failures) return;
      const seen = await failures.get(address);
      if (seen && seen.consumedPoints >= cfg.authFailures) throw tooMany(seen, 'Too many failed authentications from this address');
    },
    async failedAuthentication(address) {
      if (!failures) return;
      await failures.consume(address).catch((rejection: unknown) => {
        throw tooMany(rejection, 'Too many failed authentications from this address');
      });
    },
    async close() {
      await pool?.end();
    },
  };
}

/** Keys are counted under a hash: the limiter's table holds no secret. */
function fingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('base64url').slice(0, 22);
}

function tooMany(rejection: unknown, what: string): unknown {
  // Anything else is a store failure with no insurance left: not the client's fault, let the boundary log it.
  if (!(rejection instanceof RateLimiterRes)) return rejection;
  const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
  return new HttpError(429, `${what}: try again in ${seconds} s`, {}, { 'Retry-After': String(seconds) });
}
