import test from 'ava';
import { mapLimit } from '../../src/lib/map-limit.ts';

test('never more than the limit in flight, results in input order', async (t) => {
  let inFlight = 0;
  let peak = 0;
  const results = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, n * 3));
    inFlight--;
    return n * 10;
  });
  t.deepEqual(results, [50, 10, 40, 20, 30, 0, 60]);
  t.is(peak, 3);
});

test('a failure rejects the whole map', async (t) => {
  await t.throwsAsync(mapLimit([1, 2, 3], 2, async (n) => {
    if (n === 2) throw new Error('boom');
    return n;
  }), { message: 'boom' });
});
