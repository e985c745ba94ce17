/**
 * The operator console's inbox (src/console/inbox.ts): its tabs as predicates, one page of a tab in keyset
 * order (created_at desc, id desc; never OFFSET), and every tab's count under the same filters, capped.
 */
import { type Expression, expressionBuilder, sql, type SqlBool } from 'kysely';
import type { Category, Priority, Source } from '../../domain/categories.ts';
import { type DB, type Sql, ticketNotDeleted } from '../sql.ts';

export const INBOX_TABS = ['needs_first_reply', 'mine', 'unassigned', 'breaching_soon', 'snoozed', 'low_confidence', 'waiting', 'resolved'] as const;
export type InboxTab = (typeof INBOX_TABS)[number];

export interface InboxFilter {
  category?: Category | undefined;
  priority?: Priority | undefined;
  language?: string | undefined;
  source?: Source | undefined;
  /** A Slack user id, or null: nobody. */
  assignee?: string | null | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

export interface InboxRow {
  id: number;
  subject: string | null;
  body: string;
  requesterName: string | null;
  requesterEmail: string | null;
  source: Source;
  status: string;
  category: Category | null;
  confidence: number | null;
  classifier: string | null;
  priority: Priority | null;
  assignee: string | null;
  assigneeName: string | null;
  snoozedUntil: Date | null;
  snoozed: boolean;
  /** This row as a page's starting point. */
  cursor: InboxCursor;
  /** The SLA clock that runs out first (first response, else resolution); null: none running. */
  dueAt: Date | null;
  createdAt: Date;
}

/** Where a page starts: after this ticket in keyset order. createdAt is ISO text to the microsecond (a Date would lose them and skip rows). */
export interface InboxCursor {
  createdAt: string;
  id: number;
}

const eb = expressionBuilder<DB, 'tickets'>();
const open = eb('tickets.status', '<>', 'resolved');
const notSnoozed = eb('tickets.snoozed_since', 'is', null);

/** "Breaching soon": an SLA clock runs out within this window (or already has). */
const BREACHING_WINDOW = sql`interval '1 hour'`;

function tabPredicate(tab: InboxTab, me: string): Expression<SqlBool> {
  switch (tab) {
    case 'needs_first_reply':
      return eb.and([open, notSnoozed, eb('tickets.status', '<>', 'waiting_on_customer'), sql<SqlBool>`not exists (select 1 from ticket_replies r where r.ticket_id = tickets.id)`]);
    case 'mine':
      return eb.and([open, eb('tickets.assignee_slack_user_id', '=', me)]);
    case 'unassigned':
      return eb.and([open, notSnoozed, eb('tickets.assignee_slack_user_id', 'is', null)]);
    case 'breaching_soon':
      return eb.and([open, notSnoozed, sql<SqlBool>`exists (select 1 from ticket_slas s where s.ticket_id = tickets.id and (
        (s.first_responded_at is null and s.first_response_due_at < now() + ${BREACHING_WINDOW})
        or (s.resolved_at is null and s.paused_since is null and s.resolution_due_at < now() + ${BREACHING_WINDOW})))`]);
    case 'snoozed':
      return eb.and([open, eb('tickets.snoozed_since', 'is not', null)]);
    case 'low_confidence':
      return eb.and([open, eb('tickets.low_confidence', '=', true), eb('tickets.classifier', '<>', 'human')]);
    case 'waiting':
      return eb('tickets.status', '=', 'waiting_on_customer');
    case 'resolved':
      return eb('tickets.status', '=', 'resolved');
  }
}

function filterPredicates(f: InboxFilter): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [ticketNotDeleted];
  if (f.category) where.push(eb('tickets.category', '=', f.category));
  if (f.priority) where.push(eb('tickets.priority', '=', f.priority));
  if (f.language) where.push(eb('tickets.language', '=', f.language));
  if (f.source) where.push(eb('tickets.source', '=', f.source));
  if (f.assignee !== undefined) where.push(eb('tickets.assignee_slack_user_id', f.assignee === null ? 'is' : '=', f.assignee));
  if (f.since) where.push(eb('tickets.created_at', '>=', f.since));
  if (f.until) where.push(eb('tickets.created_at', '<', f.until));
  return where;
}

/** One page of a tab, newest first; `more` says whether another page follows. */
export async function inboxPage(db: Sql, q: { tab: InboxTab; me: string; filter: InboxFilter; after?: InboxCursor | undefined; limit: number }): Promise<{ rows: InboxRow[]; more: boolean }> {
  const where = [...filterPredicates(q.filter), tabPredicate(q.tab, q.me)];
  if (q.after) where.push(sql<SqlBool>`(tickets.created_at, tickets.id) < (${q.after.createdAt}::timestamptz, ${q.after.id})`);
  const rows = await db.kysely
    .selectFrom('tickets')
    .leftJoin('agents', 'agents.slack_user_id', 'tickets.assignee_slack_user_id')
    .leftJoin('ticket_slas', 'ticket_slas.ticket_id', 'tickets.id')
    .select([
      'tickets.id', 'tickets.subject', 'tickets.body', 'tickets.requester_name', 'tickets.requester_email', 'tickets.source', 'tickets.status',
      'tickets.category', 'tickets.confidence', 'tickets.classifier', 'tickets.priority', 'tickets.assignee_slack_user_id', 'agents.name as assignee_name',
      'tickets.snoozed_since', 'tickets.snoozed_until', 'tickets.created_at',
      sql<string>`to_char(tickets.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_at_text'),
      sql<Date | string | null>`case when ticket_slas.first_responded_at is null then ticket_slas.first_response_due_at
        when ticket_slas.resolved_at is null and ticket_slas.paused_since is null then ticket_slas.resolution_due_at end`.as('due_at'),
    ])
    .where((w) => w.and(where))
    .orderBy('tickets.created_at', 'desc')
    .orderBy('tickets.id', 'desc')
    .limit(q.limit + 1)
    .execute();
  return {
    more: rows.length > q.limit,
    rows: rows.slice(0, q.limit).map((r) => ({
      id: r.id,
      subject: r.subject,
      body: r.body,
      requesterName: r.requester_name,
      requesterEmail: r.requester_email,
      source: r.source,
      status: r.status,
      category: r.category,
      confidence: r.confidence,
      classifier: r.classifier,
      priority: r.priority,
      assignee: r.assignee_slack_user_id,
      assigneeName: r.assignee_name,
      snoozed: r.snoozed_since !== null,
      snoozedUntil: r.snoozed_until === null ? null : new Date(r.snoozed_until),
      dueAt: r.due_at === null ? null : new Date(r.due_at),
      createdAt: new Date(r.created_at),
      cursor: { createdAt: r.created_at_text, id: r.id },
    })),
  };
}

/** Counts stop here: "1000+" says enough, and each count stays a bounded walk over an index. */
export const COUNT_CAP = 1000;

/** One tab's capped count under the filters, as a statement (the plan tests explain it). */
export function countStatement(db: Sql, q: { tab: InboxTab; me: string; filter: InboxFilter }) {
  return db.kysely
    .selectFrom((s) => s.selectFrom('tickets').select(sql`1`.as('one')).where((w) => w.and([...filterPredicates(q.filter), tabPredicate(q.tab, q.me)])).limit(COUNT_CAP + 1).as('capped'))
    .select((s) => s.fn.countAll<string>().as('n'));
}

/** Every tab's count under the filters, each capped at COUNT_CAP (one small query per tab). */
export async function inboxCounts(db: Sql, q: { me: string; filter: InboxFilter }): Promise<Record<InboxTab, number>> {
  const counts = await Promise.all(
    INBOX_TABS.map(async (tab) => {
      const row = await countStatement(db, { tab, me: q.me, filter: q.filter }).executeTakeFirstOrThrow();
      return [tab, Number(row.n)] as const;
    }),
  );
  return Object.fromEntries(counts) as Record<InboxTab, number>;
}

/** The Slack card of a ticket (its first alert), for a link from the console. */
export async function ticketCardPost(db: Sql, ticketId: number): Promise<{ channel: string; ts: string } | null> {
  const row = await db.kysely
    .selectFrom('slack_posts')
    .select(['channel', 'ts'])
    .where('ticket_id', '=', ticketId)
    .where('key', '=', `alert:${ticketId}`)
    .where('ts', '<>', '')
    .executeTakeFirst();
  return row ?? null;
}

/** The SLA warnings and breaches emitted for a ticket. */
export async function ticketSlaEvents(db: Sql, ticketId: number): Promise<{ kind: string; dueAt: Date; at: Date }[]> {
  const rows = await db.kysely.selectFrom('sla_events').select(['kind', 'due_at', 'created_at']).where('ticket_id', '=', ticketId).execute();
  return rows.map((r) => ({ kind: r.kind, dueAt: new Date(r.due_at), at: new Date(r.created_at) }));
}


/** The Slack cards of several tickets at once (the App Home lists link each ticket's card). */
export async function ticketCardPosts(db: Sql, ticketIds: number[]): Promise<Map<number, { channel: string; ts: string }>> {
  if (ticketIds.length === 0) return new Map();
  const rows = await db.kysely
    .selectFrom('slack_posts')
    .select(['ticket_id', 'channel', 'ts'])
    .where('ticket_id', 'in', ticketIds)
    .where('key', 'in', ticketIds.map((id) => `alert:${id}`))
    .where('ts', '<>', '')
    .execute();
  return new Map(rows.filter((r) => r.ticket_id !== null).map((r) => [r.ticket_id as number, { channel: r.channel, ts: r.ts }]));
}
