/**
 * Fixed-window rate limits: API requests per API key (per client address when no key is presented: an open
 * API), and failed authentications per client address (brute force). A limit of 0 turns that limit off.
 *
 * Every request is decided from this process's memory (src/lib/window-counts.ts); with DATABASE_URL the
 * instances share their counts and claims through PostgreSQL in one statement per instance every SYNC_MS,
 * never per request. Between syncs an instance accepts up to its claim, and the claims add up to the limit
 * plus one per instance at most (README, rate limits). When PostgreSQL stops answering each instance keeps its share of every window (the
 * limit divided by the instances last seen live): the limits neither open nor close. The embedded database
 * (one instance) counts in memory only.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { createRateLimitStore, type RateLimitStore } from '../../db/repositories/rate-limit-counts.ts';
import { HttpError } from '../../lib/http-error.ts';
import { type Verdict, WindowCounts } from '../../lib/window-counts.ts';

export interface RateLimits {
  /** Counts one API request for a key (or an address without one); throws 429 past the limit. */
  request(subject: { apiKey: string } | { address: string }): Promise<void>;
  /** Throws 429 while this address is blocked for failed authentications (a correct key included). */
  assertNotBlocked(address: string): Promise<void>;
  /** Counts a failed authentication from this address; throws 429 when it is one more than allowed. */
  failedAuthentication(address: string): Promise<void>;
  /** Where the counts are shared: 'postgresql' (between instances), 'memory' (this process) or 'off'. */
  store: 'postgresql' | 'memory' | 'off';
  close(): Promise<void>;
}

/** The table every instance writes its counts to (keys as hashes), created by a migration. */
export const RATE_LIMIT_TABLE = 'rate_limit_counts';
/** How often each instance shares its counts: a key used on one instance gets what the others release at this pace. */
export const SYNC_MS = 250;
/** Keys remembered per limit (least recently used forgotten first): ~11 MB of heap, whatever keys clients invent. */
const MAX_KEYS = 50_000;

export interface RateLimitOptions {
  syncMs?: number;
  maxKeys?: number;
}

export async function createRateLimits(
  cfg: Config['http']['rateLimit'],
  databaseUrl: string | undefined,
  logger: Logger,
  options: RateLimitOptions = {},
): Promise<RateLimits> {
  const syncMs = options.syncMs ?? SYNC_MS;
  const counts = (limit: number) =>
    limit === 0 ? undefined : new WindowCounts({ limit, windowMs: cfg.windowSeconds * 1000, maxKeys: options.maxKeys ?? MAX_KEYS, syncMs });
  const limiters = new Map<string, WindowCounts>();
  const fingerprint = fingerprinter();
  const requests = counts(cfg.requests);
  const failures = counts(cfg.authFailures);
  if (requests) limiters.set('api', requests);
  if (failures) limiters.set('auth-failures', failures);

  const sharing = limiters.size > 0 && databaseUrl ? await startSharing(limiters, databaseUrl, syncMs, logger) : undefined;

  return {
    store: limiters.size === 0 ? 'off' : sharing ? 'postgresql' : 'memory',
    async request(subject) {
      if (!requests) return;
      const key = 'apiKey' in subject ? fingerprint(`key:${subject.apiKey}`) : fingerprint(`ip:${subject.address}`);
      refuseUnless(requests.take(key), 'Too many requests');
    },
    async assertNotBlocked(address) {
      if (!failures) return;
      refuseUnless(failures.check(fingerprint(address)), 'Too many failed authentications from this address');
    },
    async failedAuthentication(address) {
      if (!failures) return;
      refuseUnless(failures.take(fingerprint(address)), 'Too many failed authentications from this address');
    },
    async close() {
      await sharing?.close();
    },
  };
}

/**
 * Syncs every limiter's counts through PostgreSQL every `syncMs`, the first time before the service serves
 * (so it knows the other instances from its first request). A failed sync is logged once per outage.
 */
async function startSharing(limiters: Map<string, WindowCounts>, databaseUrl: string, syncMs: number, logger: Logger) {
  const store: RateLimitStore = createRateLimitStore(databaseUrl, (err) => logger.warn({ err }, 'rate limit connection lost'));
  const instance = randomUUID();
  let changedAfter = new Date(0);
  let failing = false;
  let running: Promise<void> | undefined;

  const sync = async () => {
    const changes = [...limiters].map(([limiter, c]) => ({ limiter, sent: c.changes() }));
    const windowStart = changes[0]!.sent.windowStart;
    try {
      const result = await store.sync({
        instance,
        windowStart: new Date(windowStart),
        counts: changes.flatMap(({ limiter, sent }) => sent.counts.map((c) => ({ limiter, ...c }))),
        changedAfter,
        liveSeconds: (3 * syncMs + 1000) / 1000,
      });
      // Rows of statements that had begun but not committed by then (the server ends them after 5 s) are read next time.
      changedAfter = new Date(result.at.getTime() - 6000);
      for (const { limiter, sent } of changes) {
        limiters.get(limiter)!.synced(sent, result.others.filter((o) => o.limiter === limiter), result.otherInstances + 1);
      }
      if (failing) logger.info('rate limits shared through PostgreSQL again');
      failing = false;
    } catch (err) {
      // Nothing was taken: the same counts go with the next sync, and no claim grows meanwhile.
      if (!failing) logger.warn({ err }, 'rate limits not shared: PostgreSQL did not answer; each instance keeps its share');
      failing = true;
    }
  };
  await sync();
  const timer = setInterval(() => {
    running ??= sync().finally(() => (running = undefined));
  }, syncMs);
  timer.unref();
  return {
    // Once: a second call (a test's teardown after a stop) finds it closed.
    close: once(async () => {
      clearInterval(timer);
      await running;
      await store.close();
    }),
  };
}

/**
 * Keys are counted under a hash: memory per key and the shared table hold no secret and no client text. The
 * few keys and addresses of the moment are hashed once (a SHA-256 per request was ~1% of a request's CPU).
 */
function fingerprinter(): (text: string) => string {
  const known = new Map<string, string>();
  return (text) => {
    let hash = known.get(text);
    if (hash !== undefined) return hash;
    hash = createHash('sha256').update(text).digest('base64url').slice(0, 22);
    // Short texts only, and a bounded number: hostile ones cannot grow it.
    if (text.length <= 256) {
      if (known.size >= 1024) known.clear();
      known.set(text, hash);
    }
    return hash;
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

function refuseUnless(verdict: Verdict, what: string): void {
  if (verdict.allowed) return;
  const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  throw new HttpError(429, `${what}: try again in ${seconds} s`, {}, { 'Retry-After': String(seconds) });
}
