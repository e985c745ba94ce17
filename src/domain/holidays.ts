/**
 * Public holidays for SLA calendars: date-holidays (country, state and region rules with their observed
 * substitutes) plus extra closed dates from configuration. Only "public" holidays close the team; bank,
 * school and observance days do not.
 */
import { createRequire } from 'node:module';
import type HolidaysType from 'date-holidays';

// Loaded on the first calendar with a region, not at import: its rules for every country are ~25 MB of
// memory that a service without SLA_HOLIDAYS_COUNTRY never uses. Synchronous, as configuration is checked so.
let Holidays: typeof HolidaysType | undefined;
const loadHolidays = () => (Holidays ??= createRequire(import.meta.url)('date-holidays') as typeof HolidaysType);

export class HolidayRegionError extends Error {
  override readonly name = 'HolidayRegionError';
}

/**
 * A closed-day test for a region ("DE", "DE-BY", "US-NY"; undefined: none) and extra dates (YYYY-MM-DD).
 * Throws HolidayRegionError for a region date-holidays does not know.
 */
export function holidayCalendar(region: string | undefined, extra: readonly string[] = []): (localDate: string) => boolean {
  const extraDates = new Set(extra);
  if (!region) return (d) => extraDates.has(d);
  const [country, state, ...rest] = region.toUpperCase().split('-');
  if (!country || rest.length > 1) throw new HolidayRegionError(`"${region}" is not COUNTRY or COUNTRY-STATE (DE, US-NY)`);
  const hd = new (loadHolidays())();
  if (!hd.getCountries()[country] || (state && !hd.getStates(country)?.[state])) {
    throw new HolidayRegionError(`date-holidays does not know the region "${region}"`);
  }
  hd.init(country, ...(state ? [state] : []));
  const byYear = new Map<number, Set<string>>();
  const publicDates = (year: number) => {
    let set = byYear.get(year);
    if (!set) {
      set = new Set(hd.getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
      byYear.set(year, set);
    }
    return set;
  };
  return (d) => extraDates.has(d) || publicDates(Number(d.slice(0, 4))).has(d);
}
