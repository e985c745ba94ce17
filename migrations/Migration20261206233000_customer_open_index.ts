import { Migration } from '@mikro-orm/migrations';

export class Migration20261206233000_customer_open_index extends Migration {

  override name = 'Migration20261206233000_customer_open_index';

  override up(): void | Promise<void> {
    this.addSql(`create index "tickets_customer_open_idx" on "tickets" ("customer_id") where "status" <> 'resolved' and "deleted_at" is null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "tickets_customer_open_idx";`);
  }

}
