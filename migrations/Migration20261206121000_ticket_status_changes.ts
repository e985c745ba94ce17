import { Migration } from '@mikro-orm/migrations';

export class Migration20261206121000_ticket_status_changes extends Migration {

  override name = 'Migration20261206121000_ticket_status_changes';

  override up(): void | Promise<void> {
    this.addSql(`create table "ticket_status_changes" ("id" serial primary key, "ticket_id" int not null, "from_status" varchar(32) not null, "to_status" varchar(32) not null, "actor" varchar(255) not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "ticket_status_changes_ticket_id_idx" on "ticket_status_changes" ("ticket_id");`);

    this.addSql(`alter table "ticket_status_changes" add constraint "ticket_status_changes_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ticket_status_changes" cascade;`);
  }

}
