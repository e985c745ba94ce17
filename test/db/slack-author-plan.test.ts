/**
 * The Slack door groups a customer's next message into their open ticket of the channel (openSlackTicketOfAuthor,
 * on every Slack message): with many tickets that must be an index lookup, not a scan of the tickets' metadata.
 * A statement about the plan, with enough rows for the planner to care, and about what the lookup finds.
 */
import test from 'ava';
import { openSlackTicketOfAuthor } from '../../src/db/repositories/slack-door.ts';
import { migratedDatabase } from '../kit/database.ts';

const ROWS = 20_000;

test("an author's open Slack ticket in a channel is found through tickets_slack_author_idx, and is the right one", async (t) => {
  const db = await migratedDatabase(t);
  // Mostly mail and REST; a tenth from Slack over 50 channels and 400 authors, most of them resolved.
  await db.sql.query(
    `insert into tickets (source, external_id, subject, body, status, priority, metadata, updated_at, created_at)
     select case when g % 10 = 0 then 'slack' else 'api' end, case when g % 10 = 0 then 'C' || (g % 50) || '/' || g end,
            'Subject ' || g, 'Body ' || g, case when g % 7 = 0 then 'open' else 'resolved' end, 'low',
            case when g % 10 = 0 then jsonb_build_object('slack_channel', 'C' || (g % 50), 'slack_user', 'U' || (g % 400)) else '{}'::jsonb end,
            now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
       from generate_series(1, ${ROWS}) g`,
  );
  await db.sql.query('vacuum analyze tickets');
  const rows = await db.sql.query<{ 'QUERY PLAN': string }>(
    `explain select id from tickets where source = 'slack' and metadata->>'slack_channel' = $1 and metadata->>'slack_user' = $2
       and status <> 'resolved' and deleted_at is null and updated_at > now() - make_interval(mins => 30) order by updated_at desc limit 1`,
    ['C20', 'U70'],
  );
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
  t.regex(plan, /tickets_slack_author_idx/, plan);
  t.notRegex(plan, /Seq Scan on tickets/, plan);

  // C20's author U70: g = 70 (mod 400, 50 and 10), open as g % 7 = 0: the newest, updated 70 s ago.
  const newest = await db.sql.query<{ id: number }>(
    `select id from tickets where source = 'slack' and metadata->>'slack_channel' = 'C20' and metadata->>'slack_user' = 'U70' and status <> 'resolved' order by updated_at desc limit 1`,
  );
  const found = await openSlackTicketOfAuthor(db.sql, 'C20', 'U70', 30);
  t.is(found?.ticketId, newest[0]!.id);
  t.is(found?.key, 'C20/70');
  t.is(await openSlackTicketOfAuthor(db.sql, 'C20', 'U70', 1), undefined, 'older than the window: a new ticket');
  t.is(await openSlackTicketOfAuthor(db.sql, 'C21', 'U70', 30), undefined, 'another channel');
});
