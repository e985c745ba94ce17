import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193000_card_refresh_claims extends Migration {

  override name = 'Migration20261206193000_card_refresh_claims';

  override up(): void | Promise<void> {
    this.addSql(`alter table "slack_card_refreshes" add column "claim" varchar(64) null, add column "claimed_until" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "slack_card_refreshes" drop column "claim", drop column "claimed_until";`);
  }

}
