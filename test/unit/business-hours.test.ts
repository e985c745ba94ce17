import test from 'ava';
import {
  addBusinessMinutes, type BusinessCalendar, BusinessHoursError, businessMinutesBetween, parseWeeklyHours,
} from '../../src/domain/business-hours.ts';
import { holidayCalendar, HolidayRegionError } from '../../src/domain/holidays.ts';

const at = (iso: string) => new Date(iso);
const cal = (hours: string, timeZone: string, region?: string, extra: string[] = []): BusinessCalendar => ({
  timeZone, week: parseWeeklyHours(hours), isHoliday: holidayCalendar(region, extra),
});
const berlin = cal('Mon-Fri 09:00-17:00', 'Europe/Berlin', 'DE');
const newYork = cal('Mon-Fri 09:00-17:00', 'America/New_York', 'US-NY');
const iso = (d: Date | null) => d?.toISOString();

test('within one open day', (t) => {
  // Mon 2026-11-23 10:00 CET + 90 min = 11:30 CET
  t.is(iso(addBusinessMinutes(berlin, at('2026-11-23T09:00:00Z'), 90)), '2026-11-23T10:30:00.000Z');
});

test('the weekend does not count', (t) => {
  // Fri 2026-11-27 16:00 CET: 60 min on Friday, 60 on Monday -> Mon 10:00 CET
  t.is(iso(addBusinessMinutes(berlin, at('2026-11-27T15:00:00Z'), 120)), '2026-11-30T09:00:00.000Z');
  t.is(businessMinutesBetween(berlin, at('2026-11-27T15:00:00Z'), at('2026-11-30T09:00:00Z')), 120);
});

test('arrival outside hours starts at the next opening', (t) => {
  // Tue 20:00 CET -> Wed 09:00 + 30
  t.is(iso(addBusinessMinutes(berlin, at('2026-11-24T19:00:00Z'), 30)), '2026-11-25T08:30:00.000Z');
  // Sat 11:00 CET -> Mon 09:30 CET
  t.is(iso(addBusinessMinutes(berlin, at('2026-11-28T10:00:00Z'), 30)), '2026-11-30T08:30:00.000Z');
  // Tue 07:00 CET (before opening) -> Tue 09:30
  t.is(iso(addBusinessMinutes(berlin, at('2026-11-24T06:00:00Z'), 30)), '2026-11-24T08:30:00.000Z');
  // zero minutes from a closed moment is the next opening
  t.is(iso(addBusinessMinutes(berlin, at('2026-11-28T10:00:00Z'), 0)), '2026-11-30T08:00:00.000Z');
  t.is(businessMinutesBetween(berlin, at('2026-11-28T10:00:00Z'), at('2026-11-29T10:00:00Z')), 0);
});

test('public holidays: Easter in Germany (Good Friday, Easter Monday)', (t) => {
  // Thu 2026-04-02 16:30 CEST: 30 min, Fri holiday, weekend, Mon holiday -> Tue 09:30 CEST
  t.is(iso(addBusinessMinutes(berlin, at('2026-04-02T14:30:00Z'), 60)), '2026-04-07T07:30:00.000Z');
  // Christmas Eve is a bank holiday only: open; 25th (Fri) public -> Mon 28th
  t.is(iso(addBusinessMinutes(berlin, at('2026-12-24T15:30:00Z'), 60)), '2026-12-28T08:30:00.000Z');
});

test('state holidays and extra dates', (t) => {
  // Epiphany (Tue 2026-01-06) is a holiday in Bavaria only
  const bavaria = cal('Mon-Fri 09:00-17:00', 'Europe/Berlin', 'de-by');
  t.is(iso(addBusinessMinutes(bavaria, at('2026-01-05T15:30:00Z'), 60)), '2026-01-07T08:30:00.000Z');
  t.is(iso(addBusinessMinutes(berlin, at('2026-01-05T15:30:00Z'), 60)), '2026-01-06T08:30:00.000Z');
  // an extra closed day from configuration, with no region
  const offsite = cal('Mon-Fri 09:00-17:00', 'Europe/Berlin', undefined, ['2026-11-24']);
  t.is(iso(addBusinessMinutes(offsite, at('2026-11-23T15:30:00Z'), 60)), '2026-11-25T08:30:00.000Z');
  t.throws(() => holidayCalendar('XX'), { instanceOf: HolidayRegionError });
  t.throws(() => holidayCalendar('DE-ZZ'), { instanceOf: HolidayRegionError });
});

test('New York: Thanksgiving', (t) => {
  // Wed 2026-11-25 16:30 EST: 30 min, Thu Thanksgiving -> Fri 09:30 EST
  t.is(iso(addBusinessMinutes(newYork, at('2026-11-25T21:30:00Z'), 60)), '2026-11-27T14:30:00.000Z');
});

test('DST: Berlin spring forward and fall back keep opening hours in local time', (t) => {
  // Fri 2026-03-27 16:00 CET (UTC+1) + 120 -> Mon 2026-03-30 10:00 CEST (UTC+2)
  t.is(iso(addBusinessMinutes(berlin, at('2026-03-27T15:00:00Z'), 120)), '2026-03-30T08:00:00.000Z');
  // Fri 2026-10-23 16:00 CEST + 120 -> Mon 2026-10-26 10:00 CET
  t.is(iso(addBusinessMinutes(berlin, at('2026-10-23T14:00:00Z'), 120)), '2026-10-26T09:00:00.000Z');
  t.is(businessMinutesBetween(berlin, at('2026-10-23T14:00:00Z'), at('2026-10-26T09:00:00Z')), 120);
});

test('DST: a whole local Sunday is 23 hours in March and 25 in October', (t) => {
  const sundays = cal('Sun 00:00-24:00', 'Europe/Berlin');
  t.is(businessMinutesBetween(sundays, at('2026-03-27T00:00:00Z'), at('2026-03-31T00:00:00Z')), 23 * 60);
  t.is(businessMinutesBetween(sundays, at('2026-10-23T00:00:00Z'), at('2026-10-27T00:00:00Z')), 25 * 60);
  // opening at a wall time DST skips (02:30 on 2026-03-29) moves forward by the gap, to 03:30 CEST
  const skipped = cal('Sun 02:30-04:00', 'Europe/Berlin');
  t.is(iso(addBusinessMinutes(skipped, at('2026-03-28T12:00:00Z'), 0)), '2026-03-29T01:30:00.000Z');
  t.is(businessMinutesBetween(skipped, at('2026-03-28T12:00:00Z'), at('2026-03-30T00:00:00Z')), 30);
});

test('DST: New York in March and November', (t) => {
  // Fri 2026-03-06 16:00 EST + 120 -> Mon 2026-03-09 10:00 EDT
  t.is(iso(addBusinessMinutes(newYork, at('2026-03-06T21:00:00Z'), 120)), '2026-03-09T14:00:00.000Z');
  // Fri 2026-10-30 16:00 EDT + 120 -> Mon 2026-11-02 10:00 EST
  t.is(iso(addBusinessMinutes(newYork, at('2026-10-30T20:00:00Z'), 120)), '2026-11-02T15:00:00.000Z');
});

test('several intervals a day (lunch break)', (t) => {
  const lunch = cal('Mon-Fri 09:00-12:00,13:00-17:00', 'Europe/Berlin');
  // Mon 11:30 CET + 60 -> 30 before lunch, 30 after -> 13:30 CET
  t.is(iso(addBusinessMinutes(lunch, at('2026-11-23T10:30:00Z'), 60)), '2026-11-23T12:30:00.000Z');
  t.is(businessMinutesBetween(lunch, at('2026-11-23T08:00:00Z'), at('2026-11-23T16:00:00Z')), 7 * 60);
});

test('pauses stop the clock', (t) => {
  const pause = { start: Date.parse('2026-11-23T09:00:00Z'), end: Date.parse('2026-11-23T13:00:00Z') };
  // Mon 09:00 CET + 240, paused 10:00-14:00 CET: 60 before, 180 after -> 17:00 CET
  t.is(iso(addBusinessMinutes(berlin, at('2026-11-23T08:00:00Z'), 240, [pause])), '2026-11-23T16:00:00.000Z');
  t.is(businessMinutesBetween(berlin, at('2026-11-23T08:00:00Z'), at('2026-11-23T16:00:00Z'), [pause]), 240);
  // overlapping and unsorted pauses merge
  const more = [{ start: Date.parse('2026-11-23T12:00:00Z'), end: Date.parse('2026-11-23T14:00:00Z') }, pause];
  t.is(businessMinutesBetween(berlin, at('2026-11-23T08:00:00Z'), at('2026-11-23T16:00:00Z'), more), 180);
  // a pause that has not ended (still waiting on the customer): the target is never reached
  const open = [{ start: Date.parse('2026-11-23T09:00:00Z'), end: Infinity }];
  t.is(addBusinessMinutes(berlin, at('2026-11-23T08:00:00Z'), 240, open), null);
  t.is(businessMinutesBetween(berlin, at('2026-11-23T08:00:00Z'), at('2026-12-23T08:00:00Z'), open), 60);
});

test('24/7: wall-clock time, holidays and DST included', (t) => {
  const always = cal('24/7', 'Europe/Berlin', 'DE');
  t.is(iso(addBusinessMinutes(always, at('2026-03-29T00:30:00Z'), 90)), '2026-03-29T02:00:00.000Z');
  t.is(iso(addBusinessMinutes(always, at('2026-12-25T10:00:00Z'), 0.5)), '2026-12-25T10:00:30.000Z');
  t.is(businessMinutesBetween(always, at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z')), 48 * 60);
  const pause = { start: Date.parse('2026-12-25T10:10:00Z'), end: Date.parse('2026-12-25T10:40:00Z') };
  t.is(iso(addBusinessMinutes(always, at('2026-12-25T10:00:00Z'), 20, [pause])), '2026-12-25T10:50:00.000Z');
});

test('weekly hours: spellings and mistakes', (t) => {
  t.is(parseWeeklyHours(' 24 / 7 '), null);
  const w = parseWeeklyHours('sun-thu 08:00-16:00; FRI 08:00-12:00,12:30-14:00')!;
  t.deepEqual(w[0], [{ start: 480, end: 960 }]);
  t.deepEqual(w[5], [{ start: 480, end: 720 }, { start: 750, end: 840 }]);
  t.deepEqual(w[6], []);
  t.deepEqual(parseWeeklyHours('Mon,Wed 00:00-24:00')![3], [{ start: 0, end: 1440 }]);
  for (const bad of ['', 'Mon-Fri', 'Mon-Fri 9-17', 'Funday 09:00-10:00', 'Mon 17:00-09:00', 'Mon 09:00-12:00,11:00-13:00', 'Mon 24:30-25:00', 'Mo 09:00-10:00', 'Mon-Tue-Wed 09:00-10:00']) {
    t.throws(() => parseWeeklyHours(bad), { instanceOf: BusinessHoursError }, bad);
  }
});
