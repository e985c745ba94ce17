import { Migration } from '@mikro-orm/migrations';

export class Migration20261202063509_sla_category extends Migration {

  override name = 'Migration20261202063509_sla_category';

  // Per-category SLA targets: the clocks remember the category they were computed for.

  override up(): void | Promise<void> {
    this.addSql(`alter table "ticket_slas" add "category" varchar(16) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ticket_slas" drop column "category";`);
  }

}
