/**
 * The agents table (Slack users, with a cache of users.info) and the assignment history of tickets.
 */
import { sql } from 'kysely';
import type { Agent } from '../../domain/agent.ts';
import type { Sql } from '../sql.ts';

/** Makes sure the agent has a row (the ticket points at it); never overwrites a cached profile. */
export async function ensureAgent(tx: Sql, slackUserId: string): Promise<void> {
  await tx.kysely.insertInto('agents').values({ slack_user_id: slackUserId }).onConflict((oc) => oc.column('slack_user_id').doNothing()).execute();
}

export async function findAgent(db: Sql, slackUserId: string): Promise<(Agent & { lookedUpAt: Date | null }) | null> {
  const row = await db.kysely
    .selectFrom('agents')
    .select(['slack_user_id', 'name', 'email', 'looked_up_at'])
    .where('slack_user_id', '=', slackUserId)
    .executeTakeFirst();
  if (!row) return null;
  return { slackUserId: row.slack_user_id, name: row.name, email: row.email, lookedUpAt: row.looked_up_at ? new Date(row.looked_up_at) : null };
}

/** Stores what users.info answered (the row is created if an assignment has not made it yet). */
export async function saveAgentProfile(db: Sql, agent: Agent): Promise<void> {
  await db.kysely
    .insertInto('agents')
    .values({ slack_user_id: agent.slackUserId, name: agent.name, email: agent.email, looked_up_at: sql<Date>`now()` })
    .onConflict((oc) =>
      oc.column('slack_user_id').doUpdateSet({ name: agent.name, email: agent.email, looked_up_at: sql<Date>`now()`, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

export interface AssignmentRow {
  id: number;
  from: Agent | null;
  to: Agent | null;
  actor: string;
  createdAt: Date;
}

export async function insertAssignment(tx: Sql, a: { ticketId: number; from: string | null; to: string | null; actor: string }): Promise<void> {
  await tx.kysely
    .insertInto('ticket_assignments')
    .values({ ticket_id: a.ticketId, from_slack_user_id: a.from, to_slack_user_id: a.to, actor: a.actor })
    .execute();
}

/** A ticket's assignments, oldest first (each one's `from` is the previous one's `to`). */
export async function listAssignments(db: Sql, ticketId: number): Promise<AssignmentRow[]> {
  const rows = await db.kysely
    .selectFrom('ticket_assignments as a')
    .leftJoin('agents as f', 'f.slack_user_id', 'a.from_slack_user_id')
    .leftJoin('agents as t', 't.slack_user_id', 'a.to_slack_user_id')
    .select([
      'a.id', 'a.from_slack_user_id', 'a.to_slack_user_id', 'a.actor', 'a.created_at',
      'f.name as from_name', 'f.email as from_email', 't.name as to_name', 't.email as to_email',
    ])
    .where('a.ticket_id', '=', ticketId)
    .orderBy('a.id', 'asc')
    .execute();
  const agent = (id: string | null, name: string | null, email: string | null): Agent | null => (id === null ? null : { slackUserId: id, name, email });
  return rows.map((r) => ({
    id: r.id,
    from: agent(r.from_slack_user_id, r.from_name, r.from_email),
    to: agent(r.to_slack_user_id, r.to_name, r.to_email),
    actor: r.actor,
    createdAt: new Date(r.created_at),
  }));
}
