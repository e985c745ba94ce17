/**
 * The inbox's tab counts under filters are served by tickets_filters_idx: a filter combination that matches
 * nothing must not walk every open ticket (it did through the open-tickets index: 1.4 s at 1,000,000 tickets).
 * A statement about the plan, with enough rows for the planner to care, and about what the counts find.
 */
import test from 'ava';
import { sql } from 'kysely';
import { countStatement, inboxCounts, type InboxTab } from '../../src/db/repositories/console-inbox.ts';
import { migratedDatabase } from '../kit/database.ts';

const ROWS = 20_000;

test('tab counts under category and language filters walk the filters index, and count right', async (t) => {
  const db = await migratedDatabase(t);
  // The benchmark's mix: most resolved, an eighth waiting (g % 8 = 7, so g % 4 = 3: Spanish), German is
  // g % 4 = 1: "waiting, billing, German" matches nothing, the case that walked every open ticket.
  await db.sql.query(
    `insert into tickets (source, subject, body, status, priority, language, category, confidence, classifier, low_confidence, assignee_slack_user_id, created_at)
     select 'api', 'Subject ' || g, 'Body ' || g,
            (array['resolved','resolved','resolved','resolved','resolved','open','acknowledged','waiting_on_customer'])[1 + g % 8],
            'low', (array['en','de','fr','es'])[1 + g % 4], (array['technical','billing','general'])[1 + g % 3], 0.9, 'local', false,
            case when g % 5 = 0 then 'UAGENT' || (g % 20) end, now() - (g * 30 || ' seconds')::interval
       from generate_series(1, ${ROWS}) g`,
  );
  await db.sql.query('vacuum analyze tickets');
  const filter = { category: 'billing' as const, language: 'de' };
  const plan = async (tab: InboxTab) => {
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${countStatement(db.sql, { tab, me: 'UAGENT5', filter })}`.execute(db.sql.kysely);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  };
  const waiting = await plan('waiting');
  t.regex(waiting, /tickets_filters_idx/, waiting);
  t.notRegex(waiting, /tickets_open_created_at_idx|Seq Scan on tickets/, waiting);
  t.regex(await plan('resolved'), /tickets_filters_idx/);

  const counts = await inboxCounts(db.sql, { me: 'UAGENT5', filter });
  t.is(counts.waiting, 0);
  const expected = async (where: string) => Number((await db.sql.query<{ n: string }>(`select count(*) as n from tickets where category = 'billing' and language = 'de' and ${where}`))[0]!.n);
  t.is(counts.resolved, Math.min(1001, await expected(`status = 'resolved'`)));
  t.is(counts.mine, await expected(`status <> 'resolved' and assignee_slack_user_id = 'UAGENT5'`));
  t.true(counts.mine > 0);
});
