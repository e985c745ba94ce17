/**
 * When the Slack door reads back: requests while a run is under way make ONE more run after it, runs keep
 * their spacing, a delayed request waits its delay, nothing runs after stop, and a failed run does not end
 * the schedule.
 */
import test from 'ava';
import pino from 'pino';
import { scheduleBackReads } from '../../src/slack/door/back-read-schedule.ts';
import { waitFor } from '../kit/wait.ts';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('five requests during a run make one more run, spaced; a failing run does not stop the next', async (t) => {
  const starts: number[] = [];
  let release: () => void = () => undefined;
  const schedule = scheduleBackReads(async () => {
    starts.push(Date.now());
    if (starts.length === 1) await new Promise<void>((r) => { release = r; });
    if (starts.length === 2) throw new Error('slack down');
  }, { logger, ready: () => true, spacingMs: 300 });
  t.teardown(() => schedule.stop());
  schedule.request('start');
  await waitFor(() => starts.length === 1, { what: 'the first run' });
  for (let i = 0; i < 5; i += 1) schedule.request(`reconnect ${i}`);
  await sleep(400);
  t.is(starts.length, 1, 'nothing starts while a run is under way');
  release();
  await waitFor(() => starts.length === 2, { what: 'the one run after it' });
  await sleep(500);
  t.is(starts.length, 2, 'five requests, one more run');
  t.true(starts[1]! - starts[0]! >= 300, 'spaced');
  schedule.request('again after a failure');
  await waitFor(() => starts.length === 3, { what: 'a run after the failed one' });
});

test('a delayed request waits its delay; a request after stop runs nothing; stop waits for a run under way', async (t) => {
  let runs = 0;
  let finished = false;
  const schedule = scheduleBackReads(async () => {
    runs += 1;
    await sleep(200);
    finished = true;
  }, { logger, ready: () => true, spacingMs: 0 });
  const asked = Date.now();
  schedule.request('app_rate_limited', 500);
  await waitFor(() => runs === 1, { what: 'the delayed run' });
  t.true(Date.now() - asked >= 480, `ran after ${Date.now() - asked} ms`);
  await schedule.stop();
  t.true(finished, 'stop waited for the run');
  schedule.request('too late');
  await sleep(300);
  t.is(runs, 1);
});

test('the first run waits for our workspace to be known, then reads anyway after readyWaitMs', async (t) => {
  let runs = 0;
  const schedule = scheduleBackReads(async () => { runs += 1; }, { logger, ready: () => false, readyWaitMs: 1200 });
  t.teardown(() => schedule.stop());
  schedule.request('start');
  await sleep(700);
  t.is(runs, 0, 'still waiting for auth.test');
  await waitFor(() => runs === 1, { what: 'the run without a workspace' });
});

test('by default runs start at least 15 s apart (docs/slack.md)', async (t) => {
  t.timeout(40_000);
  const starts: number[] = [];
  const schedule = scheduleBackReads(async () => { starts.push(Date.now()); }, { logger, ready: () => true });
  t.teardown(() => schedule.stop());
  schedule.request('start');
  await waitFor(() => starts.length === 1, { what: 'the first run' });
  schedule.request('reconnect');
  // 13 s, not 14: a slow poll of the first run's start must not eat into the margin before the 15 s.
  await sleep(13_000);
  t.is(starts.length, 1, 'not again within 15 s');
  await waitFor(() => starts.length === 2, { what: 'the second run', timeoutMs: 5_000 });
  t.true(starts[1]! - starts[0]! >= 15_000, `${starts[1]! - starts[0]!} ms apart`);
});
