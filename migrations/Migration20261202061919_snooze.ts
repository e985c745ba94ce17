import { Migration } from '@mikro-orm/migrations';

export class Migration20261202061919_snooze extends Migration {

  override name = 'Migration20261202061919_snooze';

  // Snooze: on the ticket (who, since, until) and as the SLA clocks saw it (its pauses of both clocks).

  override up(): void | Promise<void> {
    this.addSql(`alter table "tickets" add "snoozed_since" timestamptz null, add "snoozed_until" timestamptz null, add "snoozed_by" varchar(64) null;`);
    this.addSql(`create index "tickets_snoozed_until_idx" on "tickets" ("snoozed_until");`);

    this.addSql(`alter table "ticket_slas" add "snoozed_since" timestamptz null, add "snoozed_until" timestamptz null, add "snoozes" jsonb not null default '[]';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ticket_slas" drop column "snoozed_since", drop column "snoozed_until", drop column "snoozes";`);

    this.addSql(`drop index "tickets_snoozed_until_idx";`);
    this.addSql(`alter table "tickets" drop column "snoozed_since", drop column "snoozed_until", drop column "snoozed_by";`);
  }

}
