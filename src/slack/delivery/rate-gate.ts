/**
 * The one gate every Web API call of ours goes through: a `fetch` for WebClient (its `fetch` option) that
 * keeps Slack's rate-limit buckets. Slack limits per method and per workspace (here: per token), so a 429
 * with Retry-After closes that method's bucket for every caller, whatever the channel, until the time is up.
 * While a bucket is closed, calls are answered here with a 429 carrying the remaining seconds: WebClient
 * turns it into the same WebAPIRateLimitedError as Slack's own, and nothing reaches Slack. When the time is
 * up, one call goes through as a probe; the others get a 1 s local 429 until the probe has its answer, so a
 * reopened bucket is not hit by every waiting caller at once. Result: about one call per method per
 * Retry-After during an episode, however many alerts, channels and retry loops are waiting.
 */

import type { SlackBudget } from './budget.ts';

type Fetch = typeof globalThis.fetch;

/** A call nothing paid for ahead waits at most this long for its budget here, then gets a local 429. */
const SPEND_WAIT_MS = 3000;

interface Bucket {
  /** Closed until this time (ms). */
  until: number;
  /** A probe is on its way to Slack. */
  probing: boolean;
}

export interface GateCounts {
  /** Requests that went to Slack. */
  sent: number;
  /** Requests answered here (bucket closed): they never reached Slack. */
  heldBack: number;
  /** 429s Slack answered. */
  rateLimited: number;
}

export class SlackRateGate {
  readonly #buckets = new Map<string, Bucket>();
  readonly #fetch: Fetch;
  readonly #now: () => number;
  readonly #budget: SlackBudget | undefined;
  readonly counts: GateCounts = { sent: 0, heldBack: 0, rateLimited: 0 };
  /** When Slack last answered 429 (ms), newest last, at most 100 (the ops signal counts the last minute's). */
  readonly rateLimitedAt: number[] = [];
  /** The same counts per Web API method (for /metrics). */
  readonly countsByMethod = new Map<string, GateCounts>();

  readonly #onAnswer: ((reached: boolean) => void) | undefined;

  /** `onAnswer`: after each call that went out, whether Slack answered (false: no answer, or a 5xx). */
  constructor(opts: { fetch?: Fetch; now?: () => number; budget?: SlackBudget; onAnswer?: (reached: boolean) => void } = {}) {
    this.#fetch = opts.fetch ?? globalThis.fetch;
    this.#now = opts.now ?? Date.now;
    this.#budget = opts.budget;
    this.#onAnswer = opts.onAnswer;
  }

  /** Methods whose bucket is closed now, with the seconds left (for /health). */
  closed(): Record<string, number> {
    const now = this.#now();
    const out: Record<string, number> = {};
    for (const [key, b] of this.#buckets) {
      const method = key.slice(key.indexOf('|') + 1);
      if (b.until > now || b.probing) out[method] = Math.max(out[method] ?? 0, Math.ceil(Math.max(0, b.until - now) / 1000));
    }
    return out;
  }

  /** Pass as WebClientOptions.fetch. */
  readonly fetch: Fetch = async (input, init) => {
    const key = bucketKey(input, init);
    const method = key.slice(key.indexOf('|') + 1);
    // Only Web API methods (chat.postMessage, users.info, ...) have tiers; a response_url answer to a click
    // (Bolt's respond) is not one and must never wait for, or be refused by, a budget.
    if (!WEB_API_METHOD.test(method)) return this.#fetch(input, init);
    const channel = channelOf(init);
    const closedFor = () => {
      const b = this.#buckets.get(key);
      const now = this.#now();
      return b && b.until > now ? Math.ceil((b.until - now) / 1000) : b?.probing ? 1 : 0;
    };
    if (closedFor() > 0) return this.#heldBack(method, closedFor());
    // Ahead of time: a call goes to Slack only with a token of its method's budget.
    if (this.#budget && !(await this.#budget.spend(method, channel, SPEND_WAIT_MS))) return this.#heldBack(method, 1);
    if (closedFor() > 0) return this.#heldBack(method, closedFor());
    const bucket = this.#buckets.get(key);
    if (bucket) bucket.probing = true;
    let response: Response;
    try {
      this.#count(method, 'sent');
      response = await this.#fetch(input, init);
    } catch (error) {
      // No answer tells nothing about the limit: the next caller probes again.
      if (bucket) bucket.probing = false;
      this.#onAnswer?.(false);
      throw error;
    }
    this.#onAnswer?.(response.status < 500);
    if (response.status !== 429) {
      this.#buckets.delete(key);
      return response;
    }
    this.#count(method, 'rateLimited');
    this.rateLimitedAt.push(this.#now());
    if (this.rateLimitedAt.length > 100) this.rateLimitedAt.shift();
    const header = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
    // Slack always sends Retry-After; without one, wait a second rather than retry at once.
    const seconds = Number.isFinite(header) && header >= 0 ? header : 1;
    this.#buckets.set(key, { until: this.#now() + seconds * 1000, probing: false });
    this.#budget?.penalize(method, channel, seconds);
    if (Number.isFinite(header)) return response;
    const headers = new Headers(response.headers);
    headers.set('retry-after', String(seconds));
    return new Response(await response.text(), { status: 429, headers });
  };

  #count(method: string, what: keyof GateCounts): void {
    this.counts[what] += 1;
    let c = this.countsByMethod.get(method);
    if (!c) this.countsByMethod.set(method, (c = { sent: 0, heldBack: 0, rateLimited: 0 }));
    c[what] += 1;
  }

  #heldBack(method: string, seconds: number): Response {
    this.#count(method, 'heldBack');
    return new Response(JSON.stringify({ ok: false, error: 'ratelimited' }), {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': String(Math.max(1, seconds)) },
    });
  }
}

/** A Web API method name: lower-case family, then dotted names (`chat.postMessage`, `apps.connections.open`). */
const WEB_API_METHOD = /^[a-z]+(\.[a-zA-Z]+)+$/;

/** "<token>|<method>": WebClient POSTs to <slackApiUrl><method> with the token in the Authorization header. */
function bucketKey(input: Parameters<Fetch>[0], init: Parameters<Fetch>[1]): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const method = new URL(url).pathname.split('/').pop() ?? '';
  const auth = new Headers(init?.headers).get('authorization') ?? '';
  return `${auth}|${method}`;
}

/** The `channel` of a call (WebClient sends form bodies; JSON is read too), for per-channel budgets. */
function channelOf(init: Parameters<Fetch>[1]): string | undefined {
  const body = init?.body;
  if (typeof body !== 'string') return body instanceof URLSearchParams ? (body.get('channel') ?? undefined) : undefined;
  if (body.startsWith('{')) {
    try {
      const channel = (JSON.parse(body) as { channel?: unknown }).channel;
      return typeof channel === 'string' ? channel : undefined;
    } catch {
      return undefined;
    }
  }
  return new URLSearchParams(body).get('channel') ?? undefined;
}
