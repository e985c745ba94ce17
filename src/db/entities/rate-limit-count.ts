import { defineEntity, p } from '@mikro-orm/core';

/**
 * The API rate limits' counts shared between instances (src/inbound/rest/rate-limit.ts): each instance writes
 * its own count and claim per key and window in one batched statement per sync, and reads the others'. Keys are hashes.
 */
export const RateLimitCount = defineEntity({
  name: 'RateLimitCount',
  tableName: 'rate_limit_counts',
  indexes: [{ properties: ['windowStart', 'updatedAt'] }],
  properties: {
    /** Which limit: 'api' (requests per key or address) or 'auth-failures' (per address). */
    limiter: p.string().length(32).primary(),
    key: p.string().length(64).primary(),
    windowStart: p.datetime().primary(),
    /** A random id per process start. */
    instance: p.string().length(64).primary(),
    /** Accepted by this instance. */
    count: p.integer(),
    /** How many this instance may accept until its next sync (its count and its share of the unclaimed rest). */
    claimed: p.integer(),
    /** Refused a request for want of a claim since its last sync: the instances not serving the key release theirs. */
    wants: p.boolean(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

/** The instances sharing the rate limits, by their last sync: the live ones split what a key has left. */
export const RateLimitInstance = defineEntity({
  name: 'RateLimitInstance',
  tableName: 'rate_limit_instances',
  properties: {
    instance: p.string().length(64).primary(),
    seenAt: p.datetime().defaultRaw('now()'),
  },
});
