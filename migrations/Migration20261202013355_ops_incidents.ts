import { Migration } from '@mikro-orm/migrations';

export class Migration20261202013355_ops_incidents extends Migration {

  override name = 'Migration20261202013355_ops_incidents';

  // Ops incidents (one open row per key makes the Slack message post once) and each instance's view of the faults.
  override up(): void | Promise<void> {
    this.addSql(`create table "ops_incidents" ("id" serial primary key, "key" varchar(255) not null, "title" text not null, "detail" text null, "since" timestamptz not null, "opened_at" timestamptz not null default now(), "resolved_at" timestamptz null, "resolution_posted_at" timestamptz null);`);
    this.addSql(`create unique index "ops_incidents_open_key_idx" on "ops_incidents" ("key") where "resolved_at" is null;`);

    this.addSql(`create table "ops_signals" ("key" varchar(255) not null, "instance" varchar(64) not null, "bad_since" timestamptz null, "title" text not null, "detail" text null, "seen_at" timestamptz not null default now(), primary key ("key", "instance"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ops_incidents" cascade;`);
    this.addSql(`drop table if exists "ops_signals" cascade;`);
  }

}
