/**
 * Per-channel pacing for Slack posts. Slack allows about one message per second per channel and answers 429
 * with Retry-After beyond that. Each channel is a FIFO: a task starts only after the previous one finished,
 * and its post goes out only once `intervalMs` has passed since the previous post (see gate in run()); a
 * retryable failure (429, 5xx, network) holds the whole channel and retries the same task first, once the
 * delay is over, so order within a channel survives rate limiting. The retry waits before the task starts
 * again, not only in the gate: a task may call Slack before its gate (the duplicate lookup after a failed
 * post), and retrying that at once would turn every 429 into a tight loop of calls.
 * One pacer per process; several instances each pace themselves and rely on Retry-After between them.
 */

export interface PacerOptions {
  /** Minimum time between the starts of two tasks in one channel. Slack: 1000. */
  intervalMs: number;
  /** How long to wait before retrying after `error` (attempt counts from 1), or undefined to give up now. */
  retryDelayMs: (error: unknown, attempt: number) => number | undefined;
  /** Give up (rethrow) once retrying would hold the channel longer than this. */
  maxHoldMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface ChannelState {
  tail: Promise<unknown>;
  nextStartAt: number;
  waiting: number;
}

export class ChannelPacer {
  readonly #opts: Required<PacerOptions>;
  readonly #channels = new Map<string, ChannelState>();
  #closed = false;

  constructor(opts: PacerOptions) {
    this.#opts = {
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...opts,
    };
  }

  /** Tasks queued or running per channel (for health and benchmarks). */
  backlog(): Record<string, number> {
    return Object.fromEntries([...this.#channels].map(([c, s]) => [c, s.waiting]));
  }

  /**
   * Runs `task` in `channel`'s turn. The task calls `gate()` right before its rate-limited call (the post):
   * the gate waits until the channel's interval has passed, so the spacing is between the calls themselves,
   * not between tasks that may spend varying time on other work first. Resolves with the task's result, or
   * rejects with its last error.
   */
  run<T>(channel: string, task: (attempt: number, gate: () => Promise<number>) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('pacer is closed'));
    let state = this.#channels.get(channel);
    if (!state) {
      state = { tail: Promise.resolve(), nextStartAt: 0, waiting: 0 };
      this.#channels.set(channel, state);
    }
    const s = state;
    s.waiting += 1;
    const result = s.tail.then(() => this.#runWithRetries(s, task));
    s.tail = result.then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      s.waiting -= 1;
    });
    return result;
  }

  /** Stops accepting tasks; tasks already queued still run. */
  close(): void {
    this.#closed = true;
  }

  async #runWithRetries<T>(s: ChannelState, task: (attempt: number, gate: () => Promise<number>) => Promise<T>): Promise<T> {
    const { now, sleep, intervalMs, retryDelayMs, maxHoldMs } = this.#opts;
    const heldSince = now();
    /** Waits for the channel's next slot; resolves with the ms it waited. */
    const gate = async () => {
      const wait = Math.max(0, s.nextStartAt - now());
      if (wait > 0) await sleep(wait);
      s.nextStartAt = now() + intervalMs;
      return wait;
    };
    for (let attempt = 1; ; attempt += 1) {
      if (attempt > 1) {
        const wait = s.nextStartAt - now();
        if (wait > 0) await sleep(wait);
      }
      try {
        return await task(attempt, gate);
      } catch (error) {
        const delay = retryDelayMs(error, attempt);
        if (delay === undefined || now() + delay - heldSince > maxHoldMs) throw error;
        s.nextStartAt = Math.max(s.nextStartAt, now() + delay);
      }
    }
  }
}
