/** The rate limits' in-memory counts: windows, shares between processes, and memory under invented keys. */
import test from 'ava';
import { type Changes, WindowCounts } from '../../src/lib/window-counts.ts';

function counts(limit: number, clock: { now: number }, maxKeys = 1000) {
  return new WindowCounts({ limit, windowMs: 10_000, maxKeys, syncMs: 250, now: () => clock.now });
}

const accepted = (c: WindowCounts, key: string, times: number) => Array.from({ length: times }, () => c.take(key).allowed).filter(Boolean).length;

test('one process: exactly the limit per window, Retry-After until the window ends, and the next window starts from zero', (t) => {
  const clock = { now: 1_000_000_003_000 };
  const c = counts(3, clock);
  t.is(accepted(c, 'a', 5), 3);
  const refused = c.take('a');
  t.deepEqual(refused, { allowed: false, retryAfterMs: 7_000 }, 'until the aligned window ends');
  t.true(c.check('b').allowed, 'another key');
  clock.now += 6_999;
  t.false(c.take('a').allowed, 'the last millisecond of the window');
  clock.now += 1;
  t.is(accepted(c, 'a', 5), 3, 'the window rolled');
});

/** The shared table, in memory: each process's count and claim per key; a sync writes then reads, or both first write. */
function store(processes: WindowCounts[]) {
  const rows = new Map<WindowCounts, Map<string, { count: number; claimed: number; wants: boolean }>>(processes.map((p) => [p, new Map()]));
  const write = (p: WindowCounts, sent: Changes) => {
    for (const c of sent.counts) rows.get(p)!.set(c.key, { count: c.count, claimed: c.claim, wants: c.wants });
  };
  const read = (p: WindowCounts) => {
    const sums = new Map<string, { key: string; count: number; claimed: number; claimants: number; wanted: boolean }>();
    for (const [other, table] of rows) {
      if (other === p) continue;
      for (const [key, r] of table) {
        const sum = sums.get(key) ?? { key, count: 0, claimed: 0, claimants: 0, wanted: false };
        sum.wanted ||= r.wants;
        sum.count += r.count;
        sum.claimed += r.claimed;
        sum.claimants += 1;
        sums.set(key, sum);
      }
    }
    return [...sums.values()];
  };
  return {
    /** Every process syncs at the same moment: all write before any reads (statements running side by side). */
    syncAtOnce() {
      const sent = processes.map((p) => p.changes());
      processes.forEach((p, i) => write(p, sent[i]!));
      processes.forEach((p, i) => p.synced(sent[i]!, read(p), processes.length));
    },
    syncOne(p: WindowCounts) {
      const sent = p.changes();
      const others = read(p);
      write(p, sent);
      p.synced(sent, others, processes.length);
    },
  };
}

test('two processes hammered at once, syncing at the same moments or in turn: the key gets its limit and at most one more per process', (t) => {
  for (const limit of [1, 4, 10, 100, 601]) {
    for (const order of ['at once', 'in turn'] as const) {
      const clock = { now: 1_000_000_000_000 };
      const processes = [counts(limit, clock), counts(limit, clock)];
      const shared = store(processes);
      shared.syncAtOnce(); // each learns there are two
      let total = 0;
      for (let round = 0; round < 40; round++) {
        for (const p of processes) total += accepted(p, 'k', limit);
        if (order === 'at once') shared.syncAtOnce();
        else for (const p of processes) shared.syncOne(p);
      }
      t.true(total >= limit && total <= limit + 1, `limit ${limit}, syncs ${order}: ${total} accepted`);
    }
  }
});

test('a key used on one process only gets its whole limit (but one) as the other releases its claim, with Retry-After of one sync meanwhile', (t) => {
  const clock = { now: 1_000_000_000_000 };
  const [busy, idle] = [counts(100, clock), counts(100, clock)];
  const shared = store([busy, idle]);
  shared.syncAtOnce();
  t.is(accepted(idle, 'k', 1), 1, 'the idle process once served the key');
  t.is(accepted(busy, 'k', 200), 50, 'its share first');
  t.deepEqual(busy.take('k'), { allowed: false, retryAfterMs: 250 }, 'a used-up claim is retried after the next sync');
  let total = 51;
  for (let round = 0; round < 30; round++) {
    shared.syncAtOnce();
    total += accepted(busy, 'k', 200);
  }
  // The idle process keeps what it accepted plus, rounding up, at most one more.
  t.true(total >= 99 && total <= 101, `${total}`);
  t.false(busy.take('k').allowed, 'then no more');
});

test('without syncs (the store down) no claim grows; each new window starts from the share of the processes last seen', (t) => {
  const clock = { now: 1_000_000_000_000 };
  const c = counts(10, clock);
  c.synced(c.changes(), [], 2);
  t.is(accepted(c, 'k', 10), 5);
  for (let failed = 0; failed < 5; failed++) {
    t.deepEqual(c.changes().counts, [{ key: 'k', count: 5, claim: 5, wants: true }], 'the same counts are offered again (the other holds its first 5)');
    t.is(accepted(c, 'k', 10), 0, 'nothing taken by the store: the outage does not open the limit');
  }
  clock.now += 10_000;
  t.is(accepted(c, 'k', 10), 5, 'the next window: the share again (the outage does not close the limit either)');
});

test('invented keys (long, unicode, a new one per request) cost at most maxKeys entries; the most recently used survive', (t) => {
  const clock = { now: 1_000_000_000_000 };
  const c = counts(2, clock, 100);
  t.is(accepted(c, 'victim', 2), 2);
  let victimLetIn = 0;
  for (let i = 0; i < 10_000; i++) {
    c.take(`${'é'.repeat(i % 50)}🦀${i}`);
    if (i % 50 === 0 && c.take('victim').allowed) victimLetIn += 1;
  }
  t.is(victimLetIn, 0, 'a refused key stays refused');
  t.true(c.size <= 100, `${c.size} keys kept`);
  t.false(c.take('victim').allowed, 'a key in use is not forgotten by a flood of others');
  t.true(c.changes().counts.length <= 100);
});
