import { Migration } from '@mikro-orm/migrations';

export class Migration20261206090046_console_inbox_indexes extends Migration {

  override name = 'Migration20261206090046_console_inbox_indexes';

  // The console's Snoozed and Low confidence tabs: their few rows found, listed and counted without a scan.
  override up(): void | Promise<void> {
    this.addSql(`create index "tickets_snoozed_created_at_idx" on "tickets" ("created_at") where "snoozed_since" is not null and "deleted_at" is null;`);
    this.addSql(`create index "tickets_low_confidence_created_at_idx" on "tickets" ("created_at") where "low_confidence" and "deleted_at" is null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "tickets_snoozed_created_at_idx";`);
    this.addSql(`drop index "tickets_low_confidence_created_at_idx";`);
  }

}
