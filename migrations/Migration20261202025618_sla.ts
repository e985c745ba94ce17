import { Migration } from '@mikro-orm/migrations';

export class Migration20261202025618_sla extends Migration {

  override name = 'Migration20261202025618_sla';

  // SLA clocks per ticket (src/sla/) and the warnings and breaches emitted, one row per (ticket, kind).

  override up(): void | Promise<void> {
    this.addSql(`create table "sla_events" ("ticket_id" int not null, "kind" varchar(32) not null, "due_at" timestamptz not null, "posted" boolean not null, "created_at" timestamptz not null default now(), primary key ("ticket_id", "kind"));`);

    this.addSql(`create table "ticket_slas" ("ticket_id" int not null, "priority" varchar(16) null, "started_at" timestamptz not null, "first_response_warn_at" timestamptz null, "first_response_due_at" timestamptz null, "first_responded_at" timestamptz null, "resolution_warn_at" timestamptz null, "resolution_due_at" timestamptz null, "resolved_at" timestamptz null, "paused_since" timestamptz null, "pauses" jsonb not null, "next_event_at" timestamptz null, "updated_at" timestamptz not null default now(), primary key ("ticket_id"));`);
    this.addSql(`create index "ticket_slas_next_event_at_idx" on "ticket_slas" ("next_event_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "sla_events" cascade;`);
    this.addSql(`drop table if exists "ticket_slas" cascade;`);
  }

}
