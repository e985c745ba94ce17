import { Migration } from '@mikro-orm/migrations';

export class Migration20261206234000_sla_clock_minutes extends Migration {

  override name = 'Migration20261206234000_sla_clock_minutes';

  override up(): void | Promise<void> {
    this.addSql(`alter table "ticket_slas" add column "first_response_minutes" double precision null, add column "resolution_minutes" double precision null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ticket_slas" drop column "first_response_minutes", drop column "resolution_minutes";`);
  }

}
