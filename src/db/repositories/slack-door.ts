/**
 * What the Slack door asks of the stored tickets. A Slack message is keyed `CHANNEL/TS` (tickets.external_id
 * of the message that opened a ticket, ticket_messages.external_id of a follow-up, ticket_replies.request_key
 * `slack:CHANNEL/TS` of a teammate's answer in the thread); a ticket's metadata holds the Slack channel and
 * author (`slack_channel`, `slack_user`) so it can be grouped and linked.
 */
import { sql } from 'kysely';
import type { Sql } from '../sql.ts';

/** The key of the ticket a Slack message belongs to: the ticket it opened, or the one it was stored on. */
export async function slackTicketKeyOf(db: Sql, messageKey: string): Promise<{ ticketId: number; key: string } | undefined> {
  const own = await db.kysely
    .selectFrom('tickets').select(['id', 'external_id'])
    .where('source', '=', 'slack').where('external_id', '=', messageKey).where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (own) return { ticketId: own.id, key: own.external_id! };
  const joined = await db.kysely
    .selectFrom('ticket_messages as m').innerJoin('tickets as t', 't.id', 'm.ticket_id')
    .select(['t.id', 't.external_id'])
    .where('m.source', '=', 'slack').where('m.external_id', '=', messageKey).where('t.deleted_at', 'is', null)
    .executeTakeFirst();
  return joined?.external_id ? { ticketId: joined.id, key: joined.external_id } : undefined;
}

/** The author's open Slack ticket in this channel with activity in the last `minutes`, newest first. */
export async function openSlackTicketOfAuthor(db: Sql, channel: string, user: string, minutes: number): Promise<{ ticketId: number; key: string } | undefined> {
  if (minutes <= 0) return undefined;
  const row = await db.kysely
    .selectFrom('tickets').select(['id', 'external_id'])
    .where('source', '=', 'slack')
    .where(sql<boolean>`metadata->>'slack_channel' = ${channel} and metadata->>'slack_user' = ${user}`)
    .where('status', '<>', 'resolved').where('deleted_at', 'is', null)
    .where(sql<boolean>`updated_at > now() - make_interval(mins => ${minutes})`)
    .orderBy('updated_at', 'desc').limit(1)
    .executeTakeFirst();
  return row?.external_id ? { ticketId: row.id, key: row.external_id } : undefined;
}

/**
 * A Slack message edited or deleted: the ticket's (or follow-up's) copy takes the new text, the old one is
 * appended to metadata.edits. Returns the ticket, or undefined when we hold no copy of the message.
 */
export async function reviseSlackMessage(tx: Sql, messageKey: string, revision: { body: string; deleted: boolean; at: Date }): Promise<number | undefined> {
  const entry = (column: string) =>
    sql`coalesce(metadata, '{}'::jsonb) || jsonb_build_object('edits', coalesce(metadata->'edits', '[]'::jsonb) || jsonb_build_array(jsonb_build_object('body', ${sql.ref(column)}, 'replaced_at', ${revision.at.toISOString()}::text, 'deleted', ${revision.deleted}::boolean)))`;
  const ticket = await tx.kysely
    .updateTable('tickets')
    .set({ body: revision.body, metadata: entry('body') as never, updated_at: sql<Date>`now()` })
    .where('source', '=', 'slack').where('external_id', '=', messageKey).where('body', '<>', revision.body)
    .returning('id').executeTakeFirst();
  if (ticket) return ticket.id;
  const message = await tx.kysely
    .updateTable('ticket_messages')
    .set({ body: revision.body, metadata: entry('body') as never })
    .where('source', '=', 'slack').where('external_id', '=', messageKey).where('body', '<>', revision.body)
    .returning('ticket_id').executeTakeFirst();
  return message?.ticket_id;
}

/** The newest Slack message ts stored from `channel` (tickets, follow-ups, teammates' answers), or undefined. */
export async function lastStoredSlackTs(db: Sql, channel: string): Promise<string | undefined> {
  const prefix = `${channel}/%`;
  const { rows } = await sql<{ ts: string | null }>`
    select max(ts) as ts from (
      select split_part(external_id, '/', 2)::numeric as ts from tickets where source = 'slack' and external_id like ${prefix}
      union all
      select split_part(external_id, '/', 2)::numeric from ticket_messages where source = 'slack' and external_id like ${prefix}
      union all
      select split_part(request_key, '/', 2)::numeric from ticket_replies where request_key like ${`slack:${prefix}`}
    ) s`.execute(db.kysely);
  const ts = rows[0]?.ts;
  return ts === null || ts === undefined ? undefined : String(ts);
}

/** Thread roots (`TS` of keys `CHANNEL/TS`) of the channel's Slack tickets that are not resolved. */
export async function openSlackThreads(db: Sql, channel: string, limit = 200): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom('tickets').select('external_id')
    .where('source', '=', 'slack').where('external_id', 'like', `${channel}/%`)
    .where('status', '<>', 'resolved').where('deleted_at', 'is', null)
    .orderBy('updated_at', 'desc').limit(limit).execute();
  return rows.map((r) => r.external_id!.slice(channel.length + 1));
}
