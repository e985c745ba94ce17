/**
 * Search is served by its indexes, not by reading every ticket: with enough rows for the planner to care, the
 * plan of each query kind names the trigram or word index (a statement about the plan, not about timing).
 */
import test from 'ava';
import { sql } from 'kysely';
import { searchStatement } from '../../src/db/repositories/ticket-search.ts';
import { parseSearchQuery } from '../../src/domain/search-query.ts';
import { migratedDatabase } from '../kit/database.ts';

const ROWS = 20_000;

test('each kind of search query uses the search indexes', async (t) => {
  const db = await migratedDatabase(t);
  await db.sql.query(
    `insert into tickets (source, subject, body, requester_email, status)
     select 'api', 'Subject ' || g, 'Ticket ' || g || ' about ' || md5(g::text) || ' and word' || (g % 1000) || ' on topic' || (g % 20), 'user' || g || '@d' || (g % 400) || '.example', 'open'
     from generate_series(1, ${ROWS}) g`,
  );
  await db.sql.query(`insert into ticket_messages (ticket_id, source, body) select g, 'api', 'Follow-up ' || md5((g * 7)::text) from generate_series(1, ${ROWS}) g`);
  // As autovacuum would: statistics, and the GIN indexes' pending lists merged (a long pending list is costed as such).
  await db.sql.query('vacuum analyze tickets');
  await db.sql.query('vacuum analyze ticket_messages');
  const hash = (await db.sql.query<{ h: string }>(`select md5('777') as h`))[0]!.h;

  const plan = async (text: string) => {
    const statement = searchStatement({ query: parseSearchQuery(text)!, limit: 50 });
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${statement}`.execute(db.sql.kysely);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  };
  const substring = await plan(hash.slice(4, 14));
  t.regex(substring, /Bitmap Index Scan on tickets_body_trgm_idx/);
  t.regex(substring, /Bitmap Index Scan on tickets_words_idx/);
  t.regex(substring, /Bitmap Index Scan on ticket_messages_body_trgm_idx/);
  t.notRegex(substring, /Seq Scan on tickets\b/);
  t.regex(await plan('word417'), /Bitmap Index Scan on tickets_words_idx/);
  // A word in 5% of tickets: the hits are fetched by primary key, not joined against a read of every ticket.
  const frequent = await plan('topic7');
  t.regex(frequent, /Index Scan using tickets_pkey/);
  t.notRegex(frequent, /Seq Scan on tickets\b/);
  t.regex(await plan('User777@D377.example'), /Index Scan (on|using) tickets_requester_email_lower_idx/);
  t.regex(await plan('@d123.example'), /Index Scan (on|using) tickets_requester_domain_idx/);
  t.regex(await plan('#777'), /Index Scan using tickets_pkey/);
  // And what the plan promises, it finds.
  const found = await db.sql.query<{ id: number }>(`select id from tickets where body like $1`, [`%${hash.slice(4, 14)}%`]);
  t.deepEqual(found.map((r) => r.id), [777]);
});
