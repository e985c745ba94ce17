/**
 * Waiting lists (src/slack/jobs/waiting-list.ts): a channel's alerts still on their way to Slack (their
 * slack_posts row has no ts yet: reserved or being posted), and the lists that name the ones far back in the
 * line. Alerts go out in about ticket order, so a ticket's place among its channel's waiting alerts is roughly
 * how many seconds its card will take.
 */
import type { Sql } from '../sql.ts';

/** How long lists are kept and looked at (a ticket listed within it is not listed again). */
const KEPT = "interval '1 day'";

/** True when more than `ahead` alerts of the channel are waiting to be posted. */
export async function moreAlertsWaiting(tx: Sql, channel: string, ahead: number): Promise<boolean> {
  const [row] = await tx.query<{ n: number }>(
    `select count(*)::int as n from (select 1 from slack_posts where channel = $1 and ts = '' and key like 'alert:%' limit $2) w`,
    [channel, ahead + 1],
  );
  return (row?.n ?? 0) > ahead;
}

/**
 * Lists the channel's waiting alerts behind the first `ahead` that no list names yet, `perList` to a list,
 * under the channel's lock (two instances never list a ticket twice). Returns how many lists it made.
 */
export async function listWaitingAlerts(tx: Sql, channel: string, ahead: number, perList: number): Promise<number> {
  await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`waiting-list:${channel}`]);
  const rows = await tx.query<{ ticket_id: number }>(
    `with listed as (
       select distinct (jsonb_array_elements(ticket_ids))::int as id from slack_waiting_lists where channel = $1 and created_at > now() - ${KEPT}
     )
     select w.ticket_id from (
       select ticket_id from slack_posts where channel = $1 and ts = '' and key like 'alert:%' order by ticket_id offset $2
     ) w where not exists (select 1 from listed where listed.id = w.ticket_id)
     order by w.ticket_id`,
    [channel, ahead],
  );
  const ids = rows.map((r) => r.ticket_id);
  const lists: number[][] = [];
  for (let i = 0; i < ids.length; i += perList) lists.push(ids.slice(i, i + perList));
  if (!lists.length) return 0;
  await tx.query(
    `insert into slack_waiting_lists (channel, ticket_ids) select $1, l from unnest($2::jsonb[]) as l`,
    [channel, lists.map((l) => JSON.stringify(l))],
  );
  return lists.length;
}

/** The channel's lists not posted yet under `keyPrefix` + id (oldest first); lists past keeping are forgotten here. */
export async function unpostedWaitingLists(sql: Sql, channel: string, keyPrefix: string): Promise<{ id: number; ticketIds: number[]; createdAt: Date }[]> {
  await sql.query(`delete from slack_waiting_lists where created_at < now() - ${KEPT}`);
  const rows = await sql.query<{ id: number; ticket_ids: number[]; created_at: Date }>(
    `select l.id, l.ticket_ids, l.created_at from slack_waiting_lists l
      where l.channel = $1 and not exists (select 1 from slack_posts p where p.key = $2 || l.id and p.ts <> '')
      order by l.id`,
    [channel, keyPrefix],
  );
  return rows.map((r) => ({ id: r.id, ticketIds: r.ticket_ids, createdAt: new Date(r.created_at) }));
}

/** A list with nothing left to show (every card came first): not looked at again. */
export async function forgetWaitingList(sql: Sql, id: number): Promise<void> {
  await sql.query('delete from slack_waiting_lists where id = $1', [id]);
}

export interface WaitingLine {
  id: number;
  priority: string | null;
  category: string | null;
  createdAt: Date;
}

/** What a list shows of its tickets: those whose own card is not in Slack yet, in ticket order. */
export async function waitingLines(sql: Sql, ticketIds: number[]): Promise<WaitingLine[]> {
  const rows = await sql.query<{ id: number; priority: string | null; category: string | null; created_at: Date }>(
    `select t.id, t.priority, t.category, t.created_at from tickets t
      where t.id = any($1::int[]) and not exists (select 1 from slack_posts p where p.key = 'alert:' || t.id and p.ts <> '')
      order by t.id`,
    [ticketIds],
  );
  return rows.map((r) => ({ id: r.id, priority: r.priority, category: r.category, createdAt: new Date(r.created_at) }));
}
