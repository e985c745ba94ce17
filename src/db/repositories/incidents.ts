/**
 * Incidents and the signatures they are found by (the rules: src/ingest/incident-grouping.ts and
 * src/ingest/incident-actions.ts). Grouping in one category runs under a transaction-scoped advisory lock, so
 * two instances classifying the same flood at once open one incident, not two.
 */
import { sql } from 'kysely';
import type { Category } from '../../domain/categories.ts';
import { jsonb, ticketNotDeleted, type Sql } from '../sql.ts';

/** Signatures an incident keeps of its latest tickets. */
export const KEPT_MINHASHES = 20;
/** Most recent signatures of a category a new ticket is compared with (a flood's last minute or two). */
const RECENT_LIMIT = 1000;

export interface Candidate {
  /** null: a signature an open incident keeps (its ticket may be older than the window). */
  ticketId: number | null;
  minhash: number[];
  /** The incident its ticket is in (open or closed); null: none. */
  incidentId: number | null;
  /** That incident is open (a new ticket may join it). */
  open: boolean;
}

export interface IncidentRow {
  id: number;
  category: Category;
  title: string;
  opened_at: Date;
  last_joined_at: Date;
  closed_at: Date | null;
  closed_by: string | null;
  version: number;
  shown_version: number;
}

/** Serialises grouping in one category until the transaction ends. */
export async function lockGrouping(tx: Sql, category: string): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`incident-grouping:${category}`]);
}

/** The category's recent signatures (newest first) and its open incidents' kept ones. */
export async function groupingCandidates(tx: Sql, category: Category, since: Date): Promise<Candidate[]> {
  const recent = await tx.kysely
    .selectFrom('ticket_fingerprints as f')
    .innerJoin('tickets as t', 't.id', 'f.ticket_id')
    .leftJoin('incidents as i', 'i.id', 't.incident_id')
    .select(['f.ticket_id', 'f.minhash', 't.incident_id', 'i.closed_at'])
    .where('f.category', '=', category)
    .where('f.created_at', '>', since)
    .orderBy('f.created_at', 'desc')
    .limit(RECENT_LIMIT)
    .execute();
  const open = await tx.kysely.selectFrom('incidents').select(['id', 'minhashes']).where('category', '=', category).where('closed_at', 'is', null).execute();
  return [
    ...recent.map((r) => ({ ticketId: r.ticket_id, minhash: r.minhash, incidentId: r.incident_id ?? null, open: r.incident_id !== null && r.closed_at === null })),
    ...open.flatMap((i) => i.minhashes.map((minhash) => ({ ticketId: null, minhash, incidentId: i.id, open: true }))),
  ];
}

export async function insertFingerprint(tx: Sql, ticketId: number, category: Category, minhash: number[]): Promise<void> {
  await tx.kysely
    .insertInto('ticket_fingerprints')
    .values({ ticket_id: ticketId, category, minhash: jsonb(minhash) as never })
    .onConflict((oc) => oc.column('ticket_id').doUpdateSet({ category, minhash: jsonb(minhash) as never, created_at: sql`now()` }))
    .execute();
}

/** Signatures older than the window: incidents keep their own. */
export async function pruneFingerprints(tx: Sql, category: Category, before: Date): Promise<void> {
  await tx.kysely.deleteFrom('ticket_fingerprints').where('category', '=', category).where('created_at', '<', before).execute();
}

/** A new incident with these tickets (the earlier ones keep their cards); returns its id. */
export async function openIncident(tx: Sql, input: { category: Category; title: string; titleTicketId: number; ticketIds: number[]; minhashes: number[][] }): Promise<number> {
  const row = await tx.kysely
    .insertInto('incidents')
    .values({ category: input.category, title: input.title.slice(0, 255), title_ticket_id: input.titleTicketId, minhashes: jsonb(input.minhashes.slice(-KEPT_MINHASHES)) as never })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.kysely.updateTable('tickets').set({ incident_id: row.id }).where('id', 'in', input.ticketIds).execute();
  return row.id;
}

/** The ticket joins the incident, which now keeps `minhashes` (the caller's, under the grouping lock) and shows one more ticket. */
export async function joinIncident(tx: Sql, incidentId: number, ticketId: number, minhashes: number[][]): Promise<void> {
  await tx.kysely.updateTable('tickets').set({ incident_id: incidentId }).where('id', '=', ticketId).execute();
  await tx.kysely
    .updateTable('incidents')
    .set((eb) => ({ last_joined_at: sql`now()`, version: eb('version', '+', 1), minhashes: jsonb(minhashes.slice(-KEPT_MINHASHES)) as never }))
    .where('id', '=', incidentId)
    .execute();
}

export async function getIncident(db: Sql, id: number): Promise<IncidentRow | undefined> {
  return db.kysely
    .selectFrom('incidents')
    .select(['id', 'category', 'title', 'opened_at', 'last_joined_at', 'closed_at', 'closed_by', 'version', 'shown_version'])
    .where('id', '=', id)
    .executeTakeFirst() as Promise<IncidentRow | undefined>;
}

/** The incident the ticket is in; null: none. */
export async function incidentOf(db: Sql, ticketId: number): Promise<number | null> {
  const row = await db.kysely.selectFrom('tickets').select('incident_id').where('id', '=', ticketId).executeTakeFirst();
  return row?.incident_id ?? null;
}

/** The incidents these tickets are in. */
export async function incidentsOfTickets(db: Sql, ticketIds: number[]): Promise<number[]> {
  const rows = await db.kysely.selectFrom('tickets').select('incident_id').distinct().where('id', 'in', ticketIds).where('incident_id', 'is not', null).execute();
  return rows.map((r) => r.incident_id!);
}

/** The incident, locked for a people's action on it. */
export async function lockIncident(tx: Sql, id: number): Promise<IncidentRow | undefined> {
  return tx.kysely
    .selectFrom('incidents')
    .select(['id', 'category', 'title', 'opened_at', 'last_joined_at', 'closed_at', 'closed_by', 'version', 'shown_version'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst() as Promise<IncidentRow | undefined>;
}

export interface IncidentTicket {
  id: number;
  status: string;
  subject: string | null;
  requester_name: string | null;
  requester_email: string | null;
  created_at: Date;
}

/** The incident's tickets (not deleted), oldest first. */
export async function incidentTickets(db: Sql, incidentId: number, limit = 10_000): Promise<IncidentTicket[]> {
  return db.kysely
    .selectFrom('tickets')
    .select(['id', 'status', 'subject', 'requester_name', 'requester_email', 'created_at'])
    .where('incident_id', '=', incidentId)
    .where(ticketNotDeleted)
    .orderBy('id')
    .limit(limit)
    .execute() as Promise<IncidentTicket[]>;
}

export interface IncidentCounts {
  tickets: number;
  open: number;
  customers: number;
}

export async function incidentCounts(db: Sql, incidentId: number): Promise<IncidentCounts> {
  const row = await db.kysely
    .selectFrom('tickets')
    .select([
      sql<number>`count(*)::int`.as('tickets'),
      sql<number>`(count(*) filter (where status <> 'resolved'))::int`.as('open'),
      sql<number>`count(distinct coalesce(customer_id::text, lower(requester_email), id::text))::int`.as('customers'),
    ])
    .where('incident_id', '=', incidentId)
    .where(ticketNotDeleted)
    .executeTakeFirstOrThrow();
  return row;
}

/**
 * Whether this actor's reply-to-all request (its key as the audit keeps it) was queued already: the queue's
 * singletonKey does not make it once (pg-boss dedupes by key only under other queue policies). Read under the
 * incident's lock, through the actor's audit index.
 */
export async function incidentReplyRequested(tx: Sql, incidentId: number, actor: string, request: string): Promise<boolean> {
  const row = await tx.kysely
    .selectFrom('audit_entries')
    .select('id')
    .where('actor', '=', actor.slice(0, 255))
    .where('action', '=', 'incident_reply_all')
    .where(sql<boolean>`"before"->>'incident_id' = ${String(incidentId)} and "after"->>'request' = ${request}`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Marks a change the card should show. */
export async function bumpIncident(tx: Sql, incidentId: number): Promise<void> {
  await tx.kysely.updateTable('incidents').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', incidentId).execute();
}

export async function closeIncidentRow(tx: Sql, incidentId: number, actor: string): Promise<void> {
  await tx.kysely
    .updateTable('incidents')
    .set((eb) => ({ closed_at: sql`now()`, closed_by: actor.slice(0, 255), version: eb('version', '+', 1) }))
    .where('id', '=', incidentId)
    .execute();
}

/** Takes the ticket out of the incident (and forgets its signature, so it does not pull others back in). */
export async function takeOutTicket(tx: Sql, incidentId: number, ticketId: number): Promise<boolean> {
  const out = await tx.kysely.updateTable('tickets').set({ incident_id: null }).where('id', '=', ticketId).where('incident_id', '=', incidentId).executeTakeFirst();
  // A ticket that was not in it keeps its signature: a refused take-out changes nothing.
  if (Number(out.numUpdatedRows) === 0) return false;
  await tx.kysely.deleteFrom('ticket_fingerprints').where('ticket_id', '=', ticketId).execute();
  return true;
}

/** The card showed this version (never goes back). */
export async function markIncidentShown(db: Sql, incidentId: number, version: number): Promise<void> {
  await db.kysely.updateTable('incidents').set({ shown_version: sql`greatest(shown_version, ${version})` }).where('id', '=', incidentId).execute();
}

export interface IncidentListRow extends IncidentRow {
  tickets: number;
  open: number;
}

/** Incidents, newest first: open ones only (open: true), closed ones only (open: false), or both; optionally only those opened since a time. */
export async function listIncidents(db: Sql, opts: { open?: boolean; since?: Date; limit: number; offset?: number }): Promise<IncidentListRow[]> {
  let q = db.kysely
    .selectFrom('incidents as i')
    .select(['i.id', 'i.category', 'i.title', 'i.opened_at', 'i.last_joined_at', 'i.closed_at', 'i.closed_by', 'i.version', 'i.shown_version'])
    .select((eb) => [
      eb.selectFrom('tickets').select(sql<number>`count(*)::int`.as('n')).whereRef('tickets.incident_id', '=', 'i.id').where(ticketNotDeleted).as('tickets'),
      eb.selectFrom('tickets').select(sql<number>`count(*)::int`.as('n')).whereRef('tickets.incident_id', '=', 'i.id').where(ticketNotDeleted).where('tickets.status', '<>', 'resolved').as('open'),
    ]);
  if (opts.open !== undefined) q = q.where('i.closed_at', opts.open ? 'is' : 'is not', null);
  if (opts.since) q = q.where('i.opened_at', '>=', opts.since);
  const rows = await q.orderBy('i.id', 'desc').limit(opts.limit).offset(opts.offset ?? 0).execute();
  return rows.map((r) => ({ ...r, tickets: r.tickets ?? 0, open: r.open ?? 0 })) as IncidentListRow[];
}

/** Incidents opened in [from, to) and the tickets they hold now (digest, stats, dashboard); of one category only when given. */
export async function incidentTotals(db: Sql, from: Date, to: Date, category?: Category): Promise<{ incidents: number; tickets: number }> {
  const [row] = await db.query<{ incidents: number; tickets: number }>(
    `select count(distinct i.id)::int as incidents, count(t.id)::int as tickets
       from incidents i left join tickets t on t.incident_id = i.id and t.deleted_at is null
      where i.opened_at >= $1 and i.opened_at < $2 ${category ? 'and i.category = $3' : ''}`,
    category ? [from, to, category] : [from, to],
  );
  return row ?? { incidents: 0, tickets: 0 };
}
