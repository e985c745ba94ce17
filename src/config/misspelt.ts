/**
 * Names that look like one of our settings but are not one: a typo (PORTT), another case (port), a letter
 * missing (DATABSE_URL). Such a line in .env is otherwise ignored without a word, and the service runs with
 * the default the operator meant to change.
 */

/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours), stopping early past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** The setting `name` probably meant, when it is not one itself: same letters in another case, or 1–2 edits away. */
export function meantSetting(name: string, settings: readonly string[]): string | undefined {
  if (settings.includes(name)) return undefined;
  const upper = name.toUpperCase();
  // Short names are close to many others by chance: one edit for them, two from 8 characters on.
  const allowed = upper.length >= 8 ? 2 : 1;
  let best: { name: string; d: number } | undefined;
  for (const setting of settings) {
    const d = distance(upper, setting, allowed);
    if (d <= allowed && (!best || d < best.d)) best = { name: setting, d };
  }
  return best?.name;
}

/** One warning per name that looks like a setting without being one. */
export function misspeltSettings(names: Iterable<string>, settings: readonly string[], where: string): string[] {
  const warnings: string[] = [];
  for (const name of names) {
    const meant = meantSetting(name, settings);
    if (meant) warnings.push(`${where}: ${name} is not a setting and is ignored; did you mean ${meant}?`);
  }
  return warnings;
}
