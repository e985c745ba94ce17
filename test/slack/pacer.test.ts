import test from 'ava';
import { ChannelPacer } from '../../src/slack/delivery/pacer.ts';

/** A virtual clock: sleep advances time instantly, so the test checks spacing without waiting. */
function clock() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => { now += ms; } };
}

class RateLimited extends Error {
  retryAfter: number;
  constructor(s: number) { super('429'); this.retryAfter = s; }
}

const retryDelayMs = (e: unknown) => (e instanceof RateLimited ? e.retryAfter * 1000 : undefined);

test('tasks in one channel start at least the interval apart and in order; channels do not wait for each other', async (t) => {
  const c = clock();
  const pacer = new ChannelPacer({ intervalMs: 1000, retryDelayMs, maxHoldMs: 60_000, ...c });
  const starts: Array<[string, number, number]> = [];
  await Promise.all(
    [0, 1, 2, 3].flatMap((i) => ['a', 'b'].map((ch) => pacer.run(ch, async (_a, gate) => { await gate(); starts.push([ch, i, c.now()]); }))),
  );
  for (const ch of ['a', 'b']) {
    const mine = starts.filter(([x]) => x === ch);
    t.deepEqual(mine.map(([, i]) => i), [0, 1, 2, 3]);
    for (let i = 1; i < mine.length; i += 1) t.true(mine[i]![2] - mine[i - 1]![2] >= 1000);
  }
});

test('a rate-limited task holds its channel for Retry-After and is retried before the tasks behind it', async (t) => {
  const c = clock();
  const pacer = new ChannelPacer({ intervalMs: 1000, retryDelayMs, maxHoldMs: 60_000, ...c });
  const done: Array<[number, number]> = [];
  let failed = false;
  const results = await Promise.all(
    [0, 1, 2].map((i) =>
      pacer.run('a', async (attempt, gate) => {
        await gate();
        if (i === 1 && !failed) {
          failed = true;
          throw new RateLimited(5);
        }
        done.push([i, c.now()]);
        return attempt;
      }),
    ),
  );
  t.deepEqual(done.map(([i]) => i), [0, 1, 2]);
  t.deepEqual(results, [1, 2, 1]);
  t.true(done[1]![1] - done[0]![1] >= 5000, 'waited Retry-After');
});

test('a non-retryable error rejects only its own task; one held too long gives up', async (t) => {
  const c = clock();
  const pacer = new ChannelPacer({ intervalMs: 10, retryDelayMs, maxHoldMs: 30_000, ...c });
  const a = pacer.run('a', async () => { throw new Error('channel_not_found'); });
  const b = pacer.run('a', async () => 'ok');
  await t.throwsAsync(a, { message: 'channel_not_found' });
  t.is(await b, 'ok');
  let attempts = 0;
  await t.throwsAsync(pacer.run('a', async (_a, gate) => { await gate(); attempts += 1; throw new RateLimited(20); }), { message: '429' });
  t.is(attempts, 2);
});

test('a task that posts nothing (already posted) does not use up a slot in its channel', async (t) => {
  const c = clock();
  const pacer = new ChannelPacer({ intervalMs: 1000, retryDelayMs, maxHoldMs: 60_000, ...c });
  const at: number[] = [];
  await Promise.all([
    pacer.run('a', async (_a, gate) => { await gate(); at.push(c.now()); }),
    pacer.run('a', async () => { at.push(c.now()); }),
    pacer.run('a', async (_a, gate) => { await gate(); at.push(c.now()); }),
  ]);
  t.deepEqual(at, [0, 0, 1000]);
});
