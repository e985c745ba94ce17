/** A date's UTC day as `YYYY-MM-DD` (the daily rollups' key, and a day's label). */
export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);
