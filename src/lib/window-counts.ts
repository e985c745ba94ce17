/**
 * Fixed-window counts per key, kept in this process and shared with other processes by a periodic sync
 * (the caller moves `changes()` out and `applyOthers()` in). Windows are aligned on multiples of their length
 * since the Unix epoch, so every process agrees on them without talking.
 *
 * Between two syncs a process accepts for a key at most its share of what the key had left at the last sync
 * (what remained divided by the live processes, rounded up): a key hammered on every process at once cannot
 * pass its limit by more than the others' unseen acceptances, each bounded by its own share, and a key used on
 * one process only gets the rest of its limit over the next syncs. With no sync at all (one process, or the
 * store unreachable) the last known number of processes keeps splitting each new window.
 */

export interface WindowCountsOptions {
  limit: number;
  windowMs: number;
  /** Keys kept at most; the least recently used is forgotten past it (hostile keys cannot grow memory). */
  maxKeys: number;
  /** How long a refusal for an exhausted share lasts at most: until the next sync. */
  syncMs: number;
  now?: () => number;
}

interface Entry {
  /** Accepted here in this window. */
  own: number;
  /** `own` when it was last handed to the sync. */
  base: number;
  /** Accepted by the other processes in this window, as of the last sync. */
  others: number;
}

export interface Changes {
  windowStart: number;
  counts: [key: string, own: number][];
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export class WindowCounts {
  readonly limit: number;
  private readonly options: WindowCountsOptions;
  private readonly now: () => number;
  private windowStart = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly dirty = new Set<string>();
  /** Live processes sharing the counts, this one included (1 until a sync says otherwise). */
  private processes = 1;

  constructor(options: WindowCountsOptions) {
    this.options = options;
    this.limit = options.limit;
    this.now = options.now ?? Date.now;
  }

  /** Whether one more would be accepted for `key` now, without counting it. */
  check(key: string): Verdict {
    const now = this.roll();
    const entry = this.entries.get(key);
    if (!entry) return this.limit > 0 ? { allowed: true } : this.refuse(now, true);
    const limitReached = entry.own + entry.others >= this.limit;
    if (!limitReached && entry.own - entry.base < this.share(entry)) return { allowed: true };
    // A refused key is in use too: a flood of other keys must not make it forgotten (and let in again).
    this.touch(key, entry);
    return this.refuse(now, limitReached);
  }

  /** Counts one for `key` when it is allowed; the verdict says whether it was. */
  take(key: string): Verdict {
    const verdict = this.check(key);
    if (!verdict.allowed) return verdict;
    const entry = this.entries.get(key) ?? { own: 0, base: 0, others: 0 };
    entry.own += 1;
    this.touch(key, entry);
    this.dirty.add(key);
    return verdict;
  }

  /** This process's counts that changed since the last call, for the store. */
  changes(): Changes {
    this.roll();
    const counts: [string, number][] = [];
    for (const key of this.dirty) {
      const entry = this.entries.get(key);
      if (entry) counts.push([key, entry.own]);
    }
    this.dirty.clear();
    return { windowStart: this.windowStart, counts };
  }

  /**
   * The store took `sent` and answered with the other processes' counts (only keys that changed) and how many
   * processes are live, this one included: the shares start again from there.
   */
  synced(sent: Changes, others: Iterable<[key: string, count: number]>, processes: number): void {
    this.processes = Math.max(1, processes);
    this.roll();
    // Counts of a window that has ended (the sync took long) say nothing about this one.
    if (sent.windowStart !== this.windowStart) return;
    for (const [key, count] of sent.counts) {
      const entry = this.entries.get(key);
      if (entry) entry.base = count;
    }
    for (const [key, count] of others) {
      const entry = this.entries.get(key) ?? { own: 0, base: 0, others: 0 };
      entry.others = count;
      this.touch(key, entry);
    }
  }

  /** The store did not take `sent`: written with the next changes; the shares stay as they were. */
  unsynced(sent: Changes): void {
    this.roll();
    if (sent.windowStart !== this.windowStart) return;
    for (const [key] of sent.counts) if (this.entries.has(key)) this.dirty.add(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private share(entry: Entry): number {
    return Math.ceil((this.limit - entry.base - entry.others) / this.processes);
  }

  private refuse(now: number, limitReached: boolean): Verdict {
    const windowLeft = this.windowStart + this.options.windowMs - now;
    return { allowed: false, retryAfterMs: limitReached ? windowLeft : Math.min(windowLeft, this.options.syncMs) };
  }

  /** Starts a new window when the clock has passed the current one; returns the time it read. */
  private roll(): number {
    const now = this.now();
    const start = now - (now % this.options.windowMs);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.entries.clear();
      this.dirty.clear();
    }
    return now;
  }

  private touch(key: string, entry: Entry): void {
    // Re-inserted at the end: the Map's order is the recency order, its first key the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.options.maxKeys) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.dirty.delete(oldest);
    }
  }
}
