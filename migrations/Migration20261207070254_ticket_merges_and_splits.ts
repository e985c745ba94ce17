import { Migration } from '@mikro-orm/migrations';

export class Migration20261207070254_ticket_merges_and_splits extends Migration {

  override name = 'Migration20261207070254_ticket_merges_and_splits';

  override up(): void | Promise<void> {
    this.addSql(`create table "ticket_merges" ("id" serial primary key, "source_ticket_id" int not null, "target_ticket_id" int not null, "moved_message_ids" jsonb not null, "carried_message_id" int null, "merged_by" varchar(255) not null, "merged_at" timestamptz not null default now(), "undone_by" varchar(255) null, "undone_at" timestamptz null);`);
    this.addSql(`create unique index "ticket_merges_source_active_unique" on "ticket_merges" ("source_ticket_id") where "undone_at" is null;`);
    this.addSql(`create index "ticket_merges_target_ticket_id_idx" on "ticket_merges" ("target_ticket_id");`);

    this.addSql(`alter table "tickets" add "merged_into_id" int null, add "split_from_id" int null;`);
    this.addSql(`create index "tickets_split_from_idx" on "tickets" ("split_from_id") where "split_from_id" is not null;`);

    this.addSql(`alter table "ticket_merges" add constraint "ticket_merges_source_ticket_id_foreign" foreign key ("source_ticket_id") references "tickets" ("id") on delete cascade;`);
    this.addSql(`alter table "ticket_merges" add constraint "ticket_merges_target_ticket_id_foreign" foreign key ("target_ticket_id") references "tickets" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ticket_merges" cascade;`);

    this.addSql(`drop index "tickets_split_from_idx";`);
    this.addSql(`alter table "tickets" drop column "merged_into_id", drop column "split_from_id";`);
  }

}
