/** Where the inbox reader stopped, per mailbox (mailbox_cursors). */
import { sql } from 'kysely';
import type { Sql } from '../sql.ts';

export interface Cursor {
  uidValidity: bigint;
  lastUid: number;
}

export async function readCursor(db: Sql, mailbox: string): Promise<Cursor | null> {
  const row = await db.kysely
    .selectFrom('mailbox_cursors')
    // As text: a bigint comes back as a string from node-postgres but not from every driver.
    .select([sql<string>`uid_validity::text`.as('uid_validity'), 'last_uid'])
    .where('mailbox', '=', mailbox)
    .executeTakeFirst();
  return row ? { uidValidity: BigInt(row.uid_validity), lastUid: Number(row.last_uid) } : null;
}

export async function writeCursor(db: Sql, mailbox: string, cursor: Cursor): Promise<void> {
  await db.kysely
    .insertInto('mailbox_cursors')
    .values({ mailbox, uid_validity: cursor.uidValidity.toString(), last_uid: cursor.lastUid, updated_at: sql<Date>`now()` })
    .onConflict((oc) =>
      oc.column('mailbox').doUpdateSet((eb) => ({
        uid_validity: eb.ref('excluded.uid_validity'),
        last_uid: eb.ref('excluded.last_uid'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}
