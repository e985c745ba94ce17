import test from 'ava';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { addBusinessMinutes } from '../../src/domain/business-hours.ts';

const problems = (env: Record<string, string>) => (t: import('ava').ExecutionContext) => (t.throws(() => loadConfig(env), { instanceOf: ConfigError }) as ConfigError).problems;

test('no targets: SLA off, whatever else is set', (t) => {
  t.is(loadConfig({}).sla, undefined);
  t.is(loadConfig({ SLA_BUSINESS_HOURS: '24/7', SLA_WARN_AT: '0.5' }).sla, undefined);
});

test('targets, hours, zone, holidays and the rest', (t) => {
  const sla = loadConfig({
    SLA_FIRST_RESPONSE_MINUTES: ' urgent=30, HIGH = 60 ,medium=240,low=0.5',
    SLA_RESOLUTION_MINUTES: 'urgent=240',
    SLA_BUSINESS_HOURS: 'Mon-Fri 09:00-17:00',
    SLA_TIME_ZONE: 'Europe/Berlin',
    SLA_HOLIDAYS_COUNTRY: 'de-by',
    SLA_HOLIDAYS_EXTRA: '2026-12-24, 2026-12-31',
    SLA_WARN_AT: '0.8',
    SLA_ESCALATION_MENTION: '<!subteam^S0123ABC>',
    SLA_FIRST_RESPONSE: 'acknowledge',
    SLA_SCAN_SECONDS: '5',
  }).sla!;
  t.deepEqual(sla.targets, { firstResponse: { urgent: 30, high: 60, medium: 240, low: 0.5 }, resolution: { urgent: 240 } });
  t.is(sla.warnAt, 0.8);
  t.is(sla.firstResponse, 'acknowledge');
  t.is(sla.scanMs, 5000);
  t.is(sla.escalationMention, '<!subteam^S0123ABC>');
  t.true(sla.calendar.isHoliday('2026-01-06'));
  t.true(sla.calendar.isHoliday('2026-12-24'));
  t.false(sla.calendar.isHoliday('2026-12-23'));
  // Wed 2026-12-23 16:30 CET + 60: 30 min, 24th extra closed, 25th/26th public, weekend -> Mon 28th 09:30
  t.is(addBusinessMinutes(sla.calendar, new Date('2026-12-23T15:30:00Z'), 60)?.toISOString(), '2026-12-28T08:30:00.000Z');
});

test('defaults: weekdays 9 to 5 UTC, warn at 75 %, first response = reply', (t) => {
  const sla = loadConfig({ SLA_RESOLUTION_MINUTES: 'low=60' }).sla!;
  t.is(sla.hours, 'Mon-Fri 09:00-17:00');
  t.is(sla.calendar.timeZone, 'UTC');
  t.is(sla.warnAt, 0.75);
  t.is(sla.firstResponse, 'reply');
  t.is(sla.scanMs, 30_000);
  t.deepEqual(sla.targets.firstResponse, {});
});

test('every bad SLA value is named at start', (t) => {
  const p = problems({
    SLA_FIRST_RESPONSE_MINUTES: 'urgent=30,critical=10',
    SLA_RESOLUTION_MINUTES: 'high=-5',
    SLA_BUSINESS_HOURS: 'Mon-Fri 9-17',
    SLA_TIME_ZONE: 'Mars/Olympus',
    SLA_HOLIDAYS_COUNTRY: 'XX',
    SLA_HOLIDAYS_EXTRA: '2026-02-30',
    SLA_WARN_AT: '1.5',
    SLA_ESCALATION_MENTION: 'everyone please',
    SLA_FIRST_RESPONSE: 'assign',
    SLA_SCAN_SECONDS: '0',
  })(t);
  for (const name of ['SLA_FIRST_RESPONSE_MINUTES', 'SLA_RESOLUTION_MINUTES', 'SLA_BUSINESS_HOURS', 'SLA_TIME_ZONE', 'SLA_HOLIDAYS_COUNTRY', 'SLA_HOLIDAYS_EXTRA', 'SLA_WARN_AT', 'SLA_ESCALATION_MENTION', 'SLA_FIRST_RESPONSE', 'SLA_SCAN_SECONDS']) {
    t.true(p.some((line) => line.startsWith(`${name}:`)), `${name} not named: ${p.join(' | ')}`);
  }
  t.true(p.some((line) => line.includes('"critical=10"')));
  t.true(p.some((line) => line === 'SLA_BUSINESS_HOURS: "9" is not a time (HH:MM, 00:00 to 24:00)'), p.join(' | '));
});

test('a priority given twice, and other spellings of mentions', (t) => {
  t.true(problems({ SLA_FIRST_RESPONSE_MINUTES: 'high=1,High=2' })(t).some((p) => p.includes('high is given twice')));
  for (const m of ['@oncall', '<@U0123>', '<!here>', '<!subteam^S01|support-oncall>']) {
    t.is(loadConfig({ SLA_FIRST_RESPONSE_MINUTES: 'high=1', SLA_ESCALATION_MENTION: m }).sla!.escalationMention, m);
  }
});

test('per-category targets: a category overrides the priorities it names, the rest stay general; bad ones are named', (t) => {
  const sla = loadConfig({ SLA_FIRST_RESPONSE_MINUTES: 'high=60,low=480,billing.high=120,Technical.urgent=15', SLA_RESOLUTION_MINUTES: 'billing.low=2880' }).sla!;
  t.deepEqual(sla.targets, { firstResponse: { high: 60, low: 480 }, resolution: {} });
  t.deepEqual(sla.byCategory, {
    billing: { firstResponse: { high: 120 }, resolution: { low: 2880 } },
    technical: { firstResponse: { urgent: 15 }, resolution: {} },
  });
  // Only a category's targets: SLA is on.
  t.truthy(loadConfig({ SLA_RESOLUTION_MINUTES: 'general.low=600' }).sla);
  const p = problems({ SLA_FIRST_RESPONSE_MINUTES: 'sales.high=60', SLA_RESOLUTION_MINUTES: 'billing.high=1,billing.high=2' })(t);
  t.true(p.some((line) => line.includes('"sales.high=60" is not [CATEGORY.]PRIORITY=MINUTES')), p.join(' | '));
  t.true(p.some((line) => line.includes('billing.high is given twice')), p.join(' | '));
  t.true(problems({ SLA_FIRST_RESPONSE_MINUTES: 'billing.=5' })(t).some((line) => line.includes('"billing.=5"')));
});
