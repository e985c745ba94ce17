/**
 * SQL of the shared rate limits (rate_limit_counts, rate_limit_instances): one statement per sync and instance
 * writes this instance's counts and claims that changed, marks it live, drops ended windows and reads the other
 * instances' counts that changed. On a small pool of its own: a sync must not wait behind the ORM's
 * transactions under load, and it never blocks a request (requests are decided from memory).
 */
import pg from 'pg';

export interface RateLimitSyncInput {
  instance: string;
  windowStart: Date;
  /** This instance's count and claim per limiter and key in the window (absolute: writing them twice changes nothing). */
  counts: { limiter: string; key: string; count: number; claim: number; wants: boolean }[];
  /** Other instances' rows changed after this time (the database's clock, from the previous sync) are read. */
  changedAfter: Date;
  /** An instance whose last sync is older than this is not live any more. */
  liveSeconds: number;
}

export interface RateLimitSyncResult {
  /** The other instances' totals (accepted, claimed, how many claim) per limiter and key, for keys where any of them changed. */
  others: { limiter: string; key: string; count: number; claimed: number; claimants: number; wanted: boolean }[];
  /** Live instances other than this one. */
  otherInstances: number;
  /** The database's clock at the sync: the next sync's `changedAfter`, minus a margin. */
  at: Date;
}

export interface RateLimitStore {
  sync(input: RateLimitSyncInput): Promise<RateLimitSyncResult>;
  close(): Promise<void>;
}

// A data-modifying CTE's rows are invisible to the rest of its statement: the reads see the others only.
const SYNC = `
with beat as (
  insert into rate_limit_instances (instance, seen_at) values ($1, now())
  on conflict (instance) do update set seen_at = now()
), mine as (
  insert into rate_limit_counts (limiter, key, window_start, instance, count, claimed, wants, updated_at)
  select c.limiter, c.key, $2, $1, c.count, c.claimed, c.wants, now()
    from unnest($3::text[], $4::text[], $5::int[], $8::int[], $9::bool[]) as c(limiter, key, count, claimed, wants)
  on conflict (limiter, key, window_start, instance)
    do update set count = excluded.count, claimed = excluded.claimed, wants = excluded.wants, updated_at = now()
), ended as (
  delete from rate_limit_counts where window_start < $2
), gone as (
  delete from rate_limit_instances where seen_at < now() - interval '1 day'
), changed as (
  -- Keys where another instance wrote since the last sync, or where an instance stopped (its spare claim is free).
  select distinct r.limiter, r.key from rate_limit_counts r left join rate_limit_instances i using (instance)
  where r.window_start = $2 and r.instance <> $1
    and (r.updated_at > $6 or i.seen_at is null or i.seen_at <= now() - make_interval(secs => $7))
)
select 'count' as kind, r.limiter, r.key, sum(r.count)::int as count,
       sum(case when i.seen_at > now() - make_interval(secs => $7) then r.claimed else r.count end)::int as claimed,
       (count(*) filter (where i.seen_at > now() - make_interval(secs => $7)))::int as claimants,
       coalesce(bool_or(r.wants and i.seen_at > now() - make_interval(secs => $7)), false) as wanted, null::timestamptz as at
  from rate_limit_counts r join changed using (limiter, key) left join rate_limit_instances i using (instance)
  where r.window_start = $2 and r.instance <> $1 group by r.limiter, r.key
union all
select 'instances', null, null, count(*)::int, null, null, null, now() from rate_limit_instances
  where instance <> $1 and seen_at > now() - make_interval(secs => $7)`;

export function createRateLimitStore(databaseUrl: string, onConnectionError: (err: Error) => void): RateLimitStore {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, idleTimeoutMillis: 60_000, connectionTimeoutMillis: 5_000, statement_timeout: 5_000, query_timeout: 6_000, application_name: 'support-triage-rate-limit' });
  // An idle client the server dropped (restart, failover) is removed by pg; without a listener it would crash the process.
  pool.on('error', onConnectionError);
  return {
    async sync(input) {
      const { rows } = await pool.query<{ kind: string; limiter: string; key: string; count: number; claimed: number; claimants: number; wanted: boolean; at: Date | null }>(SYNC, [
        input.instance,
        input.windowStart,
        input.counts.map((c) => c.limiter),
        input.counts.map((c) => c.key),
        input.counts.map((c) => c.count),
        input.changedAfter,
        input.liveSeconds,
        input.counts.map((c) => c.claim),
        input.counts.map((c) => c.wants),
      ]);
      const summary = rows.find((r) => r.kind === 'instances')!;
      return {
        others: rows.filter((r) => r.kind === 'count').map(({ limiter, key, count, claimed, claimants, wanted }) => ({ limiter, key, count, claimed, claimants, wanted })),
        otherInstances: summary.count,
        at: summary.at!,
      };
    },
    async close() {
      await pool.end();
    },
  };
}
