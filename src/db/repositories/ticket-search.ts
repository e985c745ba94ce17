/**
 * Search over tickets (src/domain/search-query.ts says what a query asks for). Substrings go through ILIKE,
 * served by the pg_trgm GIN indexes for patterns of 3 characters or more; words, in any order, through the
 * 'simple' text-search indexes (no stemming: tickets are in many languages). Follow-ups count as the
 * ticket's text. Ranked (the text in the subject, then in the body, then its words elsewhere; ties newest
 * first), paged by keyset on (rank, id), no cap. Addresses and domains use their own expression indexes.
 * The expressions match the indexes of Migration20261206091500_search_indexes exactly.
 */
import { type Expression, expressionBuilder, sql, type SqlBool } from 'kysely';
import type { Category, Priority, Source } from '../../domain/categories.ts';
import type { SearchQuery } from '../../domain/search-query.ts';
import { type DB, type Sql, ticketNotDeleted } from '../sql.ts';

/** Trigrams need three characters; a shorter pattern would scan every row. */
const TRIGRAM_MIN = 3;

/** An ILIKE pattern that matches `text` literally (%, _ and \ escaped; backslash is ILIKE's escape character). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const eb = expressionBuilder<DB, 'tickets'>();

/** Subject or body contains `text`: the substring match of GET /api/v1/requests?q=, indexed by trigrams. */
export function ticketContains(text: string): Expression<SqlBool> {
  const pattern = `%${likeLiteral(text)}%`;
  return eb.or([eb('tickets.subject', 'ilike', pattern), eb('tickets.body', 'ilike', pattern)]);
}

const ticketWords = sql`to_tsvector('simple'::regconfig, coalesce(tickets.subject, '') || ' ' || left(tickets.body, 100000))`;
const messageWords = sql`to_tsvector('simple'::regconfig, left(ticket_messages.body, 100000))`;

export interface SearchHit {
  id: number;
  subject: string | null;
  body: string;
  requesterName: string | null;
  requesterEmail: string | null;
  source: Source;
  status: string;
  category: Category | null;
  priority: Priority | null;
  createdAt: Date;
  rank: number;
}

/** Where a page starts: after this hit in (rank desc, id desc) order. */
export interface SearchCursor {
  rank: number;
  id: number;
}

interface HitRow {
  id: number;
  subject: string | null;
  body: string;
  requester_name: string | null;
  requester_email: string | null;
  source: Source;
  status: string;
  category: Category | null;
  priority: Priority | null;
  created_at: Date | string;
  rank: number | string;
}

/** The predicate and rank of one query; rank is float8 so a cursor round-trips exactly through text. */
function matchOf(q: SearchQuery) {
  switch (q.kind) {
    case 'id':
      return { where: sql`tickets.id = ${q.id}`, rank: sql`0::float8` };
    case 'email':
      return { where: sql`lower(tickets.requester_email) = ${q.email}`, rank: sql`0::float8` };
    case 'domain':
      return { where: sql`split_part(lower(tickets.requester_email), '@', 2) = ${q.domain}`, rank: sql`0::float8` };
    case 'text': {
      // A union of single-index lookups: an OR across tables would make the planner read every ticket, and so
      // would `id in (union)` (a hash join over all tickets, 700 ms at 1,000,000); `= any(array(...))` fetches
      // only the hits by primary key (240 ms for 10,000 hits). One OR within tickets (a BitmapOr) was slower
      // still: every hit's row would be rechecked against each condition, word vector included.
      const words = sql`plainto_tsquery('simple'::regconfig, ${q.text})`;
      const byWords = [
        sql`select tickets.id from tickets where ${ticketWords} @@ ${words}`,
        sql`select ticket_messages.ticket_id from ticket_messages where ${messageWords} @@ ${words}`,
      ];
      if (q.text.length < TRIGRAM_MIN) return { where: sql`tickets.id = any(array(${sql.join(byWords, sql` union `)}))`, rank: sql`0::float8` };
      const pattern = `%${likeLiteral(q.text)}%`;
      const bySubstring = [
        sql`select tickets.id from tickets where tickets.subject ilike ${pattern}`,
        sql`select tickets.id from tickets where tickets.body ilike ${pattern}`,
        sql`select ticket_messages.ticket_id from ticket_messages where ticket_messages.body ilike ${pattern}`,
      ];
      return {
        where: sql`tickets.id = any(array(${sql.join([...byWords, ...bySubstring], sql` union `)}))`,
        // Cheap on purpose: ts_rank would rebuild every hit's word vector (1.6 s for 10,000 hits of 1,000,000).
        rank: sql`(case when tickets.subject ilike ${pattern} then 2 when tickets.body ilike ${pattern} then 1 else 0 end)::float8`,
      };
    }
  }
}

export interface SearchOptions {
  query: SearchQuery;
  after?: SearchCursor | undefined;
  limit: number;
}

/** The statement behind searchTickets (one more row than the page, to know whether another follows); EXPLAIN-able in tests. */
export function searchStatement(opts: SearchOptions) {
  const { where, rank } = matchOf(opts.query);
  const after = opts.after ? sql`where (hit.rank, hit.id) < (${opts.after.rank}::float8, ${opts.after.id})` : sql``;
  return sql<HitRow>`
    select * from (
      select tickets.id, tickets.subject, tickets.body, tickets.requester_name, tickets.requester_email, tickets.source,
        tickets.status, tickets.category, tickets.priority, tickets.created_at, ${rank} as rank
      from tickets
      where ${ticketNotDeleted} and ${where}
    ) hit
    ${after}
    order by hit.rank desc, hit.id desc
    limit ${opts.limit + 1}`;
}

export async function searchTickets(db: Sql, opts: SearchOptions): Promise<{ hits: SearchHit[]; more: boolean }> {
  const { rows } = await searchStatement(opts).execute(db.kysely);
  return {
    hits: rows.slice(0, opts.limit).map((r) => ({
      id: r.id, subject: r.subject, body: r.body, requesterName: r.requester_name, requesterEmail: r.requester_email, source: r.source,
      status: r.status, category: r.category, priority: r.priority, createdAt: new Date(r.created_at), rank: Number(r.rank),
    })),
    more: rows.length > opts.limit,
  };
}
