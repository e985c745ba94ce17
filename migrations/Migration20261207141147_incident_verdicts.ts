import { Migration } from '@mikro-orm/migrations';

export class Migration20261207141147_incident_verdicts extends Migration {

  override name = 'Migration20261207141147_incident_verdicts';

  override up(): void | Promise<void> {
    this.addSql(`alter table "ticket_fingerprints" add "shown_on_incident_id" int null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ticket_fingerprints" drop column "shown_on_incident_id";`);
  }

}
