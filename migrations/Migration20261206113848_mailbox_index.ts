import { Migration } from '@mikro-orm/migrations';

export class Migration20261206113848_mailbox_index extends Migration {

  override name = 'Migration20261206113848_mailbox_index';

  // GET /api/v1/requests?mailbox= and the console's mailbox filter read one mailbox's mail newest first
  // without scanning every ticket's metadata.
  override up(): void | Promise<void> {
    this.addSql(`create index "tickets_mailbox_created_at_idx" on "tickets" (("metadata"->>'mailbox_id'), "created_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "tickets_mailbox_created_at_idx";`);
  }

}
