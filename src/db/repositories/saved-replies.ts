/** Saved replies (saved_replies): the REST CRUD and the pick for a ticket's draft. */
import { sql } from 'kysely';
import type { Category } from '../../domain/categories.ts';
import type { Sql } from '../sql.ts';

export interface SavedReply {
  id: number;
  title: string;
  body: string;
  category: Category | null;
  language: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SavedReplyInput {
  title: string;
  body: string;
  category: Category | null;
  language: string | null;
}

const COLUMNS = ['id', 'title', 'body', 'category', 'language', 'created_at', 'updated_at'] as const;

type Row = { id: number; title: string; body: string; category: Category | null; language: string | null; created_at: Date | string; updated_at: Date | string };

const toSavedReply = (r: Row): SavedReply => ({
  id: Number(r.id),
  title: r.title,
  body: r.body,
  category: r.category,
  language: r.language,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export async function listSavedReplies(db: Sql, filter: { category?: Category | undefined; language?: string | undefined } = {}): Promise<SavedReply[]> {
  let q = db.kysely.selectFrom('saved_replies').select(COLUMNS).orderBy('id');
  if (filter.category) q = q.where('category', '=', filter.category);
  if (filter.language) q = q.where('language', '=', filter.language);
  return (await q.execute()).map((r) => toSavedReply(r as Row));
}

export async function getSavedReply(db: Sql, id: number): Promise<SavedReply | undefined> {
  const row = await db.kysely.selectFrom('saved_replies').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? toSavedReply(row as Row) : undefined;
}

export async function createSavedReply(db: Sql, input: SavedReplyInput): Promise<SavedReply> {
  const row = await db.kysely.insertInto('saved_replies').values(input).returning(COLUMNS).executeTakeFirstOrThrow();
  return toSavedReply(row as Row);
}

/** Replaces every field; undefined when there is no such reply. */
export async function updateSavedReply(db: Sql, id: number, input: SavedReplyInput): Promise<SavedReply | undefined> {
  const row = await db.kysely
    .updateTable('saved_replies')
    .set({ ...input, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row ? toSavedReply(row as Row) : undefined;
}

export async function deleteSavedReply(db: Sql, id: number): Promise<boolean> {
  const result = await db.kysely.deleteFrom('saved_replies').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * The saved reply for a ticket: its category's, in its language before one for any language before one in
 * another language; failing that, one for any category (same language order). Oldest first among equals, so
 * the pick is stable. Undefined when none fits.
 */
export async function savedReplyFor(db: Sql, ticket: { category: Category | null; language: string | null }): Promise<SavedReply | undefined> {
  const language = ticket.language ?? '';
  const row = await db.kysely
    .selectFrom('saved_replies')
    .select(COLUMNS)
    .where((eb) => (ticket.category ? eb.or([eb('category', '=', ticket.category), eb('category', 'is', null)]) : eb('category', 'is', null)))
    .orderBy(sql`case when category is null then 1 else 0 end`)
    .orderBy(sql`case when language = ${language} then 0 when language is null then 1 else 2 end`)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row ? toSavedReply(row as Row) : undefined;
}
