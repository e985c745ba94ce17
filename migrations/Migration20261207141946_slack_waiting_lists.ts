import { Migration } from '@mikro-orm/migrations';

export class Migration20261207141946_slack_waiting_lists extends Migration {

  override name = 'Migration20261207141946_slack_waiting_lists';

  override up(): void | Promise<void> {
    this.addSql(`create table "slack_waiting_lists" ("id" serial primary key, "channel" varchar(64) not null, "ticket_ids" jsonb not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "slack_waiting_lists_channel_created_at_idx" on "slack_waiting_lists" ("channel", "created_at");`);

    this.addSql(`create index "slack_posts_waiting_idx" on "slack_posts" ("channel", "ticket_id") where "ts" = '';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "slack_waiting_lists" cascade;`);

    this.addSql(`drop index "slack_posts_waiting_idx";`);
  }

}
