import test from 'ava';
import { digestWindow, lastScheduledBefore, periodKey } from '../../src/slack/jobs/digest.ts';

test('the last scheduled time honours the time zone and includes the exact scheduled minute', (t) => {
  const cron = '0 9 * * 1-5';
  // Tuesday 2026-11-24 09:30 in Berlin (UTC+1) -> that morning's 09:00 Berlin = 08:00 UTC.
  t.is(lastScheduledBefore(cron, 'Europe/Berlin', new Date('2026-11-24T08:30:00Z')).toISOString(), '2026-11-24T08:00:00.000Z');
  t.is(lastScheduledBefore(cron, 'Europe/Berlin', new Date('2026-11-24T08:00:00Z')).toISOString(), '2026-11-24T08:00:00.000Z');
  // Monday 2026-11-23 07:00 UTC is before 09:00 Berlin: the last run was Friday.
  t.is(lastScheduledBefore(cron, 'Europe/Berlin', new Date('2026-11-23T07:00:00Z')).toISOString(), '2026-11-20T08:00:00.000Z');
  t.is(lastScheduledBefore(cron, 'UTC', new Date('2026-11-24T08:30:00Z')).toISOString(), '2026-11-23T09:00:00.000Z');
});

test('a daily digest covers the whole days since the previous run; a faster one covers today', (t) => {
  const monday = digestWindow('0 9 * * 1-5', 'UTC', new Date('2026-11-23T09:00:00Z'));
  t.is(monday.days, 3, 'Friday to Sunday');
  t.is(monday.now.toISOString().slice(0, 10), '2026-11-22');
  const tuesday = digestWindow('0 9 * * 1-5', 'UTC', new Date('2026-11-24T09:00:00Z'));
  t.deepEqual([tuesday.days, tuesday.now.toISOString().slice(0, 10)], [1, '2026-11-23']);
  const hourly = digestWindow('0 * * * *', 'UTC', new Date('2026-11-24T15:00:00Z'));
  t.deepEqual([hourly.days, hourly.now.toISOString()], [1, '2026-11-24T15:00:00.000Z']);
  t.is(periodKey(new Date('2026-11-24T15:00:30Z')), 'digest:2026-11-24T15:00Z');
});
