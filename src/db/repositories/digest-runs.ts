/** One row per digest period (digest_runs): whoever claims it first posts it, once, across instances. */
import { sql } from 'kysely';
import type { Sql } from '../sql.ts';

/** Claims the period unless a row exists; true when it is (still) ours to post, i.e. in state 'claimed'. */
export async function claimDigestRun(db: Sql, periodKey: string, channel: string): Promise<boolean> {
  await db.kysely
    .insertInto('digest_runs')
    .values({ period_key: periodKey, channel, state: 'claimed' })
    .onConflict((oc) => oc.column('period_key').doNothing())
    .execute();
  const row = await db.kysely.selectFrom('digest_runs').select('state').where('period_key', '=', periodKey).executeTakeFirst();
  return row?.state === 'claimed';
}

export async function markDigestSkipped(db: Sql, periodKey: string): Promise<void> {
  await db.kysely
    .updateTable('digest_runs')
    .set({ state: 'skipped', updated_at: sql<Date>`now()` })
    .where('period_key', '=', periodKey)
    .where('state', '=', 'claimed')
    .execute();
}

export async function markDigestPosted(db: Sql, periodKey: string, post: { ts: string; channel: string }): Promise<void> {
  await db.kysely
    .updateTable('digest_runs')
    .set({ state: 'posted', ts: post.ts, channel: post.channel, updated_at: sql<Date>`now()` })
    .where('period_key', '=', periodKey)
    .execute();
}
