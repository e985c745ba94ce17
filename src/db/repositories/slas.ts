/**
 * SLA clocks per ticket (ticket_slas) and the warnings and breaches emitted (sla_events), the storage side
 * of src/sla/. The event row is the claim: inserted once per (ticket, kind), in the transaction that enqueues
 * its Slack post, so however many instances scan, each event is posted once.
 */
import type { Category, Priority, TicketStatus } from '../../domain/categories.ts';
import type { SlaEventKind } from '../../domain/sla.ts';
import { utcDay } from '../../lib/utc-day.ts';
import { type Sql, ticketNotDeleted } from '../sql.ts';

export interface SlaRow {
  ticketId: number;
  priority: Priority | null;
  category: Category | null;
  startedAt: Date;
  firstResponseWarnAt: Date | null;
  firstResponseDueAt: Date | null;
  firstRespondedAt: Date | null;
  resolutionWarnAt: Date | null;
  resolutionDueAt: Date | null;
  resolvedAt: Date | null;
  pausedSince: Date | null;
  pauses: [number, number][];
  snoozedSince: Date | null;
  snoozedUntil: Date | null;
  snoozes: [number, number][];
  nextEventAt: Date | null;
  /** Business minutes each clock ran until it stopped (domain/sla.ts clockMinutes); null while it runs. */
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
}

const COLUMNS = [
  'ticket_id', 'priority', 'category', 'started_at', 'first_response_warn_at', 'first_response_due_at', 'first_responded_at',
  'resolution_warn_at', 'resolution_due_at', 'resolved_at', 'paused_since', 'pauses', 'snoozed_since', 'snoozed_until', 'snoozes',
  'next_event_at', 'first_response_minutes', 'resolution_minutes',
] as const;

const JSON_COLUMNS: ReadonlySet<string> = new Set(['pauses', 'snoozes']);
const spans = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as [number, number][];

type Raw = { [K in (typeof COLUMNS)[number]]: unknown };

/** Timestamps arrive as Date or as text, depending on the driver. */
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string | Date));

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const toRow = (r: Raw): SlaRow => ({
  ticketId: r.ticket_id as number,
  priority: r.priority as Priority | null,
  category: r.category as Category | null,
  startedAt: date(r.started_at)!,
  firstResponseWarnAt: date(r.first_response_warn_at),
  firstResponseDueAt: date(r.first_response_due_at),
  firstRespondedAt: date(r.first_responded_at),
  resolutionWarnAt: date(r.resolution_warn_at),
  resolutionDueAt: date(r.resolution_due_at),
  resolvedAt: date(r.resolved_at),
  pausedSince: date(r.paused_since),
  pauses: spans(r.pauses),
  snoozedSince: date(r.snoozed_since),
  snoozedUntil: date(r.snoozed_until),
  snoozes: spans(r.snoozes),
  nextEventAt: date(r.next_event_at),
  firstResponseMinutes: num(r.first_response_minutes),
  resolutionMinutes: num(r.resolution_minutes),
});

/** What the clocks need of the ticket; null when it does not exist or was deleted. */
export async function slaTicketFacts(tx: Sql, ticketId: number): Promise<SlaTicketFacts | null> {
  const row = await tx.kysely
    .selectFrom('tickets').select(['priority', 'category', 'status', 'created_at', 'snoozed_since', 'snoozed_until'])
    .where('id', '=', ticketId).where(ticketNotDeleted).executeTakeFirst();
  return row
    ? {
        priority: row.priority as Priority | null, category: row.category as Category | null, status: row.status as TicketStatus, createdAt: new Date(row.created_at),
        snoozedSince: date(row.snoozed_since), snoozedUntil: date(row.snoozed_until),
      }
    : null;
}

export interface SlaTicketFacts {
  priority: Priority | null;
  category: Category | null;
  status: TicketStatus;
  createdAt: Date;
  snoozedSince: Date | null;
  snoozedUntil: Date | null;
}

/** The ticket's clocks, locked for this transaction. */
export async function lockSla(tx: Sql, ticketId: number): Promise<SlaRow | null> {
  const [row] = await tx.query<Raw>(`select ${COLUMNS.join(', ')} from ticket_slas where ticket_id = $1 for update`, [ticketId]);
  return row ? toRow(row) : null;
}

export async function findSla(db: Sql, ticketId: number): Promise<SlaRow | null> {
  const [row] = await db.query<Raw>(`select ${COLUMNS.join(', ')} from ticket_slas where ticket_id = $1`, [ticketId]);
  return row ? toRow(row) : null;
}

export async function saveSla(tx: Sql, s: SlaRow): Promise<void> {
  const values = [
    s.ticketId, s.priority, s.category, s.startedAt, s.firstResponseWarnAt, s.firstResponseDueAt, s.firstRespondedAt,
    s.resolutionWarnAt, s.resolutionDueAt, s.resolvedAt, s.pausedSince, JSON.stringify(s.pauses), s.snoozedSince, s.snoozedUntil,
    JSON.stringify(s.snoozes), s.nextEventAt, s.firstResponseMinutes, s.resolutionMinutes,
  ];
  const placeholders = COLUMNS.map((c, i) => (JSON_COLUMNS.has(c) ? `$${i + 1}::jsonb` : `$${i + 1}`)).join(', ');
  const updates = COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ');
  await tx.query(
    `insert into ticket_slas (${COLUMNS.join(', ')}) values (${placeholders})
     on conflict (ticket_id) do update set ${updates}, updated_at = now()`,
    values,
  );
}

export async function emittedKinds(db: Sql, ticketId: number): Promise<Set<SlaEventKind>> {
  const rows = await db.query<{ kind: SlaEventKind }>('select kind from sla_events where ticket_id = $1', [ticketId]);
  return new Set(rows.map((r) => r.kind));
}

/** Claims an event; false when it was claimed before (by this or another instance). */
export async function claimSlaEvent(tx: Sql, ticketId: number, kind: SlaEventKind, dueAt: Date, posted: boolean): Promise<boolean> {
  const rows = await tx.query(
    'insert into sla_events (ticket_id, kind, due_at, posted) values ($1, $2, $3, $4) on conflict do nothing returning 1',
    [ticketId, kind, dueAt, posted],
  );
  return rows.length > 0;
}

/**
 * Tickets with an event due at `now`, locked; rows another scanner holds are skipped (it is handling them).
 * Deleted tickets never come back.
 */
export async function lockDueSlas(tx: Sql, now: Date, limit: number): Promise<SlaRow[]> {
  const rows = await tx.query<Raw>(
    `select ${COLUMNS.map((c) => `s.${c}`).join(', ')} from ticket_slas s join tickets t on t.id = s.ticket_id
      where s.next_event_at <= $1 and t.deleted_at is null
      order by s.next_event_at limit $2 for update of s skip locked`,
    [now, limit],
  );
  return rows.map(toRow);
}

/** When the reply was sent, or null when it is not (yet) sent. */
export async function replySentAt(db: Sql, replyId: number): Promise<Date | null> {
  const [row] = await db.query<{ sent_at: Date | null }>(`select sent_at from ticket_replies where id = $1 and state = 'sent'`, [replyId]);
  return date(row?.sent_at);
}

/** One clock's outcome for one priority: met (stopped in time), breached (late, or overdue now), pending. */
export interface SlaOutcome {
  met: number;
  breached: number;
  pending: number;
  /** met / (met + breached), 4 decimals; null when nothing is decided yet. */
  attainment: number | null;
}

export interface SlaAttainment {
  first_response: Record<string, SlaOutcome>;
  resolution: Record<string, SlaOutcome>;
}

interface AttainmentRow {
  priority: string;
  fr_met: string; fr_breached: string; fr_pending: string;
  res_met: string; res_breached: string; res_pending: string;
}

const outcome = (met: string, breached: string, pending: string): SlaOutcome => {
  const m = Number(met);
  const b = Number(breached);
  return { met: m, breached: b, pending: Number(pending), attainment: m + b ? Math.round((m / (m + b)) * 10_000) / 10_000 : null };
};

/**
 * The clocks of the tickets created in [$1, $2) and not deleted (a FROM clause and the start of its WHERE): a
 * clock starts when its ticket is created, so the period is a range of started_at; the few deleted tickets are
 * left out by an anti-join with tickets_deleted_idx.
 */
export const PERIOD_CLOCKS = `ticket_slas s
  where s.started_at >= $1 and s.started_at < $2 and not exists (select 1 from tickets t where t.id = s.ticket_id and t.deleted_at is not null)`;

/** A resolution clock paused with no due time yet (waiting on the customer before a priority set one) is pending. */
const PAUSED_PENDING = 's.paused_since is not null and s.resolved_at is null and s.resolution_warn_at is null and s.resolution_due_at is null and s.priority is not null';

/**
 * All tickets' attainment without reading each clock: stopped clocks from the daily rollup (sla_daily_outcomes,
 * minus the deleted tickets' few), running ones (overdue: breached; else pending) from their partial indexes.
 * The same figures as the per-clock aggregation of one category below; test/db/dashboard-rollup.test.ts holds
 * them equal.
 */
async function attainmentFromRollup(db: Sql, q: { start: Date; end: Date; now: Date }): Promise<AttainmentRow[]> {
  const rows = await db.query<{ priority: string; clock: 'first_response' | 'resolution'; outcome: 'met' | 'breached' | 'pending'; n: string }>(
    `select priority, clock, outcome, sum(n) as n from (
       select priority, clock, outcome, tickets as n from sla_daily_outcomes where day >= $3::date and day < $4::date
       union all
       select s.priority, f.clock, f.outcome, -1 from tickets t join ticket_slas s on s.ticket_id = t.id cross join lateral sla_daily_outcomes_of(s) f
        where t.deleted_at is not null and s.started_at >= $1 and s.started_at < $2
       union all
       select s.priority, 'first_response', case when s.first_response_due_at < $5 then 'breached' else 'pending' end, 1 from ${PERIOD_CLOCKS}
          and s.first_responded_at is null and s.first_response_due_at is not null and s.priority is not null
       union all
       select s.priority, 'resolution', case when s.resolution_due_at < $5 then 'breached' else 'pending' end, 1 from ${PERIOD_CLOCKS}
          and s.resolved_at is null and s.priority is not null and (s.resolution_due_at is not null or (${PAUSED_PENDING}))
     ) o group by 1, 2, 3`,
    [q.start, q.end, utcDay(q.start), utcDay(q.end), q.now],
  );
  const byPriority = new Map<string, AttainmentRow>();
  for (const r of rows) {
    const row = byPriority.get(r.priority) ?? { priority: r.priority, fr_met: '0', fr_breached: '0', fr_pending: '0', res_met: '0', res_breached: '0', res_pending: '0' };
    row[`${r.clock === 'first_response' ? 'fr' : 'res'}_${r.outcome}`] = String(r.n);
    byPriority.set(r.priority, row);
  }
  return [...byPriority.values()];
}

/** SLA attainment per priority of the tickets created in [start, end) (optionally of one category). */
export async function slaAttainment(db: Sql, q: { start: Date; end: Date; now: Date; category?: string }): Promise<SlaAttainment> {
  const rows = q.category ? await attainmentOfCategory(db, { ...q, category: q.category }) : await attainmentFromRollup(db, q);
  const out: SlaAttainment = { first_response: {}, resolution: {} };
  for (const r of rows) {
    const fr = outcome(r.fr_met, r.fr_breached, r.fr_pending);
    const res = outcome(r.res_met, r.res_breached, r.res_pending);
    if (fr.met + fr.breached + fr.pending) out.first_response[r.priority] = fr;
    if (res.met + res.breached + res.pending) out.resolution[r.priority] = res;
  }
  return out;
}

/** One category's attainment (the ticket's current category, which the clock's own column may not have seen yet): per clock. */
async function attainmentOfCategory(db: Sql, q: { start: Date; end: Date; now: Date; category: string }): Promise<AttainmentRow[]> {
  const clock = (due: string, done: string, prefix: string, pausedPending = '') => `
    count(*) filter (where ${due} is not null and ${done} is not null and ${done} <= ${due}) as ${prefix}_met,
    count(*) filter (where ${due} is not null and ((${done} is not null and ${done} > ${due}) or (${done} is null and ${due} < $3))) as ${prefix}_breached,
    count(*) filter (where (${due} is not null and ${done} is null and ${due} >= $3)${pausedPending}) as ${prefix}_pending`;
  return db.query<AttainmentRow>(
    `select s.priority, ${clock('s.first_response_due_at', 's.first_responded_at', 'fr')}, ${clock('s.resolution_due_at', 's.resolved_at', 'res', ` or (${PAUSED_PENDING})`)}
       from ticket_slas s join tickets t on t.id = s.ticket_id
      where t.deleted_at is null and s.started_at >= $1 and s.started_at < $2 and t.category = $4 and s.priority is not null
      group by s.priority`,
    [q.start, q.end, q.now, q.category],
  );
}
