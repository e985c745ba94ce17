import { Migration } from '@mikro-orm/migrations';

export class Migration20261206170000_slack_author_index extends Migration {

  override name = 'Migration20261206170000_slack_author_index';

  override up(): void | Promise<void> {
    this.addSql(`create index "tickets_slack_author_idx" on "tickets" (("metadata"->>'slack_channel'), ("metadata"->>'slack_user'), "updated_at") where "source" = 'slack' and "status" <> 'resolved' and "deleted_at" is null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "tickets_slack_author_idx";`);
  }

}
