/**
 * SLA policies (src/sla/): targets per priority for the first response and the resolution, counted in
 * business time (src/domain/business-hours.ts). SLA clocks are off when neither target list is set.
 * Minutes may be fractions (0.05 = 3 s), which lets tests run whole warn-and-breach cycles in seconds.
 */
import { z } from 'zod';
import { type BusinessCalendar, BusinessHoursError, parseWeeklyHours } from '../domain/business-hours.ts';
import { CATEGORIES, type Category, isCategory, PRIORITIES, type Priority } from '../domain/categories.ts';
import { holidayCalendar, HolidayRegionError } from '../domain/holidays.ts';
import { int, number, oneOf, optionalString, string, timeZone } from './validators.ts';
import { type Values, variable } from './variable.ts';

import type { SlaPolicy, SlaTargets } from '../domain/sla.ts';

/**
 * "urgent=30,high=60,medium=240,low=480,billing.high=120": minutes per priority, and per category and priority
 * where one category differs; a priority left out has no target (in a category: the general one applies).
 */
const targets = optionalString.transform((v, ctx): CategoryTargets => {
  const out: CategoryTargets = { all: {}, byCategory: {} };
  if (v === undefined) return out;
  for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(?:([a-z]+)\.)?([a-z]+)\s*=\s*(\S+)$/i.exec(part);
    const category = m?.[1]?.toLowerCase();
    const priority = m?.[2]!.toLowerCase() as Priority | undefined;
    const minutes = Number(m?.[3]);
    if (!m || !PRIORITIES.includes(priority!) || (category !== undefined && !isCategory(category)) || !Number.isFinite(minutes) || minutes <= 0 || minutes > 525_600) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part}" is not [CATEGORY.]PRIORITY=MINUTES (categories ${CATEGORIES.join(', ')}; priorities ${PRIORITIES.join(', ')}; minutes above 0, at most a year)`,
      });
      return z.NEVER;
    }
    const into = category === undefined ? out.all : (out.byCategory[category as Category] ??= {});
    if (into[priority!] !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${category ? `${category}.` : ''}${priority} is given twice` });
      return z.NEVER;
    }
    into[priority!] = minutes;
  }
  return out;
});

interface CategoryTargets {
  all: SlaTargets;
  byCategory: Partial<Record<Category, SlaTargets>>;
}

const hasTargets = (t: CategoryTargets) => Object.keys(t.all).length > 0 || Object.keys(t.byCategory).length > 0;

const weeklyHours = string('Mon-Fri 09:00-17:00').transform((v, ctx) => {
  try {
    return { text: v, week: parseWeeklyHours(v) };
  } catch (error) {
    if (!(error instanceof BusinessHoursError)) throw error;
    ctx.addIssue({ code: 'custom', message: `${error.message}` });
    return z.NEVER;
  }
});

const region = optionalString.refine((v) => {
  if (v === undefined) return true;
  try {
    holidayCalendar(v);
    return true;
  } catch (error) {
    if (error instanceof HolidayRegionError) return false;
    throw error;
  }
}, { message: 'must be a country or COUNTRY-STATE date-holidays knows (DE, DE-BY, US-NY)' });

const dates = optionalString.transform((v, ctx) => {
  const list = v === undefined ? [] : v.split(',').map((d) => d.trim()).filter(Boolean);
  const bad = list.find((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d);
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `"${bad}" is not a date (YYYY-MM-DD)` });
    return z.NEVER;
  }
  return list;
});

/** A Slack user group (<!subteam^S123>), user (<@U123>), <!here>/<!channel>, or a plain @handle. */
const mention = optionalString.refine((v) => v === undefined || /^(?:<!subteam\^[A-Z0-9]+(?:\|[^>]*)?>|<@[UW][A-Z0-9]+>|<!(?:here|channel)>|@[\w.-]{1,80})$/.test(v), {
  message: 'must be <!subteam^ID>, <@USERID>, <!here>, <!channel> or @handle',
});

export const slaVariables = {
  firstResponseMinutes: variable('SLA_FIRST_RESPONSE_MINUTES', targets, 'Business minutes to the first response per priority (urgent=30,high=60,medium=240,low=480), and per category where one differs (billing.high=120); with SLA_RESOLUTION_MINUTES unset too, no SLA.'),
  resolutionMinutes: variable('SLA_RESOLUTION_MINUTES', targets, 'Business minutes to resolution per priority (same form, categories too).'),
  businessHours: variable('SLA_BUSINESS_HOURS', weeklyHours, 'When SLA clocks run: "Mon-Fri 09:00-17:00", several segments with ";" and intervals with ",", or "24/7".'),
  timeZone: variable('SLA_TIME_ZONE', timeZone, 'Time zone of SLA_BUSINESS_HOURS and the holidays.'),
  holidaysCountry: variable('SLA_HOLIDAYS_COUNTRY', region, 'Public holidays closing the clock: a country or COUNTRY-STATE (DE, DE-BY, US-NY); unset = none.'),
  holidaysExtra: variable('SLA_HOLIDAYS_EXTRA', dates, 'Further closed days, YYYY-MM-DD separated by commas.'),
  warnAt: variable('SLA_WARN_AT', number(0.75, 0.01, 0.99), 'Share of a target after which the warning is posted.'),
  escalationMention: variable('SLA_ESCALATION_MENTION', mention, 'Mentioned in the thread on a breach: <!subteam^ID>, <@USERID> or @handle; unset = no mention.'),
  firstResponse: variable('SLA_FIRST_RESPONSE', oneOf(['reply', 'acknowledge']).default('reply'), 'What stops the first-response clock: the first reply sent, or also an acknowledgement (status acknowledged).'),
  scanSeconds: variable('SLA_SCAN_SECONDS', int(30, 1, 3600), 'How often due times are scanned for warnings and breaches.'),
};

/** The SLA policy, or undefined when no target is set. */
export function slaSection(v: Values<typeof slaVariables>) {
  if (!hasTargets(v.firstResponseMinutes) && !hasTargets(v.resolutionMinutes)) return undefined;
  const calendar: BusinessCalendar = {
    timeZone: v.timeZone,
    week: v.businessHours.week,
    isHoliday: holidayCalendar(v.holidaysCountry, v.holidaysExtra),
  };
  return {
    targets: { firstResponse: v.firstResponseMinutes.all, resolution: v.resolutionMinutes.all },
    byCategory: Object.fromEntries(
      CATEGORIES.filter((c) => v.firstResponseMinutes.byCategory[c] || v.resolutionMinutes.byCategory[c])
        .map((c) => [c, { firstResponse: v.firstResponseMinutes.byCategory[c] ?? {}, resolution: v.resolutionMinutes.byCategory[c] ?? {} }]),
    ) as SlaPolicy['byCategory'],
    calendar,
    hours: v.businessHours.text,
    warnAt: v.warnAt,
    escalationMention: v.escalationMention,
    firstResponse: v.firstResponse,
    scanMs: v.scanSeconds * 1000,
  };
}

export type SlaConfig = NonNullable<ReturnType<typeof slaSection>>;
