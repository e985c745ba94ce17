/**
 * Capped exponential backoff with jitter, for reconnect loops. Jitter spreads many clients that lost the
 * same server so they do not all come back in the same second.
 */
export interface BackoffOptions {
  /** Delay before the first retry. */
  baseMs: number;
  /** No delay ever exceeds this. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Share of the delay that is randomized, 0..1 (default 0.5: a delay lands in [d/2, d]). */
  jitter?: number;
  /** Injectable for tests; must return [0, 1). */
  random?: () => number;
}

/** The delay before retry number `attempt` (0-based). */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const { baseMs, maxMs, factor = 2, jitter = 0.5, random = Math.random } = options;
  if (!(baseMs >= 0) || !(maxMs >= baseMs)) throw new RangeError('backoff needs 0 <= baseMs <= maxMs');
  const j = Math.min(1, Math.max(0, jitter));
  // Math.min before pow overflow: huge attempts stay at the cap instead of becoming Infinity/NaN.
  const exp = Math.min(maxMs, baseMs * Math.pow(factor, Math.min(Math.max(0, attempt), 64)));
  const ceiling = Number.isFinite(exp) ? exp : maxMs;
  return Math.round(ceiling * (1 - j) + ceiling * j * random());
}

export interface Backoff {
  /** The next delay; each call counts one failed attempt. */
  next(): number;
  /** After a success: the next failure starts from baseMs again. */
  reset(): void;
  readonly attempts: number;
}

export function createBackoff(options: BackoffOptions): Backoff {
  let attempts = 0;
  return {
    next: () => backoffDelay(attempts++, options),
    reset: () => {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
