import { Migration } from '@mikro-orm/migrations';

export class Migration20261206235000_sender_blocks extends Migration {

  override name = 'Migration20261206235000_sender_blocks';

  override up(): void | Promise<void> {
    this.addSql(`create table "sender_blocks" ("id" serial primary key, "kind" text not null, "value" varchar(320) not null, "blocked_by" varchar(255) not null, "ticket_id" int null, "created_at" timestamptz not null default now(), "unblocked_by" varchar(255) null, "unblocked_at" timestamptz null, "suppressed" int not null default 0, "last_suppressed_at" timestamptz null);`);
    this.addSql(`create unique index "sender_blocks_active_unique" on "sender_blocks" ("kind", "value") where "unblocked_at" is null;`);

    this.addSql(`alter table "sender_blocks" add constraint "sender_blocks_kind_check" check ("kind" in ('email', 'domain'));`);
    this.addSql(`create index "inbound_events_suppressed_idx" on "inbound_events" ("id") where "verdict" = 'suppressed';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "inbound_events_suppressed_idx";`);
    this.addSql(`drop table if exists "sender_blocks" cascade;`);
  }

}
