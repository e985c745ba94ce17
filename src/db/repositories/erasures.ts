/** Erasure records (erasures) and their work lists (erasure_items): ids and counts, never the person's data. */
import type { Sql } from '../sql.ts';
import { jsonb } from '../sql.ts';
import type { ErasureMode } from './privacy-places.ts';

export interface ErasureRow {
  id: number;
  requestedBy: string;
  mode: ErasureMode;
  subjectKind: string;
  state: string;
  counts: Record<string, number> | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export async function insertErasure(tx: Sql, e: { requestedBy: string; mode: ErasureMode; subjectKind: string; subjectRef: string }): Promise<number> {
  const row = await tx.kysely
    .insertInto('erasures')
    .values({ requested_by: e.requestedBy.slice(0, 255), mode: e.mode, subject_kind: e.subjectKind, subject_ref: e.subjectRef })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertErasureItems(tx: Sql, erasureId: number, items: { kind: 'ticket' | 'message'; refId: number }[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) {
    const chunk = items.slice(i, i + 1000);
    await tx.kysely.insertInto('erasure_items').values(chunk.map((it) => ({ erasure_id: erasureId, kind: it.kind, ref_id: it.refId }))).onConflict((oc) => oc.doNothing()).execute();
  }
}

/** The next undone items of an erasure, locked (SKIP LOCKED: two runners share the work, never the same row). */
export async function lockNextItems(tx: Sql, erasureId: number, limit: number): Promise<{ kind: string; refId: number }[]> {
  const rows = await tx.kysely
    .selectFrom('erasure_items')
    .select(['kind', 'ref_id'])
    .where('erasure_id', '=', erasureId)
    .where('done', '=', false)
    .orderBy('ref_id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => ({ kind: r.kind, refId: r.ref_id }));
}

export async function markItemsDone(tx: Sql, erasureId: number, items: { kind: string; refId: number }[]): Promise<void> {
  for (const kind of ['ticket', 'message']) {
    const refs = items.filter((i) => i.kind === kind).map((i) => i.refId);
    if (refs.length) await tx.kysely.updateTable('erasure_items').set({ done: true }).where('erasure_id', '=', erasureId).where('kind', '=', kind).where('ref_id', 'in', refs).execute();
  }
}

/** Adds a batch's counts to the erasure's (jsonb sum per place). */
export async function addErasureCounts(tx: Sql, erasureId: number, counts: Record<string, number>): Promise<void> {
  const row = await tx.kysely.selectFrom('erasures').select('counts').where('id', '=', erasureId).forUpdate().executeTakeFirst();
  const sum: Record<string, number> = { ...((row?.counts as Record<string, number> | null) ?? {}) };
  for (const [k, v] of Object.entries(counts)) sum[k] = (sum[k] ?? 0) + v;
  await tx.kysely.updateTable('erasures').set({ counts: jsonb(sum) }).where('id', '=', erasureId).execute();
}

/** Marks it done when no item is left; true when this call finished it. */
export async function finishErasure(tx: Sql, erasureId: number): Promise<boolean> {
  const rows = await tx.kysely
    .updateTable('erasures')
    .set({ state: 'done', finished_at: new Date() })
    .where('id', '=', erasureId)
    .where('state', '=', 'running')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('erasure_items').select('ref_id').where('erasure_id', '=', erasureId).where('done', '=', false))))
    .returning('id')
    .execute();
  if (rows.length) await tx.kysely.deleteFrom('erasure_items').where('erasure_id', '=', erasureId).execute();
  return rows.length > 0;
}

export async function runningErasures(db: Sql): Promise<{ id: number; mode: ErasureMode }[]> {
  const rows = await db.kysely.selectFrom('erasures').select(['id', 'mode']).where('state', '=', 'running').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, mode: r.mode as ErasureMode }));
}

export async function getErasure(db: Sql, id: number): Promise<ErasureRow | null> {
  const r = await db.kysely.selectFrom('erasures').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toRow(r) : null;
}

export async function listErasures(db: Sql, limit = 100): Promise<ErasureRow[]> {
  const rows = await db.kysely.selectFrom('erasures').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toRow);
}

function toRow(r: { id: number; requested_by: string; mode: string; subject_kind: string; state: string; counts: unknown; created_at: Date | string; finished_at: Date | string | null }): ErasureRow {
  return {
    id: r.id,
    requestedBy: r.requested_by,
    mode: r.mode as ErasureMode,
    subjectKind: r.subject_kind,
    state: r.state,
    counts: (r.counts as Record<string, number> | null) ?? null,
    createdAt: new Date(r.created_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
  };
}
