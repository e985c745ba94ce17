import { Migration } from '@mikro-orm/migrations';

export class Migration20261206124000_privacy extends Migration {

  override name = 'Migration20261206124000_privacy';

  override up(): void | Promise<void> {
    this.addSql(`create table "audit_entries" ("id" bigserial primary key, "actor" varchar(255) not null, "action" varchar(32) not null, "ticket_id" int null, "before" jsonb null, "after" jsonb null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "audit_entries_ticket_id_idx" on "audit_entries" ("ticket_id", "id");`);
    this.addSql(`create index "audit_entries_actor_idx" on "audit_entries" ("actor", "id");`);

    this.addSql(`create table "erasures" ("id" serial primary key, "requested_by" varchar(255) not null, "mode" varchar(16) not null, "subject_kind" varchar(16) not null, "subject_ref" varchar(64) not null, "state" varchar(16) not null default 'running', "counts" jsonb null, "created_at" timestamptz not null default now(), "finished_at" timestamptz null);`);

    this.addSql(`create table "erasure_items" ("erasure_id" int not null, "kind" varchar(16) not null, "ref_id" int not null, "done" boolean not null default false, primary key ("erasure_id", "kind", "ref_id"));`);

    this.addSql(`create table "legal_holds" ("id" serial primary key, "kind" varchar(16) not null, "ticket_id" int null, "email" varchar(320) null, "reason" text null, "created_by" varchar(255) not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "legal_holds" add constraint "legal_holds_ticket_unique" unique ("ticket_id");`);
    this.addSql(`alter table "legal_holds" add constraint "legal_holds_email_unique" unique ("email");`);

    this.addSql(`create table "retention_runs" ("kind" varchar(32) not null, "day" varchar(10) not null, "state" varchar(16) not null, "removed" int not null default 0, "updated_at" timestamptz not null default now(), primary key ("kind"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "audit_entries" cascade;`);
    this.addSql(`drop table if exists "erasures" cascade;`);
    this.addSql(`drop table if exists "erasure_items" cascade;`);
    this.addSql(`drop table if exists "legal_holds" cascade;`);
    this.addSql(`drop table if exists "retention_runs" cascade;`);
  }

}
