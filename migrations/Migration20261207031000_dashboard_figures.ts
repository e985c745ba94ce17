import { Migration } from '@mikro-orm/migrations';

export class Migration20261207031000_dashboard_figures extends Migration {

  override name = 'Migration20261207031000_dashboard_figures';

  override up(): void | Promise<void> {
    this.addSql(`create table "ticket_daily_figures" ("figure" varchar(16) not null, "day" date not null, "bucket" smallint not null, "shard" smallint not null, "tickets" bigint not null default '0', primary key ("figure", "day", "bucket", "shard"));`);

    // What one ticket adds to the dashboard's daily figures: 'open' (the backlog by age) and 'confidence' (its
    // machine verdict's tenth, the classifier's histogram). The one definition the trigger and the backfill use.
    this.addSql(`create function ticket_daily_figures_of(t tickets) returns table (figure varchar, bucket smallint) language sql immutable as $fn$
  select 'open'::varchar, 0::smallint where t.deleted_at is null and t.status <> 'resolved'
  union all
  select 'confidence'::varchar, least(floor(t.confidence * 10)::int, 9)::smallint
   where t.deleted_at is null and t.category is not null and t.classifier <> 'human' and t.confidence is not null
$fn$;`);

    // Kept exact as ticket_daily_stats is: one grouped upsert per statement into the writer's shard rows, in key
    // order; an update counts its old rows out and its new rows in, and only what changed is written.
    this.addSql(`create function ticket_daily_figures_apply() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    insert into ticket_daily_figures as s (figure, day, bucket, shard, tickets)
    select f.figure, (n.created_at at time zone 'UTC')::date, f.bucket, pg_backend_pid() % 16, count(*)
      from new_rows n cross join lateral ticket_daily_figures_of(n) f
     group by 1, 2, 3 order by 1, 2, 3
    on conflict (figure, day, bucket, shard) do update set tickets = s.tickets + excluded.tickets;
  elsif tg_op = 'UPDATE' then
    insert into ticket_daily_figures as s (figure, day, bucket, shard, tickets)
    select figure, day, bucket, pg_backend_pid() % 16, sum(n)
      from (select f.figure, (r.created_at at time zone 'UTC')::date as day, f.bucket, 1 as n from new_rows r cross join lateral ticket_daily_figures_of(r) f
            union all
            select f.figure, (r.created_at at time zone 'UTC')::date, f.bucket, -1 from old_rows r cross join lateral ticket_daily_figures_of(r) f) d
     group by 1, 2, 3 having sum(n) <> 0 order by 1, 2, 3
    on conflict (figure, day, bucket, shard) do update set tickets = s.tickets + excluded.tickets;
  elsif tg_op = 'DELETE' then
    insert into ticket_daily_figures as s (figure, day, bucket, shard, tickets)
    select f.figure, (o.created_at at time zone 'UTC')::date, f.bucket, pg_backend_pid() % 16, -count(*)
      from old_rows o cross join lateral ticket_daily_figures_of(o) f
     group by 1, 2, 3 order by 1, 2, 3
    on conflict (figure, day, bucket, shard) do update set tickets = s.tickets + excluded.tickets;
  else -- TRUNCATE
    truncate ticket_daily_figures;
  end if;
  return null;
end
$fn$;`);
    this.addSql(`create trigger ticket_daily_figures_insert after insert on tickets referencing new table as new_rows for each statement execute function ticket_daily_figures_apply();`);
    this.addSql(`create trigger ticket_daily_figures_update after update on tickets referencing old table as old_rows new table as new_rows for each statement execute function ticket_daily_figures_apply();`);
    this.addSql(`create trigger ticket_daily_figures_delete after delete on tickets referencing old table as old_rows for each statement execute function ticket_daily_figures_apply();`);
    this.addSql(`create trigger ticket_daily_figures_truncate after truncate on tickets for each statement execute function ticket_daily_figures_apply();`);
    this.addSql(`insert into ticket_daily_figures (figure, day, bucket, shard, tickets)
      select f.figure, (t.created_at at time zone 'UTC')::date, f.bucket, 0, count(*)
        from tickets t cross join lateral ticket_daily_figures_of(t) f group by 1, 2, 3;`);

    // People's corrections in a period (few), and deleted tickets (fewer), found without reading the rest.
    this.addSql(`create index "tickets_human_created_at_idx" on "tickets" ("created_at") where "classifier" = 'human' and "deleted_at" is null;`);
    this.addSql(`create index "tickets_deleted_idx" on "tickets" ("id") where "deleted_at" is not null;`);
    // Clocks of tickets an erasure deleted outright stayed behind; they are deleted with their tickets from now on.
    this.addSql(`delete from "ticket_slas" s where not exists (select 1 from "tickets" t where t.id = s.ticket_id);`);
    this.addSql(`delete from "sla_events" e where not exists (select 1 from "tickets" t where t.id = e.ticket_id);`);
    // SLA outcomes of stopped clocks per day of start (a clock starts when its ticket is created) and priority,
    // kept like the other rollups; a running clock's outcome depends on the time of asking and is counted live
    // from the running clocks' own partial indexes.
    this.addSql(`create table "sla_daily_outcomes" ("day" date not null, "priority" varchar(16) not null, "clock" varchar(16) not null, "outcome" varchar(8) not null, "shard" smallint not null, "tickets" bigint not null default '0', primary key ("day", "priority", "clock", "outcome", "shard"));`);
    this.addSql(`create function sla_daily_outcomes_of(s ticket_slas) returns table (clock varchar, outcome varchar) language sql immutable as $fn$
  select 'first_response'::varchar, (case when s.first_responded_at <= s.first_response_due_at then 'met' else 'breached' end)::varchar
   where s.priority is not null and s.first_response_due_at is not null and s.first_responded_at is not null
  union all
  select 'resolution'::varchar, (case when s.resolved_at <= s.resolution_due_at then 'met' else 'breached' end)::varchar
   where s.priority is not null and s.resolution_due_at is not null and s.resolved_at is not null
$fn$;`);
    this.addSql(`create function sla_daily_outcomes_apply() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    insert into sla_daily_outcomes as o (day, priority, clock, outcome, shard, tickets)
    select (n.started_at at time zone 'UTC')::date, n.priority, f.clock, f.outcome, pg_backend_pid() % 16, count(*)
      from new_rows n cross join lateral sla_daily_outcomes_of(n) f
     group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (day, priority, clock, outcome, shard) do update set tickets = o.tickets + excluded.tickets;
  elsif tg_op = 'UPDATE' then
    insert into sla_daily_outcomes as o (day, priority, clock, outcome, shard, tickets)
    select day, priority, clock, outcome, pg_backend_pid() % 16, sum(n)
      from (select (r.started_at at time zone 'UTC')::date as day, r.priority, f.clock, f.outcome, 1 as n from new_rows r cross join lateral sla_daily_outcomes_of(r) f
            union all
            select (r.started_at at time zone 'UTC')::date, r.priority, f.clock, f.outcome, -1 from old_rows r cross join lateral sla_daily_outcomes_of(r) f) d
     group by 1, 2, 3, 4 having sum(n) <> 0 order by 1, 2, 3, 4
    on conflict (day, priority, clock, outcome, shard) do update set tickets = o.tickets + excluded.tickets;
  elsif tg_op = 'DELETE' then
    insert into sla_daily_outcomes as o (day, priority, clock, outcome, shard, tickets)
    select (r.started_at at time zone 'UTC')::date, r.priority, f.clock, f.outcome, pg_backend_pid() % 16, -count(*)
      from old_rows r cross join lateral sla_daily_outcomes_of(r) f
     group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (day, priority, clock, outcome, shard) do update set tickets = o.tickets + excluded.tickets;
  else -- TRUNCATE
    truncate sla_daily_outcomes;
  end if;
  return null;
end
$fn$;`);
    this.addSql(`create trigger sla_daily_outcomes_insert after insert on ticket_slas referencing new table as new_rows for each statement execute function sla_daily_outcomes_apply();`);
    this.addSql(`create trigger sla_daily_outcomes_update after update on ticket_slas referencing old table as old_rows new table as new_rows for each statement execute function sla_daily_outcomes_apply();`);
    this.addSql(`create trigger sla_daily_outcomes_delete after delete on ticket_slas referencing old table as old_rows for each statement execute function sla_daily_outcomes_apply();`);
    this.addSql(`create trigger sla_daily_outcomes_truncate after truncate on ticket_slas for each statement execute function sla_daily_outcomes_apply();`);
    this.addSql(`insert into sla_daily_outcomes (day, priority, clock, outcome, shard, tickets)
      select (s.started_at at time zone 'UTC')::date, s.priority, f.clock, f.outcome, 0, count(*)
        from ticket_slas s cross join lateral sla_daily_outcomes_of(s) f group by 1, 2, 3, 4;`);
    this.addSql(`create index "ticket_slas_first_response_running_idx" on "ticket_slas" ("started_at") include ("priority", "first_response_due_at") where "first_responded_at" is null;`);
    this.addSql(`create index "ticket_slas_resolution_running_idx" on "ticket_slas" ("started_at") include ("priority", "resolution_due_at", "resolution_warn_at", "paused_since") where "resolved_at" is null;`);
    // First-response and resolution times need every stopped clock's minutes (exact percentiles): read from this index alone.
    this.addSql(`create index "ticket_slas_started_at_idx" on "ticket_slas" ("started_at") include ("first_responded_at", "first_response_minutes", "resolved_at", "resolution_minutes");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "ticket_slas_started_at_idx";`);
    this.addSql(`drop index if exists "ticket_slas_resolution_running_idx";`);
    this.addSql(`drop index if exists "ticket_slas_first_response_running_idx";`);
    this.addSql(`drop function if exists sla_daily_outcomes_apply() cascade;`);
    this.addSql(`drop function if exists sla_daily_outcomes_of(ticket_slas);`);
    this.addSql(`drop table if exists "sla_daily_outcomes" cascade;`);
    this.addSql(`drop index if exists "tickets_deleted_idx";`);
    this.addSql(`drop index if exists "tickets_human_created_at_idx";`);
    this.addSql(`drop function if exists ticket_daily_figures_apply() cascade;`);
    this.addSql(`drop function if exists ticket_daily_figures_of(tickets);`);
    this.addSql(`drop table if exists "ticket_daily_figures" cascade;`);
  }

}
