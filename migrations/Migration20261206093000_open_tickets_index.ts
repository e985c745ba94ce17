import { Migration } from '@mikro-orm/migrations';

export class Migration20261206093000_open_tickets_index extends Migration {

  override name = 'Migration20261206093000_open_tickets_index';

  // The dashboard's backlog by age counts open tickets by creation time from this index alone (index-only
  // scan), not from the whole table: resolved tickets, most of a mature database, are not in it.
  override up(): void | Promise<void> {
    this.addSql(`create index "tickets_open_created_at_idx" on "tickets" ("created_at") where "status" <> 'resolved' and "deleted_at" is null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "tickets_open_created_at_idx";`);
  }

}
