/**
 * SQL of ops incidents (src/ops/): each instance's view of the faults (ops_signals) and the incidents opened
 * from them (ops_incidents, at most one open row per key). Times come from the database's clock, so instances
 * with skewed clocks agree on "broken for how long".
 */
import type { Sql } from '../sql.ts';

export interface SignalReport {
  key: string;
  title: string;
  /** true: this instance sees the fault now; false: it sees that part working. */
  bad: boolean;
  /** When the fault started, when the observer knows (a streak in the audit table); else: the first report. */
  since?: Date;
  detail?: string;
}

export interface SignalVerdict {
  key: string;
  /** Some fresh observer sees the fault (else every fresh observer sees it working). */
  bad: boolean;
  /** How long the earliest fresh observer has seen it (0 when not bad). */
  badForMs: number;
  since: Date | null;
  title: string;
  detail: string | null;
}

export interface IncidentRow {
  id: number;
  key: string;
  title: string;
  detail: string | null;
  since: Date;
  openedAt: Date;
  resolvedAt: Date | null;
  resolutionPostedAt: Date | null;
}

/**
 * Stores what this instance sees. A report with `since` (the observer knows when the fault started) sets it;
 * one without keeps the first time it was reported bad while the fault lasts. A working report clears it.
 */
export async function reportSignals(sql: Sql, instance: string, reports: readonly SignalReport[]): Promise<void> {
  for (const exact of [true, false]) {
    const part = reports.filter((r) => (r.bad && r.since !== undefined) === exact);
    if (part.length === 0) continue;
    await sql.query(
      `insert into ops_signals (key, instance, bad_since, title, detail, seen_at)
       select r.key, $1, case when r.bad then coalesce(r.since, now()) end, r.title, r.detail, now()
         from unnest($2::text[], $3::boolean[], $4::timestamptz[], $5::text[], $6::text[]) as r(key, bad, since, title, detail)
       on conflict (key, instance) do update set
         bad_since = ${exact ? 'excluded.bad_since' : 'case when excluded.bad_since is null then null else coalesce(ops_signals.bad_since, excluded.bad_since) end'},
         title = excluded.title, detail = excluded.detail, seen_at = excluded.seen_at`,
      [
        instance,
        part.map((r) => r.key),
        part.map((r) => r.bad),
        part.map((r) => r.since ?? null),
        part.map((r) => r.title),
        part.map((r) => r.detail ?? null),
      ],
    );
  }
}

/** Every key some instance reported within `freshMs`, with the verdict of all those fresh reports together. */
export async function signalVerdicts(sql: Sql, freshMs: number): Promise<SignalVerdict[]> {
  const rows = await sql.query<{ key: string; bad: boolean; bad_for_ms: number | string | null; since_ms: number | string | null; title: string; detail: string | null }>(
    `select key, bool_or(bad_since is not null) as bad,
            extract(epoch from now() - min(bad_since)) * 1000 as bad_for_ms, extract(epoch from min(bad_since)) * 1000 as since_ms,
            (array_agg(title order by bad_since is null, seen_at desc))[1] as title,
            (array_agg(detail order by bad_since is null, seen_at desc))[1] as detail
       from ops_signals where seen_at > now() - make_interval(secs => $1) group by key order by key`,
    [freshMs / 1000],
  );
  return rows.map((r) => ({ key: r.key, bad: r.bad, badForMs: r.bad ? Number(r.bad_for_ms ?? 0) : 0, since: dateOrNull(r.since_ms), title: r.title, detail: r.detail }));
}

/** Forgets reports of instances gone for a day (restarts leave their rows behind). */
export async function pruneSignals(sql: Sql): Promise<void> {
  await sql.query(`delete from ops_signals where seen_at < now() - interval '1 day'`);
}

/** Opens the incident of `key` unless one is open: the id when this call opened it, else null. */
export async function openIncident(tx: Sql, v: { key: string; title: string; detail: string | null; since: Date | null }): Promise<number | null> {
  const [row] = await tx.query<{ id: number }>(
    `insert into ops_incidents (key, title, detail, since) values ($1, $2, $3, coalesce($4::timestamptz, now()))
     on conflict (key) where resolved_at is null do nothing returning id`,
    [v.key, v.title, v.detail, v.since],
  );
  return row ? row.id : null;
}

/** Resolves the open incident of `key`: its id when this call resolved it, else null (none open, or someone else did). */
export async function resolveIncident(tx: Sql, key: string): Promise<number | null> {
  const [row] = await tx.query<{ id: number }>(
    'update ops_incidents set resolved_at = now() where key = $1 and resolved_at is null returning id',
    [key],
  );
  return row ? row.id : null;
}

export async function openIncidents(sql: Sql): Promise<{ id: number; key: string; since: Date }[]> {
  const rows = await sql.query<{ id: number; key: string; since_ms: number | string }>(
    'select id, key, extract(epoch from since) * 1000 as since_ms from ops_incidents where resolved_at is null order by key',
  );
  return rows.map((r) => ({ id: r.id, key: r.key, since: new Date(Number(r.since_ms)) }));
}

export async function getIncident(sql: Sql, id: number): Promise<IncidentRow | null> {
  type Ms = number | string | null;
  const [r] = await sql.query<{ id: number; key: string; title: string; detail: string | null; since: Ms; opened_at: Ms; resolved_at: Ms; resolution_posted_at: Ms }>(
    `select id, key, title, detail, ${['since', 'opened_at', 'resolved_at', 'resolution_posted_at'].map((c) => `extract(epoch from ${c}) * 1000 as ${c}`).join(', ')}
       from ops_incidents where id = $1`,
    [id],
  );
  return r
    ? {
        id: r.id, key: r.key, title: r.title, detail: r.detail,
        since: new Date(Number(r.since)), openedAt: new Date(Number(r.opened_at)),
        resolvedAt: dateOrNull(r.resolved_at), resolutionPostedAt: dateOrNull(r.resolution_posted_at),
      }
    : null;
}

export async function markResolutionPosted(sql: Sql, id: number): Promise<void> {
  await sql.query('update ops_incidents set resolution_posted_at = now() where id = $1 and resolution_posted_at is null', [id]);
}

/**
 * A webhook door's current run of rejections: deliveries rejected since its last accepted one (any verdict
 * but rejected/failed: a 'failed' is our fault, not the door refusing). `okAt` is null when none was accepted
 * in the window. Both look back STREAK_WINDOW at most, so a door that never accepts anything (months of junk
 * deliveries) costs an index range of a week per check, not the whole table.
 */
const STREAK_WINDOW = '7 days';

export async function webhookRejectionStreak(sql: Sql, source: string): Promise<{ okAt: Date | null; rejected: number; since: Date | null; lastReason: string | null }> {
  // The last accepted one's own timestamp (not a JS Date round trip: microseconds would be lost).
  const [streak] = await sql.query<{ ok_ms: number | string | null; n: number | string; since_ms: number | string | null; reason: string | null }>(
    `with ok as (select max(created_at) as at from (select created_at from inbound_events
                   where source = $1 and verdict not in ('rejected', 'failed') and created_at > now() - interval '${STREAK_WINDOW}'
                   order by created_at desc limit 1) last)
     select extract(epoch from ok.at) * 1000 as ok_ms, count(e.id) as n, extract(epoch from min(e.created_at)) * 1000 as since_ms,
            (array_agg(e.reason order by e.created_at desc))[1] as reason
       from ok left join inbound_events e on e.source = $1 and e.verdict = 'rejected'
            and e.created_at > coalesce(ok.at, now() - interval '${STREAK_WINDOW}')
      group by ok.at`,
    [source],
  );
  return { okAt: dateOrNull(streak?.ok_ms ?? null), rejected: Number(streak?.n ?? 0), since: dateOrNull(streak?.since_ms ?? null), lastReason: streak?.reason ?? null };
}

function dateOrNull(ms: number | string | null): Date | null {
  return ms === null ? null : new Date(Number(ms));
}
