/**
 * The card's customer lines (customerContext) on every card and ticket page: for a customer with many open
 * tickets (an integration address), the open count must read the customer's own open tickets, not walk every
 * open ticket of the team filtering by customer (541 ms at 1,000,000 tickets before tickets_customer_open_idx).
 * A statement about the plan, with enough rows for the planner to care, and about the numbers the lookup gives.
 */
import test from 'ava';
import { customerContext } from '../../src/db/repositories/customer-context.ts';
import { migratedDatabase } from '../kit/database.ts';

const ROWS = 40_000;

test("a heavy customer's open tickets are counted through tickets_customer_open_idx, and rightly", async (t) => {
  const db = await migratedDatabase(t);
  await db.sql.query(`insert into customers (name) select 'Person ' || g from generate_series(1, 2001) g`);
  // 2,000 customers with ~19 tickets each, one (2001) with every 20th ticket; a third of all tickets open.
  await db.sql.query(
    `insert into tickets (source, subject, body, customer_id, status, created_at, updated_at)
     select 'api', 'Subject ' || (g % 50), 'Body ' || g, case when g % 20 = 0 then 2001 else 1 + g % 2000 end,
            case when (g + g / 20) % 3 = 0 then 'open' else 'resolved' end, now() - (g || ' minutes')::interval, now()
       from generate_series(1, ${ROWS}) g`,
  );
  await db.sql.query('vacuum analyze tickets');
  const rows = await db.sql.query<{ 'QUERY PLAN': string }>(
    `explain select count(*) from tickets where customer_id = 2001 and deleted_at is null and status <> 'resolved'`,
  );
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
  t.regex(plan, /tickets_customer_open_idx/, plan);

  const [expected] = await db.sql.query<{ n: number }>(`select count(*)::int as n from tickets where customer_id = 2001 and status <> 'resolved'`);
  const [newest] = await db.sql.query<{ id: number; subject: string }>(`select id, subject from tickets where customer_id = 2001 order by created_at desc limit 1`);
  const context = await customerContext(db.sql, { id: newest!.id, customerId: 2001, subject: newest!.subject }, 30);
  t.is(context.openTickets, expected!.n);
  t.is(context.recent.length, 5);
  t.true(context.related.every((r) => r.similarity >= 0.3 && r.id !== newest!.id));
});
