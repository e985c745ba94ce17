import { Migration } from '@mikro-orm/migrations';

export class Migration20261206125000_card_refreshes extends Migration {

  override name = 'Migration20261206125000_card_refreshes';

  override up(): void | Promise<void> {
    this.addSql(`create table "slack_card_refreshes" ("ticket_id" int not null, "lines" jsonb not null, "version" int not null default 1, "requested_at" timestamptz not null default now(), primary key ("ticket_id"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "slack_card_refreshes" cascade;`);
  }

}
