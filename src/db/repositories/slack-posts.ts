/**
 * Slack posts we made or are making (slack_posts), the storage side of slack/delivery/post-once.ts: a row with ts = ''
 * is a claim whose created_at is both its lease and its fencing token (every update compares it, to the
 * millisecond: hence NOW_MS).
 */
import { type Sql, sqlOf } from '../sql.ts';
import { ERASED } from './privacy-places.ts';

export type Claim =
  | { kind: 'posted'; channel: string; ts: string }
  | { kind: 'owned'; token: Date; channel: string; maybePosted: boolean }
  | { kind: 'busy' };

interface PostRow {
  channel: string;
  ts: string;
  thread_ts: string | null;
  created_at: Date;
}

const NOW_MS = "date_trunc('milliseconds', clock_timestamp())";

/**
 * A released lease: 'epoch' means our attempt may have posted (the next owner looks in Slack first);
 * CLEAN_RELEASE means Slack clearly refused it (429, ok:false), so the next owner posts without a lookup.
 */
const CLEAN_RELEASE = new Date(1000);

export async function findPost(sql: Sql, key: string): Promise<{ channel: string; ts: string; threadTs: string | null } | null> {
  const [row] = await sql.query<PostRow>(`select channel, ts, thread_ts from slack_posts where key = $1 and ts <> ''`, [key]);
  return row ? { channel: row.channel, ts: row.ts, threadTs: row.thread_ts } : null;
}

/** True when the key has a row at all (posted, or claimed by a poster right now). */
export async function hasPostOrClaim(sql: Sql, key: string): Promise<boolean> {
  const rows = await sql.query('select 1 from slack_posts where key = $1', [key]);
  return rows.length > 0;
}

/** The channel a post of the key is reserved, claimed or posted in; null when nothing of it exists. */
export async function postChannel(sql: Sql, key: string): Promise<string | null> {
  const [row] = await sql.query<{ channel: string }>('select channel from slack_posts where key = $1', [key]);
  return row?.channel ?? null;
}

/**
 * Reserves the key for a post that is on its way (its job is enqueued in the same transaction): a claim
 * released cleanly, so its poster takes it over at once without looking in Slack first, and everyone
 * asking hasPostOrClaim meanwhile knows the post is coming (and waits for it instead of skipping it).
 */
export async function reservePost(sql: Sql, key: string, ticketId: number, channel: string): Promise<void> {
  await sql.query(
    `insert into slack_posts (key, ticket_id, channel, ts, thread_ts, created_at) values ($1, $2, $3, '', null, $4) on conflict (key) do nothing`,
    [key, ticketId, channel, CLEAN_RELEASE],
  );
}

/** Claims the key (or takes over a claim older than `leaseMs`), or says it is posted or busy. */
export async function claimPost(sql: Sql, key: string, ticketId: number, channel: string, threadTs: string | null, leaseMs: number): Promise<Claim> {
  const inserted = await sql.query<{ created_at: Date }>(
    `insert into slack_posts (key, ticket_id, channel, ts, thread_ts, created_at) values ($1, $2, $3, '', $4, ${NOW_MS})
     on conflict (key) do nothing returning created_at`,
    [key, ticketId, channel, threadTs],
  );
  if (inserted[0]) return { kind: 'owned', token: inserted[0].created_at, channel, maybePosted: false };
  const [row] = await sql.query<PostRow & { stale: boolean; clean: boolean }>(
    `select channel, ts, thread_ts, created_at, created_at < clock_timestamp() - make_interval(secs => $2) as stale,
            created_at = $3 as clean
       from slack_posts where key = $1`,
    [key, leaseMs / 1000, CLEAN_RELEASE],
  );
  if (!row) return { kind: 'busy' };
  if (row.ts !== '') return { kind: 'posted', channel: row.channel, ts: row.ts };
  if (!row.stale) return { kind: 'busy' };
  const taken = await sql.query<{ created_at: Date }>(
    `update slack_posts set created_at = ${NOW_MS} where key = $1 and ts = '' and created_at = $2 returning created_at`,
    [key, row.created_at],
  );
  return taken[0] ? { kind: 'owned', token: taken[0].created_at, channel: row.channel, maybePosted: !row.clean } : { kind: 'busy' };
}

/** Moves the lease forward (fencing on the current token); false when someone else holds the claim now. */
export async function renewClaim(sql: Sql, key: string, c: { token: Date }): Promise<boolean> {
  const rows = await sql.query<{ created_at: Date }>(
    `update slack_posts set created_at = ${NOW_MS} where key = $1 and ts = '' and created_at = $2 returning created_at`,
    [key, c.token],
  );
  if (!rows[0]) return false;
  c.token = rows[0].created_at;
  return true;
}

/**
 * Records the ts of our post. Says whether its ticket was erased meanwhile ('anonymised', or 'deleted' with the
 * ticket gone): then the message just posted holds personal data no redaction job knows of. The ticket is read
 * FOR SHARE first, in the same transaction, and an erasure locks its tickets before it lists (or deletes) their
 * posts (lockTickets): either the erasure sees this post or this transaction sees the erasure, and both take
 * the ticket before the post's row, so they cannot deadlock. Posts about no ticket (digests, incidents) carry a
 * ticket id of 0 or less.
 */
export function completePost(sql: Sql, key: string, token: Date, channel: string, ts: string, ticketId: number): Promise<'recorded' | 'anonymised' | 'deleted'> {
  return sql.kysely.transaction().execute(async (trx) => {
    const tx = sqlOf(trx);
    const [ticket] = ticketId > 0 ? await tx.query<{ body: string }>('select body from tickets where id = $1 for share', [ticketId]) : [{ body: '' }];
    await tx.query(`update slack_posts set ts = $3, channel = $4 where key = $1 and ts = '' and created_at = $2`, [key, token, ts, channel]);
    return !ticket ? 'deleted' : ticket.body === ERASED ? 'anonymised' : 'recorded';
  });
}

/** Expires our lease at once so the next attempt (ours or another instance's) takes over without waiting. */
export async function releaseClaim(sql: Sql, key: string, token: Date, clean: boolean): Promise<void> {
  await sql.query(`update slack_posts set created_at = $3 where key = $1 and ts = '' and created_at = $2`, [key, token, clean ? CLEAN_RELEASE : new Date(0)]);
}

export async function abandonClaim(sql: Sql, key: string, token: Date): Promise<void> {
  await sql.query(`delete from slack_posts where key = $1 and ts = '' and created_at = $2`, [key, token]);
}


/** Forgets a posted message that was deleted from Slack (an undone merge's notes): its key may be posted again. */
export async function forgetPost(sql: Sql, key: string): Promise<void> {
  await sql.query(`delete from slack_posts where key = $1 and ts <> ''`, [key]);
}
