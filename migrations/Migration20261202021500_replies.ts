import { Migration } from '@mikro-orm/migrations';

export class Migration20261202021500_replies extends Migration {

  override name = 'Migration20261202021500_replies';

  // Agents' replies to customers (outbound messages with their delivery state), and the status they leave behind.
  override up(): void | Promise<void> {
    this.addSql(`alter table "tickets" drop constraint if exists "tickets_status_check";`);
    this.addSql(`alter table "tickets" add constraint "tickets_status_check" check ("status" in ('processing', 'open', 'acknowledged', 'waiting_on_customer', 'resolved'));`);

    this.addSql(`create table "ticket_replies" ("id" serial primary key, "ticket_id" int not null, "agent_slack_id" varchar(32) not null, "agent_name" varchar(255) null, "body" text not null, "draft_origin" text check ("draft_origin" in ('ai', 'saved_reply', 'none')) not null, "saved_reply_id" int null, "state" text check ("state" in ('queued', 'sent', 'failed')) not null default 'queued', "message_id" varchar(255) not null, "request_key" varchar(255) null, "external_id" varchar(255) null, "attempts" int not null default 0, "last_error" text null, "created_at" timestamptz not null default now(), "sent_at" timestamptz null);`);
    this.addSql(`alter table "ticket_replies" add constraint "ticket_replies_message_id_unique" unique ("message_id");`);
    this.addSql(`alter table "ticket_replies" add constraint "ticket_replies_request_key_unique" unique ("request_key");`);
    this.addSql(`create index "ticket_replies_ticket_id_idx" on "ticket_replies" ("ticket_id");`);
    this.addSql(`alter table "ticket_replies" add constraint "ticket_replies_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ticket_replies" cascade;`);
    this.addSql(`update "tickets" set "status" = 'open' where "status" = 'waiting_on_customer';`);
    this.addSql(`alter table "tickets" drop constraint if exists "tickets_status_check";`);
    this.addSql(`alter table "tickets" add constraint "tickets_status_check" check ("status" in ('processing', 'open', 'acknowledged', 'resolved'));`);
  }

}
