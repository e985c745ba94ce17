/**
 * Card edits waiting to be sent (slack_card_refreshes), the storage side of slack/jobs/card-refresh.ts: one
 * row per ticket with the activity lines not yet on its card; every request appends and moves the version.
 */
import type { Sql } from '../sql.ts';

export interface PendingRefresh {
  lines: string[];
  version: number;
}

/** Adds `lines` to the ticket's pending card edit (creating it). */
export async function requestRefresh(sql: Sql, ticketId: number, lines: string[]): Promise<void> {
  await sql.query(
    `insert into slack_card_refreshes (ticket_id, lines, version, requested_at) values ($1, $2::jsonb, 1, now())
     on conflict (ticket_id) do update
       set lines = slack_card_refreshes.lines || excluded.lines, version = slack_card_refreshes.version + 1, requested_at = now()`,
    [ticketId, JSON.stringify(lines)],
  );
}

/**
 * Claims the ticket's pending edit for `leaseSeconds` under `token` and returns its lines: null when nothing
 * is pending, 'busy' while another job holds an unexpired claim (it sends these lines, or leaves them for the
 * next job). A crashed holder's claim ends with its lease.
 */
export async function claimRefresh(sql: Sql, ticketId: number, token: string, leaseSeconds: number): Promise<PendingRefresh | 'busy' | null> {
  const [row] = await sql.query<{ lines: string[]; version: number }>(
    `update slack_card_refreshes set claim = $2, claimed_until = now() + make_interval(secs => $3)
      where ticket_id = $1 and (claim is null or claim = $2 or claimed_until < now())
      returning lines, version`,
    [ticketId, token, leaseSeconds],
  );
  if (row) return { lines: row.lines, version: Number(row.version) };
  const [held] = await sql.query(`select 1 from slack_card_refreshes where ticket_id = $1`, [ticketId]);
  return held ? 'busy' : null;
}

/** Extends the claim before an edit goes out; false when it was lost (its lease ran out and another job took it). */
export async function renewClaim(sql: Sql, ticketId: number, token: string, leaseSeconds: number): Promise<boolean> {
  const renewed = await sql.query(
    `update slack_card_refreshes set claimed_until = now() + make_interval(secs => $3) where ticket_id = $1 and claim = $2 returning 1`,
    [ticketId, token, leaseSeconds],
  );
  return renewed.length > 0;
}

/** Gives the claim up without sending (the edit failed; a retry or the next job takes it). */
export async function releaseClaim(sql: Sql, ticketId: number, token: string): Promise<void> {
  await sql.query(`update slack_card_refreshes set claim = null, claimed_until = null where ticket_id = $1 and claim = $2`, [ticketId, token]);
}

/**
 * The card now shows `sent` (the first lines of version `version`, claimed under `token`): the row goes, or,
 * when a request came meanwhile, keeps only the lines after those, unclaimed (the request's job sends them).
 * A claim lost meanwhile changes nothing: its new holder read every line and sends them.
 */
export async function refreshSent(sql: Sql, ticketId: number, token: string, version: number, sent: number): Promise<'done' | 'more' | 'lost'> {
  const deleted = await sql.query(`delete from slack_card_refreshes where ticket_id = $1 and claim = $2 and version = $3 returning 1`, [ticketId, token, version]);
  if (deleted.length > 0) return 'done';
  const kept = await sql.query(
    `update slack_card_refreshes
        set lines = coalesce((select jsonb_agg(e order by i) from jsonb_array_elements(lines) with ordinality as x(e, i) where i > $3), '[]'::jsonb),
            claim = null, claimed_until = null
      where ticket_id = $1 and claim = $2
      returning 1`,
    [ticketId, token, sent],
  );
  return kept.length > 0 ? 'more' : 'lost';
}

/** The ticket has no card (any more): nothing to edit. */
export async function dropRefresh(sql: Sql, ticketId: number): Promise<void> {
  await sql.query(`delete from slack_card_refreshes where ticket_id = $1`, [ticketId]);
}

/** Card edits waiting (for /metrics and the benchmarks). */
export async function pendingRefreshCount(sql: Sql): Promise<number> {
  const [row] = await sql.query<{ n: string }>(`select count(*) as n from slack_card_refreshes`);
  return Number(row?.n ?? 0);
}
