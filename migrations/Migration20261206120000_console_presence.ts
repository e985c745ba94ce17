import { Migration } from '@mikro-orm/migrations';

export class Migration20261206120000_console_presence extends Migration {

  override name = 'Migration20261206120000_console_presence';

  override up(): void | Promise<void> {
    this.addSql(`create table "console_presence" ("stream_id" varchar(64) not null, "ticket_id" int not null, "user_id" varchar(64) not null, "user_name" varchar(255) null, "seen_at" timestamptz not null default now(), primary key ("stream_id"));`);
    this.addSql(`create index "console_presence_ticket_id_idx" on "console_presence" ("ticket_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "console_presence" cascade;`);
  }

}
