/**
 * The recent signatures of each category, kept by each process between classify batches, so a batch reads
 * only what was stored since the last one (by any instance) instead of the whole window again: at 1,000
 * signatures a category, reading them all cost ~11 ms a batch, a third of grouping's time. Correct across
 * instances because signatures are stored and read under the category's grouping lock, in commit order
 * (src/db/repositories/incidents.ts fingerprintsAfter). Created once per service (src/service.ts).
 */
import { fingerprintsAfter, type RecentFingerprint } from '../db/repositories/incidents.ts';
import type { Sql } from '../db/sql.ts';
import type { Category } from '../domain/categories.ts';

/** Most recent signatures of a category a new ticket is compared with (a flood's last minute or two). */
export const RECENT_LIMIT = 1000;

export interface RecentSignatures {
  /** The category's signatures within the window, oldest first (at most RECENT_LIMIT); call under its grouping lock. */
  read(tx: Sql, category: Category, since: Date): Promise<RecentFingerprint[]>;
  /** A signature found gone (its ticket taken out or erased): not offered again. */
  forget(category: Category, ticketId: number): void;
}

export function createRecentSignatures(limit = RECENT_LIMIT): RecentSignatures {
  const byCategory = new Map<Category, { after: string | null; rows: RecentFingerprint[] }>();
  return {
    async read(tx, category, since) {
      const kept = byCategory.get(category) ?? { after: null, rows: [] };
      const fresh = await fingerprintsAfter(tx, category, since, kept.after, limit);
      const renewed = new Set(fresh.map((f) => f.ticketId));
      const rows = [...kept.rows.filter((r) => r.atMs > since.getTime() && !renewed.has(r.ticketId)), ...fresh].slice(-limit);
      byCategory.set(category, { after: fresh.at(-1)?.at ?? kept.after, rows });
      return rows;
    },
    forget(category, ticketId) {
      const kept = byCategory.get(category);
      if (kept) kept.rows = kept.rows.filter((r) => r.ticketId !== ticketId);
    },
  };
}
