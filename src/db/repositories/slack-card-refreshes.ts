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

export async function pendingRefresh(sql: Sql, ticketId: number): Promise<PendingRefresh | null> {
  const [row] = await sql.query<{ lines: string[]; version: number }>(`select lines, version from slack_card_refreshes where ticket_id = $1`, [ticketId]);
  return row ? { lines: row.lines, version: Number(row.version) } : null;
}

/**
 * The card now shows `sent` (the first lines of version `version`): the row goes, or, when a request came
 * meanwhile, keeps only the lines after those (the next edit sends them).
 */
export async function refreshSent(sql: Sql, ticketId: number, version: number, sent: number): Promise<'done' | 'more'> {
  const deleted = await sql.query(`delete from slack_card_refreshes where ticket_id = $1 and version = $2 returning 1`, [ticketId, version]);
  if (deleted.length > 0) return 'done';
  await sql.query(
    `update slack_card_refreshes
        set lines = coalesce((select jsonb_agg(e order by i) from jsonb_array_elements(lines) with ordinality as x(e, i) where i > $2), '[]'::jsonb)
      where ticket_id = $1`,
    [ticketId, sent],
  );
  return 'more';
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
