import test from 'ava';
import fc from 'fast-check';
import { backoffDelay, createBackoff } from '../../src/lib/backoff.ts';

test('delays grow exponentially and stop at the cap', (t) => {
  const b = createBackoff({ baseMs: 100, maxMs: 1000, jitter: 0 });
  t.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  t.is(b.attempts, 6);
  b.reset();
  t.is(b.next(), 100);
});

test('jitter keeps every delay within [ (1-jitter)·d, d ] and never above the cap', (t) => {
  t.notThrows(() => fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, jitter, r) => {
      const d = backoffDelay(attempt, { baseMs: 50, maxMs: 30_000, jitter, random: () => r });
      const ceiling = Math.min(30_000, 50 * 2 ** Math.min(attempt, 64));
      return d <= 30_000 && d >= Math.floor(ceiling * (1 - jitter)) && d <= Math.ceil(ceiling) && Number.isFinite(d);
    }),
  ));
});

test('jittered delays differ between clients', (t) => {
  const seen = new Set(Array.from({ length: 20 }, () => backoffDelay(5, { baseMs: 100, maxMs: 60_000 })));
  t.true(seen.size > 1);
});

test('nonsense options are refused', (t) => {
  t.throws(() => backoffDelay(1, { baseMs: 100, maxMs: 10 }), { instanceOf: RangeError });
});
