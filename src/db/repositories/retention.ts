/**
 * Retention's SQL: the daily claim per kind (retention_runs: one runner across instances; a claim whose
 * runner stopped renewing it is taken over) and the small batches each kind removes. Legal holds are honoured
 * in every batch.
 */
import type { Sql } from '../sql.ts';

/** A claim not renewed for this long belongs to a runner that died: the next look takes it over. */
export const RETENTION_LEASE_SECONDS = 600;

/** Claims today's run of a kind; false when it ran today already or another runner holds it. */
export async function claimRetention(sql: Sql, kind: string, day: string): Promise<boolean> {
  const rows = await sql.query(
    `insert into retention_runs (kind, day, state, removed, updated_at) values ($1, $2, 'running', 0, now())
     on conflict (kind) do update set day = excluded.day, state = 'running', removed = 0, updated_at = now()
       where retention_runs.day < excluded.day
          or (retention_runs.day = excluded.day and retention_runs.state = 'running'
              and retention_runs.updated_at < now() - make_interval(secs => $3))
     returning kind`,
    [kind, day, RETENTION_LEASE_SECONDS],
  );
  return rows.length > 0;
}

/** Renews the claim and adds a batch's count (each batch's own transaction). */
export async function progressRetention(sql: Sql, kind: string, removed: number): Promise<void> {
  await sql.query(`update retention_runs set removed = removed + $2, updated_at = now() where kind = $1`, [kind, removed]);
}

export async function finishRetention(sql: Sql, kind: string): Promise<number> {
  const [row] = await sql.query<{ removed: number }>(`update retention_runs set state = 'done', updated_at = now() where kind = $1 returning removed`, [kind]);
  return row?.removed ?? 0;
}

const NOT_HELD = `not exists (select 1 from legal_holds h join tickets t on h.email = lower(t.requester_email) where t.id = %s)
  and not exists (select 1 from legal_holds h where h.ticket_id = %s)`;
const notHeld = (col: string) => NOT_HELD.replaceAll('%s', col);

/** Up to `limit` doors' audit rows older than the cutoff (not of a held ticket) deleted; how many. */
export async function deleteOldInboundEvents(sql: Sql, cutoff: Date, limit: number): Promise<number> {
  const rows = await sql.query(
    `delete from inbound_events where id in (
       select e.id from inbound_events e where e.created_at < $1 and (e.ticket_id is null or (${notHeld('e.ticket_id')})) order by e.id limit $2)
     returning 1`,
    [cutoff, limit],
  );
  return rows.length;
}

/** Resolved tickets untouched since the cutoff, not held and not yet anonymised: the next batch's ids. */
export async function oldResolvedTickets(sql: Sql, cutoff: Date, limit: number): Promise<number[]> {
  const rows = await sql.query<{ id: number }>(
    `select t.id from tickets t where t.status = 'resolved' and t.updated_at < $1 and ${notHeld('t.id')}
        and (t.requester_email is not null or t.subject is not null or t.body <> '[erased]')
      order by t.id limit $2`,
    [cutoff, limit],
  );
  return rows.map((r) => r.id);
}

export async function deleteOldDeadLetters(sql: Sql, cutoff: Date, limit: number): Promise<number> {
  const rows = await sql.query(
    `delete from pgboss.job where id in (
       select id from pgboss.job where created_on < $1 and (name like '%.dead' or state in ('completed', 'failed', 'cancelled')) limit $2)
     returning 1`,
    [cutoff, limit],
  );
  return rows.length;
}

export async function deleteOldSessions(sql: Sql, cutoff: Date, limit: number): Promise<number> {
  const rows = await sql.query(
    `delete from console_sessions where token_hash in (select token_hash from console_sessions where expires_at < $1 limit $2) returning 1`,
    [cutoff, limit],
  );
  return rows.length;
}
