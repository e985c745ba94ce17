import { Migration } from '@mikro-orm/migrations';

export class Migration20261207072341_spam_counts_index extends Migration {

  override name = 'Migration20261207072341_spam_counts_index';

  override up(): void | Promise<void> {
    this.addSql(`create index "inbound_events_suppressed_created_at_idx" on "inbound_events" ("created_at") include ("source") where "verdict" = 'suppressed';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "inbound_events_suppressed_created_at_idx";`);
  }

}
