/**
 * Satisfaction surveys after a resolve (src/outbound/surveys.ts, src/ingest/surveys.ts): off unless
 * CSAT_ENABLED; they need PUBLIC_URL (the survey page's link). Sent within the team's business hours, the SLA
 * calendar's (SLA_BUSINESS_HOURS, SLA_TIME_ZONE, the holidays), whether or not SLA targets are set.
 */
import type { BusinessCalendar } from '../domain/business-hours.ts';
import { holidayCalendar } from '../domain/holidays.ts';
import type { slaVariables } from './sla.ts';
import { bool, int, isTrue, optionalString } from './validators.ts';
import { type Environment, isSet, type Values, variable } from './variable.ts';

const address = optionalString.refine((v) => v === undefined || /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(v), { message: 'must be an e-mail address (surveys@example.com)' });

export const csatVariables = {
  enabled: variable('CSAT_ENABLED', bool(false), 'Ask customers for a score (1 to 5) after their ticket is resolved: by mail for e-mail tickets, through the reply webhook for REST and generic ones. Needs PUBLIC_URL.'),
  delayMinutes: variable('CSAT_DELAY_MINUTES', int(60, 0, 10_080), 'Minutes after the resolve before the survey goes (then the next business hour); reopening cancels it.'),
  samplePercent: variable('CSAT_SAMPLE_PERCENT', int(100, 0, 100), 'Share of resolutions that get a survey, in percent.'),
  from: variable('CSAT_FROM', address, "The survey mail's From address; unset: the mailbox's support address."),
  badScore: variable('CSAT_BAD_SCORE', int(2, 1, 4), 'Scores at or below this are bad: posted to the card\'s thread, mentioning the assignee.'),
  reopenOnBad: variable('CSAT_REOPEN_ON_BAD', bool(false), 'A bad score reopens the ticket.'),
};

export function csatSection(v: Values<typeof csatVariables>, sla: Values<typeof slaVariables>) {
  if (!v.enabled) return undefined;
  const calendar: BusinessCalendar = { timeZone: sla.timeZone, week: sla.businessHours.week, isHoliday: holidayCalendar(sla.holidaysCountry, sla.holidaysExtra) };
  return { delayMinutes: v.delayMinutes, samplePercent: v.samplePercent, from: v.from, badScore: v.badScore, reopenOnBad: v.reopenOnBad, calendar, hours: sla.businessHours.text };
}

export type CsatConfig = NonNullable<ReturnType<typeof csatSection>>;

/** The survey page's link needs the service's public address. */
export function csatRules(source: Environment): string[] {
  return isTrue(source.CSAT_ENABLED) && !isSet(source, 'PUBLIC_URL') ? ['CSAT_ENABLED: satisfaction surveys need PUBLIC_URL (their link opens the survey page)'] : [];
}
