import test from 'ava';
import { parseWeeklyHours } from '../../src/domain/business-hours.ts';
import { clockMinutes, describeClock, dueEvents, nextEventAt, slaTimes, type SlaPolicy } from '../../src/domain/sla.ts';
import { slaLines } from '../../src/slack/cards/sla-lines.ts';

const policy: SlaPolicy = {
  targets: { firstResponse: { high: 60 }, resolution: { high: 240 } },
  calendar: { timeZone: 'UTC', week: parseWeeklyHours('24/7'), isHoliday: () => false },
  warnAt: 0.75,
};
const t0 = Date.parse('2026-11-23T09:00:00Z');
const at = (m: number) => new Date(t0 + m * 60_000);
const state = { priority: 'high' as const, startedAt: at(0), firstRespondedAt: null, resolvedAt: null, pauses: [], pausedSince: null, snoozes: [], snooze: null };

test('due events in order, each once, the stale warning not posted', (t) => {
  const times = slaTimes(policy, state);
  t.deepEqual(dueEvents(times, at(44), new Set()), []);
  t.deepEqual(dueEvents(times, at(45), new Set()), [{ kind: 'first_response_warning', post: true }]);
  t.deepEqual(dueEvents(times, at(70), new Set(['first_response_warning'])), [{ kind: 'first_response_breach', post: true }]);
  t.deepEqual(dueEvents(times, at(70), new Set()), [{ kind: 'first_response_warning', post: false }, { kind: 'first_response_breach', post: true }]);
  t.deepEqual(nextEventAt(times, new Set(['first_response_warning'])), at(60));
  t.deepEqual(nextEventAt(times, new Set(['first_response_warning', 'first_response_breach'])), at(180));
});

test('no target, a met clock, an open pause: nothing pending', (t) => {
  t.is(nextEventAt(slaTimes(policy, { ...state, priority: 'low' }), new Set()), null);
  t.is(nextEventAt(slaTimes(policy, { ...state, priority: null }), new Set()), null);
  const answered = slaTimes(policy, { ...state, firstRespondedAt: at(5), pausedSince: at(5) });
  t.is(nextEventAt(answered, new Set()), null);
  t.is(answered.resolution.dueAt, null);
  t.is(describeClock(answered.resolution, at(10)), 'paused');
  t.is(describeClock(answered.firstResponse, at(10)), null);
});

test('the card says due in / breached ago, and paused', (t) => {
  const times = slaTimes(policy, state);
  t.is(describeClock(times.firstResponse, at(48)), 'due in 12 min');
  t.is(describeClock(times.firstResponse, at(65)), 'breached 5 min ago');
  t.is(describeClock(times.resolution, at(0)), 'due in 4 h');
  t.is(describeClock(times.firstResponse, at(59.5)), 'due in under a minute');
  t.is(describeClock(times.firstResponse, at(60.01)), 'breached just now');
  t.is(describeClock(times.resolution, at(240 - 3 * 24 * 60)), 'due in 3 d');
  const row = {
    ticketId: 1, priority: 'high' as const, category: null, startedAt: at(0), firstResponseWarnAt: at(45), firstResponseDueAt: at(60), firstRespondedAt: null,
    resolutionWarnAt: null, resolutionDueAt: null, resolvedAt: null, pausedSince: at(30), pauses: [], snoozedSince: null, snoozedUntil: null, snoozes: [], nextEventAt: at(45),
    firstResponseMinutes: null, resolutionMinutes: null,
  };
  const lines = slaLines(row, at(48));
  t.regex(lines[0]!, /^:stopwatch: First response due in 12 min \(<!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-11-23 10:00 UTC>\)$/);
  t.is(lines[1], ':double_vertical_bar: Resolution clock paused: waiting on the customer');
  t.regex(slaLines({ ...row, pausedSince: null }, at(70))[0]!, /^:rotating_light: First response breached 10 min ago/);
  t.deepEqual(slaLines({ ...row, firstRespondedAt: at(50), pausedSince: null }, at(70)), []);
  t.deepEqual(slaLines(null, at(0)), []);
});

test('a snooze pauses both clocks: a timed one moves the due times by its length, an open one stops them', (t) => {
  const timed = slaTimes(policy, { ...state, snooze: { since: at(10), until: at(70) } });
  t.deepEqual(timed.firstResponse.dueAt, at(120), 'the first response is due 60 min later');
  t.deepEqual(timed.resolution.dueAt, at(300));
  t.deepEqual(nextEventAt(timed, new Set()), at(105));
  const open = slaTimes(policy, { ...state, snooze: { since: at(10), until: null } });
  t.is(open.firstResponse.dueAt, null);
  t.is(open.resolution.dueAt, null);
  t.is(nextEventAt(open, new Set()), null);
  // Ended snoozes count like any pause; one overlapping the wait on the customer is not counted twice.
  const ended = slaTimes(policy, { ...state, snoozes: [{ start: at(10).getTime(), end: at(40).getTime() }], pauses: [{ start: at(20).getTime(), end: at(50).getTime() }] });
  t.deepEqual(ended.firstResponse.dueAt, at(90));
  t.deepEqual(ended.resolution.dueAt, at(280), '10..50 paused once: 40 min');
});

test('the card says the clocks are paused while snoozed', (t) => {
  const row = {
    ticketId: 1, priority: 'high' as const, category: null, startedAt: at(0), firstResponseWarnAt: null, firstResponseDueAt: null, firstRespondedAt: null,
    resolutionWarnAt: null, resolutionDueAt: null, resolvedAt: null, pausedSince: null, pauses: [], snoozedSince: at(5), snoozedUntil: null, snoozes: [], nextEventAt: null, firstResponseMinutes: null, resolutionMinutes: null,
  };
  t.deepEqual(slaLines(row, at(10)), [':double_vertical_bar: SLA clocks paused while snoozed']);
  const timed = { ...row, snoozedUntil: at(65), firstResponseDueAt: at(120), firstResponseWarnAt: at(105) };
  t.regex(slaLines(timed, at(10)).join('\n'), /First response due in 1\d\d min[^\n]*\n:double_vertical_bar: SLA clocks paused while snoozed/);
});

test('a category with its own target uses it for the priorities it names, the general one otherwise', (t) => {
  const withBilling: SlaPolicy = { ...policy, byCategory: { billing: { firstResponse: { high: 120 }, resolution: {} } } };
  t.deepEqual(slaTimes(withBilling, { ...state, category: 'billing' }).firstResponse.dueAt, at(120));
  t.deepEqual(slaTimes(withBilling, { ...state, category: 'billing' }).resolution.dueAt, at(240), 'resolution: the general target');
  t.deepEqual(slaTimes(withBilling, { ...state, category: 'technical' }).firstResponse.dueAt, at(60));
  t.deepEqual(slaTimes(withBilling, { ...state, category: null }).firstResponse.dueAt, at(60));
});

test('how long each clock ran: business minutes to its stop, pauses left out, null while it runs', (t) => {
  // Mon-Fri 09:00-17:00 UTC; t0 is Monday 2026-11-23 09:00.
  const office = { timeZone: 'UTC', week: parseWeeklyHours('mon-fri 09:00-17:00'), isHoliday: () => false };
  t.deepEqual(clockMinutes(office, state), { firstResponse: null, resolution: null }, 'both still run');
  // Arrived Friday 16:30, answered Monday 09:45: 30 + 45 business minutes, the weekend not counted.
  const friday = new Date(Date.parse('2026-11-27T16:30:00Z'));
  const monday = new Date(Date.parse('2026-11-30T09:45:00Z'));
  t.deepEqual(clockMinutes(office, { ...state, startedAt: friday, firstRespondedAt: monday }), { firstResponse: 75, resolution: null });
  // Resolved at 12:00 after 30 minutes waiting on the customer and a 60-minute snooze: 180 - 30 - 60 of resolution,
  // the snooze alone off the first response (answered at 10:30, during neither).
  const ran = clockMinutes(office, {
    ...state, firstRespondedAt: at(90), resolvedAt: at(180),
    pauses: [{ start: at(95).getTime(), end: at(125).getTime() }], snoozes: [{ start: at(10).getTime(), end: at(70).getTime() }],
  });
  t.deepEqual(ran, { firstResponse: 30, resolution: 90 });
  // Around the clock, the minutes are the wall-clock ones.
  t.deepEqual(clockMinutes(policy.calendar, { ...state, firstRespondedAt: at(61), resolvedAt: at(600) }), { firstResponse: 61, resolution: 600 });
});
