import { Migration } from '@mikro-orm/migrations';

export class Migration20261207102643_incidents extends Migration {

  override name = 'Migration20261207102643_incidents';

  override up(): void | Promise<void> {
    this.addSql(`create table "incidents" ("id" serial primary key, "category" text not null, "title" varchar(255) not null, "title_ticket_id" int null, "opened_at" timestamptz not null default now(), "last_joined_at" timestamptz not null default now(), "closed_at" timestamptz null, "closed_by" varchar(255) null, "minhashes" jsonb not null, "version" int not null default 1, "shown_version" int not null default 0);`);
    this.addSql(`create index "incidents_open_category_idx" on "incidents" ("category", "last_joined_at") where "closed_at" is null;`);
    this.addSql(`create index "incidents_opened_at_idx" on "incidents" ("opened_at");`);

    this.addSql(`create table "ticket_fingerprints" ("ticket_id" int not null, "category" text not null, "minhash" jsonb not null, "created_at" timestamptz not null default now(), primary key ("ticket_id"));`);
    this.addSql(`create index "ticket_fingerprints_category_created_at_idx" on "ticket_fingerprints" ("category", "created_at");`);

    this.addSql(`alter table "tickets" add "incident_id" int null;`);
    this.addSql(`create index "tickets_incident_idx" on "tickets" ("incident_id", "id") where "incident_id" is not null;`);

    this.addSql(`alter table "incidents" add constraint "incidents_category_check" check ("category" in ('technical', 'billing', 'general'));`);

    this.addSql(`alter table "ticket_fingerprints" add constraint "ticket_fingerprints_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ticket_fingerprints" add constraint "ticket_fingerprints_category_check" check ("category" in ('technical', 'billing', 'general'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "incidents" cascade;`);
    this.addSql(`drop table if exists "ticket_fingerprints" cascade;`);

    this.addSql(`drop index "tickets_incident_idx";`);
    this.addSql(`alter table "tickets" drop column "incident_id";`);
  }

}
