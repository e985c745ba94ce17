import { Migration } from '@mikro-orm/migrations';

export class Migration20261207071207_csat_surveys extends Migration {

  override name = 'Migration20261207071207_csat_surveys';

  override up(): void | Promise<void> {
    this.addSql(`create table "csat_surveys" ("id" serial primary key, "ticket_id" int not null, "token" varchar(64) not null, "state" text not null default 'pending', "due_at" timestamptz not null, "sent_at" timestamptz null, "score" smallint null, "answered_at" timestamptz null, "note" varchar(255) null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "csat_surveys" add constraint "csat_surveys_token_unique" unique ("token");`);
    this.addSql(`create index "csat_surveys_ticket_state_idx" on "csat_surveys" ("ticket_id", "state");`);
    this.addSql(`create index "csat_surveys_answered_at_idx" on "csat_surveys" ("answered_at") include ("score", "ticket_id") where "answered_at" is not null;`);

    this.addSql(`alter table "csat_surveys" add constraint "csat_surveys_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`);
    this.addSql(`alter table "csat_surveys" add constraint "csat_surveys_state_check" check ("state" in ('pending', 'sent', 'answered', 'cancelled', 'skipped', 'failed'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "csat_surveys" cascade;`);
  }

}
