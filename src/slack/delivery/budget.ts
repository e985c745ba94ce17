/**
 * Slack's rate limits, kept ahead of time. Each Web API method has a budget (a token bucket) per workspace
 * (Slack's tiers: chat.update and the conversations.* reads are Tier 3, ~50 a minute) and, for
 * chat.postMessage, one per channel (~1 a second) as well. A call takes a token before it is made; when there
 * is none it waits in its lane (one per method, or per method and channel), and the waiters of a lane go in
 * priority order: an agent's click, a message standing for many tickets (a customer incident's card, a waiting
 * list), a new alert, an ops incident, thread notes, and last card refreshes. Lanes are independent: a channel's backlog never holds
 * another channel's posts. A channel's posts also wait in this order in the pacer (pacer.ts).
 *
 * The budget is per process. Workspace-wide budgets are divided by `instances` (SLACK_INSTANCES), so N
 * instances together stay within Slack's tier; the error is documented in README (Operating it).
 *
 * Tokens may be taken ahead of the call by the code that knows the call's priority (take()); the rate gate
 * (rate-gate.ts), which sees every call, then spends that prepaid token instead of taking another (spend()).
 * A call that nothing prepaid (Bolt's own calls: views.open, auth.test) takes its token at the gate.
 */

/** summary: a message standing for many tickets (a customer incident's card, a waiting list); incident: an ops incident. */
export type CallPriority = 'interactive' | 'summary' | 'alert' | 'incident' | 'note' | 'refresh';
export const PRIORITIES: readonly CallPriority[] = ['interactive', 'summary', 'alert', 'incident', 'note', 'refresh'];
/** Lower goes first (the budget's lanes and the pacer's channel queues). */
export const RANK: Record<CallPriority, number> = Object.fromEntries(PRIORITIES.map((p, i) => [p, i])) as Record<CallPriority, number>;

export interface MethodLimit {
  /** Calls a minute for the whole workspace (Slack's tier). */
  perMinute: number;
  /** Calls a minute per channel (chat.postMessage: ~1 a second), besides the workspace budget. */
  perChannelPerMinute?: number;
  /** Calls that may go at once after a quiet time. */
  burst: number;
}

const TIER1 = { perMinute: 1, burst: 1 };
// A bucket lets `burst` calls go at once, then `perMinute`: burst + perMinute stays 10% under Slack's tier in
// any minute (Tier 3: 5 + 40 = 45 of 50), so a few clicks in a row are not spaced out and network jitter
// (calls arriving closer together than they left) does not push a minute over the tier.
const TIER2 = { perMinute: 16, burst: 2 };
const TIER3 = { perMinute: 40, burst: 5 };
const TIER4 = { perMinute: 80, burst: 10 };

/**
 * Slack's published limits (api.slack.com/methods, "Rate limits"). chat.postMessage is "special": about one
 * message a second per channel, with a workspace limit of "several hundred a minute" (270 here).
 */
export const SLACK_LIMITS: Record<string, MethodLimit> = {
  // 55 a minute per channel: a 10% margin, so network jitter never brings two posts closer than Slack's second.
  'chat.postMessage': { perMinute: 270, perChannelPerMinute: 55, burst: 1 },
  'chat.update': TIER3,
  'chat.postEphemeral': TIER4,
  'conversations.history': TIER3,
  'conversations.replies': TIER3,
  'users.info': TIER4,
  'views.open': TIER4,
  'views.publish': TIER4,
  'views.update': TIER4,
  'reactions.add': TIER3,
  'chat.delete': TIER3,
  'chat.getPermalink': TIER4,
  'conversations.info': TIER3,
  'users.lookupByEmail': TIER3,
  'auth.test': TIER4,
  'usergroups.users.list': TIER2,
  'apps.connections.open': TIER1,
};
const DEFAULT_LIMIT: MethodLimit = TIER2;

interface Bucket {
  tokens: number;
  at: number;
  /** Tokens per ms. */
  rate: number;
  cap: number;
}

interface Waiter {
  rank: number;
  seq: number;
  priority: CallPriority;
  resolve: (waitedMs: number) => void;
  reject: (error: Error) => void;
  since: number;
}

interface Lane {
  method: string;
  channel: string | undefined;
  waiters: Waiter[];
  timer: NodeJS.Timeout | undefined;
  /** Times (ms) of tokens taken ahead of their call, not yet spent by the gate. */
  prepaid: number[];
  taken: number;
}

export interface BudgetOptions {
  limits?: Record<string, MethodLimit>;
  /** Instances sharing the workspace: each keeps 1/instances of the workspace-wide budgets. */
  instances?: number;
  /** Time runs this many times faster (benchmarks scale Slack's limits). */
  speedup?: number;
  now?: () => number;
}

export interface LaneView {
  method: string;
  channel: string | null;
  /** Tokens left now (may be fractional). */
  tokens: number;
  /** Calls a minute this instance keeps to. */
  per_minute: number;
  waiting: Partial<Record<CallPriority, number>>;
  /** Age of the oldest waiter (ms). */
  oldest_wait_ms: number;
  taken: number;
}

/** A prepaid token older than this was not used by its call (the caller failed before it): it lapses. */
const PREPAID_TTL_MS = 30_000;

export class SlackBudget {
  readonly #limits: Record<string, MethodLimit>;
  readonly #share: number;
  readonly #speedup: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #lanes = new Map<string, Lane>();
  #seq = 0;
  #closed = false;

  constructor(opts: BudgetOptions = {}) {
    this.#limits = opts.limits ?? SLACK_LIMITS;
    this.#share = 1 / Math.max(1, opts.instances ?? 1);
    this.#speedup = opts.speedup ?? 1;
    this.#now = opts.now ?? Date.now;
  }

  /** Waits for a token of `method` (in `channel`'s lane when the method is paced per channel); resolves with the ms waited. */
  take(method: string, channel: string | undefined, priority: CallPriority): Promise<number> {
    if (this.#closed) return Promise.reject(new Error('slack budget is closed'));
    const lane = this.#lane(method, channel);
    return new Promise<number>((resolve, reject) => {
      lane.waiters.push({ rank: RANK[priority], seq: (this.#seq += 1), priority, resolve, reject, since: this.#now() });
      lane.waiters.sort((a, b) => a.rank - b.rank || a.seq - b.seq);
      this.#pump(lane);
    }).then((waited) => {
      lane.prepaid.push(this.#now());
      return waited;
    });
  }

  /**
   * The gate's side: a call is about to go to Slack. Spends a token taken ahead for it, or takes one now at
   * the highest priority; resolves false when that would take longer than `maxWaitMs` (the call is then
   * answered locally with a 429, and its caller retries as after Slack's own).
   */
  async spend(method: string, channel: string | undefined, maxWaitMs: number): Promise<boolean> {
    const lane = this.#lane(method, channel);
    const now = this.#now();
    while (lane.prepaid.length > 0) {
      const at = lane.prepaid.shift()!;
      if (now - at <= PREPAID_TTL_MS) return true;
    }
    if (this.#closed) return true;
    const ticket = this.#lane(method, channel);
    return await new Promise<boolean>((resolve) => {
      const waiter: Waiter = { rank: -1, seq: (this.#seq += 1), priority: 'interactive', resolve: () => resolve(true), reject: () => resolve(true), since: now };
      ticket.waiters.unshift(waiter);
      const timeout = setTimeout(() => {
        const i = ticket.waiters.indexOf(waiter);
        if (i >= 0) {
          ticket.waiters.splice(i, 1);
          resolve(false);
        }
      }, maxWaitMs);
      timeout.unref();
      const done = waiter.resolve;
      waiter.resolve = (ms) => {
        clearTimeout(timeout);
        done(ms);
      };
      this.#pump(ticket);
    });
  }

  /** Slack answered 429 anyway (another app, another instance): nothing more of `method` for `seconds`. */
  penalize(method: string, channel: string | undefined, seconds: number): void {
    const now = this.#now();
    for (const key of this.#bucketKeys(method, channel)) {
      const b = this.#bucket(key, method);
      this.#refill(b, now);
      // Empty until Retry-After is over; several 429s of one episode do not add up to a longer wait.
      b.tokens = Math.min(b.tokens, 1 - seconds * 1000 * b.rate);
    }
    const lane = this.#lanes.get(this.#laneKey(method, channel));
    if (lane) this.#pump(lane);
  }

  /** Every lane that has been used: tokens, calls a minute, who waits (for /metrics and /health). */
  lanes(): LaneView[] {
    const now = this.#now();
    return [...this.#lanes.values()].map((lane) => {
      const keys = this.#bucketKeys(lane.method, lane.channel);
      const buckets = keys.map((k) => this.#bucket(k, lane.method));
      for (const b of buckets) this.#refill(b, now);
      const waiting: Partial<Record<CallPriority, number>> = {};
      for (const w of lane.waiters) waiting[w.priority] = (waiting[w.priority] ?? 0) + 1;
      return {
        method: lane.method,
        channel: lane.channel ?? null,
        tokens: Math.min(...buckets.map((b) => b.tokens)),
        per_minute: Math.min(...buckets.map((b) => b.rate * 60_000 / this.#speedup)),
        waiting,
        oldest_wait_ms: lane.waiters.length ? Math.max(...lane.waiters.map((w) => now - w.since)) : 0,
        taken: lane.taken,
      };
    });
  }

  /** Calls waiting for a token, all lanes. */
  waiting(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) n += lane.waiters.length;
    return n;
  }

  /** Rejects every waiter (shutdown). */
  close(): void {
    this.#closed = true;
    for (const lane of this.#lanes.values()) {
      clearTimeout(lane.timer);
      for (const w of lane.waiters.splice(0)) w.reject(new Error('slack budget is closed'));
    }
  }

  #limit(method: string): MethodLimit {
    return this.#limits[method] ?? DEFAULT_LIMIT;
  }

  #laneKey(method: string, channel: string | undefined): string {
    return this.#limit(method).perChannelPerMinute && channel ? `${method}|${channel}` : method;
  }

  #bucketKeys(method: string, channel: string | undefined): string[] {
    const perChannel = this.#limit(method).perChannelPerMinute && channel;
    return perChannel ? [method, `${method}|${channel}`] : [method];
  }

  #lane(method: string, channel: string | undefined): Lane {
    const key = this.#laneKey(method, channel);
    let lane = this.#lanes.get(key);
    if (!lane) {
      const perChannel = key.includes('|');
      lane = { method, channel: perChannel ? channel : undefined, waiters: [], timer: undefined, prepaid: [], taken: 0 };
      this.#lanes.set(key, lane);
    }
    return lane;
  }

  #bucket(key: string, method: string): Bucket {
    let b = this.#buckets.get(key);
    if (!b) {
      const limit = this.#limit(method);
      // The workspace's budget is shared by the instances; a channel's is paced by its alert jobs' one
      // active poster at a time (see the alert worker in slack/index.ts), so each instance keeps it whole.
      const perMinute = key.includes('|') ? limit.perChannelPerMinute! : limit.perMinute * this.#share;
      const cap = key.includes('|') ? 1 : Math.max(1, Math.floor(limit.burst * this.#share));
      b = { tokens: cap, at: this.#now(), rate: (perMinute * this.#speedup) / 60_000, cap };
      this.#buckets.set(key, b);
    }
    return b;
  }

  #refill(b: Bucket, now: number): void {
    b.tokens = Math.min(b.cap, b.tokens + (now - b.at) * b.rate);
    b.at = now;
  }

  #pump(lane: Lane): void {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    const buckets = this.#bucketKeys(lane.method, lane.channel).map((k) => this.#bucket(k, lane.method));
    while (lane.waiters.length > 0) {
      const now = this.#now();
      for (const b of buckets) this.#refill(b, now);
      const short = Math.max(...buckets.map((b) => (b.tokens >= 1 ? 0 : (1 - b.tokens) / b.rate)));
      if (short > 0) {
        lane.timer = setTimeout(() => this.#pump(lane), Math.max(1, Math.ceil(short)));
        return;
      }
      for (const b of buckets) b.tokens -= 1;
      const w = lane.waiters.shift()!;
      lane.taken += 1;
      w.resolve(now - w.since);
    }
  }
}
