/**
 * Incidents and the signatures they are found by (the rules: src/ingest/incident-grouping.ts and
 * src/ingest/incident-actions.ts). Grouping in one category runs under a transaction-scoped advisory lock, so
 * two instances classifying the same flood at once open one incident, not two.
 */
import { sql } from 'kysely';
import type { Category } from '../../domain/categories.ts';
import { jsonb, ticketNotDeleted, type Sql } from '../sql.ts';
import type { KeptSignature } from '../entities/incident.ts';

/** Signatures an incident keeps of its latest tickets. */
export const KEPT_MINHASHES = 20;

export interface Candidate {
  /** null: a signature an open incident keeps (its ticket may be older than the window): keptFor is its ticket. */
  ticketId: number | null;
  keptFor?: number;
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

export interface RecentFingerprint {
  ticketId: number;
  minhash: number[];
  /** created_at as PostgreSQL prints it (microseconds kept), and in ms. */
  at: string;
  atMs: number;
}

/**
 * The category's signatures stored within the window, after `after` (a created_at printed by PostgreSQL) when
 * given: the latest `limit`, oldest first. Called under the category's grouping lock, and signatures are stored
 * under it with clock_timestamp(), so created_at follows the order of commits: nothing committed is skipped.
 */
export async function fingerprintsAfter(tx: Sql, category: Category, since: Date, after: string | null, limit: number): Promise<RecentFingerprint[]> {
  const rows = await tx.query<{ ticket_id: number; minhash: number[]; at: string; at_ms: string | number }>(
    `select ticket_id, minhash, created_at::text as at, (extract(epoch from created_at) * 1000)::float8 as at_ms from ticket_fingerprints
      where category = $1 and created_at > $2 and ($3::text is null or created_at > $3::timestamptz) order by created_at desc limit $4`,
    [category, since, after, limit],
  );
  return rows.reverse().map((r) => ({ ticketId: r.ticket_id, minhash: r.minhash, at: r.at, atMs: Number(r.at_ms) }));
}

/** The signatures the category's open incidents keep. */
export async function keptSignatures(tx: Sql, category: Category): Promise<Candidate[]> {
  const open = await tx.kysely.selectFrom('incidents').select(['id', 'minhashes']).where('category', '=', category).where('closed_at', 'is', null).execute();
  return open.flatMap((i) => i.minhashes.map((k) => ({ ticketId: null, keptFor: k.ticket, minhash: k.minhash, incidentId: i.id, open: true })));
}

/** Where these tickets stand: their incident and whether it is open; a ticket whose signature is gone (taken out, erased) is missing. */
export async function candidateStatuses(tx: Sql, ticketIds: number[]): Promise<Map<number, { incidentId: number | null; open: boolean }>> {
  if (!ticketIds.length) return new Map();
  const rows = await tx.query<{ id: number; incident_id: number | null; open: boolean }>(
    `select t.id, t.incident_id, (t.incident_id is not null and i.closed_at is null) as open
       from tickets t join ticket_fingerprints f on f.ticket_id = t.id left join incidents i on i.id = t.incident_id
      where t.id = any($1::int[])`,
    [ticketIds],
  );
  return new Map(rows.map((r) => [r.id, { incidentId: r.incident_id, open: r.open }]));
}

/** The batch's signatures with the incident each was shown on, in one statement, dated by the clock (see fingerprintsAfter). */
export async function insertFingerprints(tx: Sql, rows: { ticketId: number; category: Category; minhash: number[]; shownOnIncidentId: number | null }[]): Promise<void> {
  if (!rows.length) return;
  await tx.query(
    `insert into ticket_fingerprints (ticket_id, category, minhash, shown_on_incident_id, created_at)
     select id, category, minhash, shown_on, clock_timestamp() from unnest($1::int[], $2::text[], $3::jsonb[], $4::int[]) as u(id, category, minhash, shown_on)
     on conflict (ticket_id) do update set category = excluded.category, minhash = excluded.minhash, shown_on_incident_id = excluded.shown_on_incident_id,
       created_at = excluded.created_at`,
    [rows.map((r) => r.ticketId), rows.map((r) => r.category), rows.map((r) => JSON.stringify(r.minhash)), rows.map((r) => r.shownOnIncidentId)],
  );
}

export interface EarlierGrouping {
  /** The incident whose card showed it (null: its own card). */
  shownOnIncidentId: number | null;
  /** The incident it is in now (a person may have taken it out since). */
  incidentId: number | null;
  /** It opened that incident. */
  opened: boolean;
}

/** Which of these tickets were grouped before (their signature is stored), and how. */
export async function earlierGroupings(tx: Sql, ticketIds: number[]): Promise<Map<number, EarlierGrouping>> {
  if (!ticketIds.length) return new Map();
  const rows = await tx.query<{ id: number; shown_on_incident_id: number | null; incident_id: number | null; opened: boolean }>(
    `select t.id, f.shown_on_incident_id, t.incident_id, coalesce(i.title_ticket_id = t.id, false) as opened
       from ticket_fingerprints f join tickets t on t.id = f.ticket_id left join incidents i on i.id = t.incident_id
      where f.ticket_id = any($1::int[])`,
    [ticketIds],
  );
  return new Map(rows.map((r) => [r.id, { shownOnIncidentId: r.shown_on_incident_id, incidentId: r.incident_id, opened: r.opened }]));
}

/** Signatures older than the window: incidents keep their own. */
export async function pruneFingerprints(tx: Sql, category: Category, before: Date): Promise<void> {
  await tx.kysely.deleteFrom('ticket_fingerprints').where('category', '=', category).where('created_at', '<', before).execute();
}

/** A new incident with these tickets (the earlier ones keep their cards); returns its id. */
export async function openIncident(tx: Sql, input: { category: Category; title: string; titleTicketId: number; ticketIds: number[]; minhashes: KeptSignature[] }): Promise<number> {
  const row = await tx.kysely
    .insertInto('incidents')
    .values({ category: input.category, title: input.title.slice(0, 255), title_ticket_id: input.titleTicketId, minhashes: jsonb(input.minhashes.slice(-KEPT_MINHASHES)) as never })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.kysely.updateTable('tickets').set({ incident_id: row.id }).where('id', 'in', input.ticketIds).execute();
  return row.id;
}

/** The tickets join the incident, which now keeps `minhashes` (the caller's, under the grouping lock) and shows them. */
export async function joinIncident(tx: Sql, incidentId: number, ticketIds: number[], minhashes: KeptSignature[]): Promise<void> {
  await tx.kysely.updateTable('tickets').set({ incident_id: incidentId }).where('id', 'in', ticketIds).execute();
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

/** The incident's tickets (not deleted), oldest first: all, or only the `latest` ones. */
export async function incidentTickets(db: Sql, incidentId: number, opts: { latest?: number } = {}): Promise<IncidentTicket[]> {
  let q = db.kysely
    .selectFrom('tickets')
    .select(['id', 'status', 'subject', 'requester_name', 'requester_email', 'created_at'])
    .where('incident_id', '=', incidentId)
    .where(ticketNotDeleted)
    .orderBy('id', 'desc');
  if (opts.latest !== undefined) q = q.limit(opts.latest);
  return ((await q.execute()) as IncidentTicket[]).reverse();
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

/** Takes the ticket out of the incident (and forgets its signature, here and in the incident's kept ones, so it pulls no one in). */
export async function takeOutTicket(tx: Sql, incidentId: number, ticketId: number): Promise<boolean> {
  const out = await tx.kysely.updateTable('tickets').set({ incident_id: null }).where('id', '=', ticketId).where('incident_id', '=', incidentId).executeTakeFirst();
  // A ticket that was not in it keeps its signature: a refused take-out changes nothing.
  if (Number(out.numUpdatedRows) === 0) return false;
  await tx.kysely.deleteFrom('ticket_fingerprints').where('ticket_id', '=', ticketId).execute();
  await tx.query(
    `update incidents set minhashes = (select coalesce(jsonb_agg(k order by n), '[]'::jsonb) from jsonb_array_elements(minhashes) with ordinality as e(k, n)
      where (k->>'ticket')::int <> $2) where id = $1`,
    [incidentId, ticketId],
  );
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
