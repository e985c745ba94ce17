import { Migration } from '@mikro-orm/migrations';

export class Migration20261124142606_ticket_daily_stats extends Migration {

  override name = 'Migration20261124142606_ticket_daily_stats';

  override up(): void | Promise<void> {
    this.addSql(`create table "ticket_daily_stats" ("day" date not null, "category" varchar(16) not null, "source" varchar(20) not null, "priority" varchar(16) not null, "low_confidence" boolean not null, "shard" smallint not null, "tickets" bigint not null default '0', "confidence_sum" double precision not null default 0, "confidence_count" bigint not null default '0', primary key ("day", "category", "source", "priority", "low_confidence", "shard"));`);

    this.addSql(`alter table "tickets" add "low_confidence" boolean not null default false;`);

    // Kept exact by statement-level triggers: one grouped upsert per statement (not per row), into the
    // writing connection's own shard rows (pg_backend_pid() % 16) so concurrent commits do not queue on one
    // hot row, and in key order so writers sharing a shard lock rows in the same order.
    this.addSql(`create function ticket_daily_stats_apply() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    insert into ticket_daily_stats as s (day, category, source, priority, low_confidence, shard, tickets, confidence_sum, confidence_count)
    select (created_at at time zone 'UTC')::date, coalesce(category, ''), source, coalesce(priority, ''), low_confidence,
           pg_backend_pid() % 16, count(*), coalesce(sum(confidence), 0), count(confidence)
      from new_rows where deleted_at is null
     group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
    on conflict (day, category, source, priority, low_confidence, shard) do update
       set tickets = s.tickets + excluded.tickets, confidence_sum = s.confidence_sum + excluded.confidence_sum,
           confidence_count = s.confidence_count + excluded.confidence_count;
  elsif tg_op = 'UPDATE' then
    insert into ticket_daily_stats as s (day, category, source, priority, low_confidence, shard, tickets, confidence_sum, confidence_count)
    select day, category, source, priority, low_confidence, pg_backend_pid() % 16, sum(n), sum(c_sum), sum(c_n)
      from (select (created_at at time zone 'UTC')::date as day, coalesce(category, '') as category, source, coalesce(priority, '') as priority,
                   low_confidence, 1 as n, coalesce(confidence, 0) as c_sum, (confidence is not null)::int as c_n
              from new_rows where deleted_at is null
            union all
            select (created_at at time zone 'UTC')::date, coalesce(category, ''), source, coalesce(priority, ''),
                   low_confidence, -1, -coalesce(confidence, 0), -(confidence is not null)::int
              from old_rows where deleted_at is null) d
     group by 1, 2, 3, 4, 5
    having sum(n) <> 0 or sum(c_n) <> 0 or sum(c_sum) <> 0
     order by 1, 2, 3, 4, 5
    on conflict (day, category, source, priority, low_confidence, shard) do update
       set tickets = s.tickets + excluded.tickets, confidence_sum = s.confidence_sum + excluded.confidence_sum,
           confidence_count = s.confidence_count + excluded.confidence_count;
  elsif tg_op = 'DELETE' then
    insert into ticket_daily_stats as s (day, category, source, priority, low_confidence, shard, tickets, confidence_sum, confidence_count)
    select (created_at at time zone 'UTC')::date, coalesce(category, ''), source, coalesce(priority, ''), low_confidence,
           pg_backend_pid() % 16, -count(*), -coalesce(sum(confidence), 0), -count(confidence)
      from old_rows where deleted_at is null
     group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
    on conflict (day, category, source, priority, low_confidence, shard) do update
       set tickets = s.tickets + excluded.tickets, confidence_sum = s.confidence_sum + excluded.confidence_sum,
           confidence_count = s.confidence_count + excluded.confidence_count;
  else -- TRUNCATE
    truncate ticket_daily_stats;
  end if;
  return null;
end
$fn$;`);
    this.addSql(`create trigger ticket_daily_stats_insert after insert on tickets referencing new table as new_rows for each statement execute function ticket_daily_stats_apply();`);
    this.addSql(`create trigger ticket_daily_stats_update after update on tickets referencing old table as old_rows new table as new_rows for each statement execute function ticket_daily_stats_apply();`);
    this.addSql(`create trigger ticket_daily_stats_delete after delete on tickets referencing old table as old_rows for each statement execute function ticket_daily_stats_apply();`);
    this.addSql(`create trigger ticket_daily_stats_truncate after truncate on tickets for each statement execute function ticket_daily_stats_apply();`);
    this.addSql(`insert into ticket_daily_stats (day, category, source, priority, low_confidence, shard, tickets, confidence_sum, confidence_count)
      select (created_at at time zone 'UTC')::date, coalesce(category, ''), source, coalesce(priority, ''), low_confidence,
             0, count(*), coalesce(sum(confidence), 0), count(confidence)
        from tickets where deleted_at is null group by 1, 2, 3, 4, 5;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function if exists ticket_daily_stats_apply() cascade;`);
    this.addSql(`drop table if exists "ticket_daily_stats" cascade;`);

    this.addSql(`alter table "tickets" drop column "low_confidence";`);
  }

}
