/**
 * Per-channel pacing for Slack posts. Slack allows about one message per second per channel and answers 429
 * with Retry-After beyond that. Each channel is a FIFO: a task starts only after the previous one finished,
 * and its post goes out only once `intervalMs` has passed since the previous post (see gate in run()); a
 * retryable failure (429, 5xx, network) holds the whole channel and retries the same task first, once the
 * delay is over, so order within a channel survives rate limiting. The retry waits before the task starts
 * again, not only in the gate: a task may call Slack before its gate (the duplicate lookup after a failed
 * post), and retrying that at once would turn every 429 into a tight loop of calls.
 * Within a channel, tasks wait in priority order (a new alert before a thread note), then in arrival order.
 * With a budget (budget.ts), the gate also takes the post's token of Slack's per-channel and workspace
 * budgets, so posts are spaced ahead of time however many channels post at once.
 * One pacer per process; several instances each pace themselves and rely on Retry-After between them.
 */
import { RANK, type CallPriority, type SlackBudget } from './budget.ts';

export interface PacerOptions {
  /** Minimum time between the starts of two tasks in one channel. Slack: 1000. */
  intervalMs: number;
  /** How long to wait before retrying after `error` (attempt counts from 1), or undefined to give up now. */
  retryDelayMs: (error: unknown, attempt: number) => number | undefined;
  /** Give up (rethrow) once retrying would hold the channel longer than this. */
  maxHoldMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Takes the post's token (chat.postMessage) in the gate. */
  budget?: SlackBudget;
}

interface Queued {
  rank: number;
  seq: number;
  start: () => void;
}

interface ChannelState {
  queue: Queued[];
  running: boolean;
  nextStartAt: number;
  waiting: number;
}

export class ChannelPacer {
  readonly #opts: Required<Omit<PacerOptions, 'budget'>> & Pick<PacerOptions, 'budget'>;
  #seq = 0;
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
  run<T>(
    channel: string,
    task: (attempt: number, gate: () => Promise<number>) => Promise<T>,
    priority: CallPriority = 'alert',
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('pacer is closed'));
    let state = this.#channels.get(channel);
    if (!state) {
      state = { queue: [], running: false, nextStartAt: 0, waiting: 0 };
      this.#channels.set(channel, state);
    }
    const s = state;
    s.waiting += 1;
    return new Promise<T>((resolve, reject) => {
      s.queue.push({
        rank: RANK[priority],
        seq: (this.#seq += 1),
        start: () => {
          this.#runWithRetries(s, channel, priority, task).then(resolve, reject).finally(() => {
            s.waiting -= 1;
            s.running = false;
            this.#next(s);
          });
        },
      });
      this.#next(s);
    });
  }

  #next(s: ChannelState): void {
    if (s.running || s.queue.length === 0) return;
    let best = 0;
    for (let i = 1; i < s.queue.length; i += 1) {
      const a = s.queue[i]!;
      const b = s.queue[best]!;
      if (a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq)) best = i;
    }
    const [item] = s.queue.splice(best, 1);
    s.running = true;
    item!.start();
  }

  /** Stops accepting tasks; tasks already queued still run. */
  close(): void {
    this.#closed = true;
  }

  async #runWithRetries<T>(
    s: ChannelState,
    channel: string,
    priority: CallPriority,
    task: (attempt: number, gate: () => Promise<number>) => Promise<T>,
  ): Promise<T> {
    const { now, sleep, intervalMs, retryDelayMs, maxHoldMs, budget } = this.#opts;
    const heldSince = now();
    /** Waits for the channel's next slot (and the post's budget); resolves with the ms it waited. */
    const gate = async () => {
      const wait = Math.max(0, s.nextStartAt - now());
      if (wait > 0) await sleep(wait);
      const budgetWait = budget ? await budget.take('chat.postMessage', channel, priority) : 0;
      s.nextStartAt = now() + intervalMs;
      return wait + budgetWait;
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
