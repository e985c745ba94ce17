/**
 * Fixed-window counts per key, kept in this process and shared with other processes by a periodic sync
 * (the caller moves `changes()` out and the others' rows in with `synced()`). Windows are aligned on multiples
 * of their length since the Unix epoch, so every process agrees on them without talking.
 *
 * Sharing works by claims: a process accepts for a key up to its claim. Before it has written one for the key
 * in this window, its claim is its first share (the limit divided by the live processes), and the others count
 * it as taken. At each sync it writes what it accepted and its next claim: that plus its share of what nobody
 * claims, for a key it served since the last sync; what it accepted, when it served none and another process
 * wants more (it refused a request for want of a claim): its spare claim goes to them. A claim is lowered at once and raised only once written, so the claims
 * never add up to more than the limit (plus one per process, rounding): a key hammered on every process at
 * once gets its limit, not more, and a key used on one process only gets the rest as the others release it,
 * a sync or two later. Without a sync (the store
 * unreachable) no claim grows: each new window a process has its first share again.
 */

export interface WindowCountsOptions {
  limit: number;
  windowMs: number;
  /** Keys kept at most; the least recently used is forgotten past it (hostile keys cannot grow memory). */
  maxKeys: number;
  /** How long a refusal for a used-up claim lasts at most: until the next sync. */
  syncMs: number;
  now?: () => number;
}

interface Entry {
  /** Accepted here in this window. */
  own: number;
  /** This process's claim once it has written one in this window; until then its first share. */
  claim: number | undefined;
  /** Refused for a used-up claim since the last sync: the next claim asks for a share. */
  wanted: boolean;
  /** The count the other processes know (last one written). */
  sentOwn: number;
  /** Accepted by the other processes in this window, as of the last sync. */
  others: number;
  /** The other processes' written claims, and how many of them wrote one (the rest hold their first share). */
  othersClaimed: number;
  claimants: number;
  /** One of the others refused a request for want of a claim. */
  othersWant: boolean;
}

const newEntry = (): Entry => ({ own: 0, claim: undefined, wanted: false, sentOwn: 0, others: 0, othersClaimed: 0, claimants: 0, othersWant: false });

/** What a sync writes: this process's count and claim per key whose claim or count changed. */
export interface Changes {
  windowStart: number;
  counts: { key: string; count: number; claim: number; wants: boolean }[];
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterMs: number };

export class WindowCounts {
  readonly limit: number;
  private readonly options: WindowCountsOptions;
  private readonly now: () => number;
  private windowStart = 0;
  private readonly entries = new Map<string, Entry>();
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
    if (!limitReached && entry.own < this.claimOf(entry)) return { allowed: true };
    if (!limitReached) entry.wanted = true;
    // A refused key is in use too: a flood of other keys must not make it forgotten (and let in again).
    this.touch(key, entry);
    return this.refuse(now, limitReached);
  }

  /** Counts one for `key` when it is allowed; the verdict says whether it was. */
  take(key: string): Verdict {
    const verdict = this.check(key);
    if (!verdict.allowed) return verdict;
    const entry = this.entries.get(key) ?? newEntry();
    entry.own += 1;
    this.touch(key, entry);
    return verdict;
  }

  /**
   * The counts and next claims to write, for keys whose count or claim the others do not know yet. A lower
   * claim holds from now on; a higher one once the store has taken it (`synced`).
   */
  changes(): Changes {
    this.roll();
    const counts: Changes['counts'] = [];
    for (const [key, entry] of this.entries) {
      const active = entry.own > entry.sentOwn || entry.wanted;
      let claim: number;
      if (active) claim = entry.own + this.share(entry.own, this.othersClaimed(entry));
      // Another process wants more: what this one does not use goes to it.
      else if (entry.othersWant) claim = entry.own;
      else if (entry.claim === undefined) continue; // its first share, unwritten: the others count it as taken
      else claim = entry.claim;
      if (claim === entry.claim && entry.own === entry.sentOwn && !entry.wanted) continue;
      if (claim < this.claimOf(entry)) entry.claim = claim;
      counts.push({ key, count: entry.own, claim, wants: entry.wanted });
    }
    return { windowStart: this.windowStart, counts };
  }

  /**
   * The store took `sent` and answered with the other processes' counts and claims (keys where one changed)
   * and how many processes are live, this one included.
   */
  synced(sent: Changes, others: Iterable<{ key: string; count: number; claimed: number; claimants: number; wanted: boolean }>, processes: number): void {
    this.processes = Math.max(1, processes);
    this.roll();
    // Counts of a window that has ended (the sync took long) say nothing about this one.
    if (sent.windowStart !== this.windowStart) return;
    for (const { key, count, claimed, claimants, wanted } of others) {
      const entry = this.entries.get(key) ?? newEntry();
      entry.others = count;
      entry.othersClaimed = claimed;
      entry.claimants = claimants;
      entry.othersWant = wanted;
      this.touch(key, entry);
    }
    for (const { key, count, claim } of sent.counts) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      // The claim written, unless the others' claims read just now leave less: a view older than theirs
      // (a slow sync) must not add up with their newer claims to more than the limit.
      entry.claim = Math.min(claim, Math.max(count, count + this.share(count, this.othersClaimed(entry))));
      entry.sentOwn = count;
      entry.wanted = false;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private firstShare(): number {
    return Math.ceil(this.limit / this.processes);
  }

  private claimOf(entry: Entry): number {
    return entry.claim ?? this.firstShare();
  }

  /** What the others hold: their written claims, and their first shares where they have written none. */
  private othersClaimed(entry: Entry): number {
    return entry.othersClaimed + Math.max(0, this.processes - 1 - entry.claimants) * this.firstShare();
  }

  private share(own: number, othersClaimed: number): number {
    return Math.max(0, Math.ceil((this.limit - own - othersClaimed) / this.processes));
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
    }
    return now;
  }

  private touch(key: string, entry: Entry): void {
    // Re-inserted at the end: the Map's order is the recency order, its first key the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.options.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
  }
}
