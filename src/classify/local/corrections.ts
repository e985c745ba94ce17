/**
 * Human corrections from the database as training examples: each ticket's latest classification by
 * 'human', with the ticket's text. Corrections of tickets whose text falls in the held-out split are
 * left out so evaluation stays clean even on a database seeded from the training file.
 */
import { latestHumanVerdicts } from '../../db/repositories/classifications.ts';
import type { Sql } from '../../db/sql.ts';
import { isCategory, normalizePriority } from '../../domain/categories.ts';
import { type Example, isHeldOut } from './dataset.ts';

export async function loadCorrections(sql: Sql): Promise<{ examples: Example[]; skippedHeldOut: number }> {
  const rows = await latestHumanVerdicts(sql);
  const examples: Example[] = [];
  let skippedHeldOut = 0;
  for (const r of rows) {
    if (!isCategory(r.category)) continue;
    const e: Example = {
      subject: r.subject ?? '',
      body: r.body,
      category: r.category,
      priority: normalizePriority(r.priority),
      language: r.language ?? undefined,
    };
    if (isHeldOut(e)) skippedHeldOut++;
    else examples.push(e);
  }
  return { examples, skippedHeldOut };
}

/** Training rows with corrections applied: a corrected ticket replaces a file row with the same text. */
export function mergeCorrections(base: Example[], corrections: Example[]): Example[] {
  const key = (e: Example) => `${e.subject}\u0000${e.body}`;
  const corrected = new Map(corrections.map((c) => [key(c), c]));
  const merged = base.map((e) => {
    const c = corrected.get(key(e));
    if (!c) return e;
    corrected.delete(key(e));
    return { ...e, category: c.category, priority: c.priority ?? e.priority };
  });
  return [...merged, ...corrected.values()];
}
