/** The rate limits' in-memory counts: windows, shares between processes, and memory under invented keys. */
import test from 'ava';
import { WindowCounts } from '../../src/lib/window-counts.ts';

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

test('two processes: each takes its share until a sync, then the rest is split; the total never passes the limit when synced in turn', (t) => {
  const clock = { now: 1_000_000_000_000 };
  const [one, two] = [counts(10, clock), counts(10, clock)];
  const sync = (self: WindowCounts, other: WindowCounts, otherOwn: Map<string, number>) => {
    const sent = self.changes();
    self.synced(sent, otherOwn, 2);
    void other;
  };
  const own = { one: new Map<string, number>(), two: new Map<string, number>() };
  // Both learn there are two processes.
  sync(one, two, own.two);
  sync(two, one, own.one);
  // A key used on one process only: its share (5), refused for a sync interval, then half of what is left.
  t.is(accepted(one, 'k', 10), 5);
  const waiting = one.take('k');
  t.deepEqual(waiting, { allowed: false, retryAfterMs: 250 }, 'a share used up is retried after the next sync');
  own.one.set('k', 5);
  sync(one, two, own.two);
  t.is(accepted(one, 'k', 10), 3, 'ceil((10 - 5) / 2)');
  own.one.set('k', 8);
  sync(one, two, own.two);
  sync(two, one, own.one);
  t.is(accepted(two, 'k', 10), 1, 'ceil((10 - 8) / 2): the other process sees what this one took');
  own.two.set('k', 1);
  sync(one, two, own.two);
  t.is(accepted(one, 'k', 10), 1);
  own.one.set('k', 9);
  sync(one, two, own.two);
  sync(two, one, own.one);
  t.is(accepted(one, 'k', 10) + accepted(two, 'k', 10), 0, 'the limit is reached over both');
  t.true(one.take('k').allowed === false && two.take('k').allowed === false);
});

test('a failed sync sends the same counts again and keeps the shares; a new window without any sync still splits by the processes last seen', (t) => {
  const clock = { now: 1_000_000_000_000 };
  const c = counts(10, clock);
  c.synced(c.changes(), [], 2);
  t.is(accepted(c, 'k', 10), 5);
  const sent = c.changes();
  t.deepEqual(sent.counts, [['k', 5]]);
  c.unsynced(sent);
  t.is(accepted(c, 'k', 10), 0, 'no sync: the share is not renewed (the outage does not open the limit)');
  t.deepEqual(c.changes().counts, [['k', 5]], 'written with the next sync');
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
