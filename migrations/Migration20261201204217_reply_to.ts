import { Migration } from '@mikro-orm/migrations';

export class Migration20261201204217_reply_to extends Migration {

  override name = 'Migration20261201204217_reply_to';

  // E-mail Reply-To, kept apart from the requester (From): where agents' replies go.
  override up(): void | Promise<void> {
    this.addSql(`alter table "tickets" add "reply_to" varchar(320) null;`);

    this.addSql(`alter table "ticket_messages" add "reply_to" varchar(320) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ticket_messages" drop column "reply_to";`);

    this.addSql(`alter table "tickets" drop column "reply_to";`);
  }

}
