import { Migration } from '@mikro-orm/migrations';

export class Migration20261202023020_agents extends Migration {

  override name = 'Migration20261202023020_agents';

  // Agents are Slack users: the ticket's assignee, the history of its changes, a cache of users.info.
  override up(): void | Promise<void> {
    this.addSql(`create table "agents" ("slack_user_id" varchar(32) not null, "name" varchar(255) null, "email" varchar(320) null, "looked_up_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("slack_user_id"));`);

    this.addSql(`create table "ticket_assignments" ("id" serial primary key, "ticket_id" int not null, "from_slack_user_id" varchar(32) null, "to_slack_user_id" varchar(32) null, "actor" varchar(255) not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "ticket_assignments_ticket_id_idx" on "ticket_assignments" ("ticket_id");`);

    this.addSql(`alter table "tickets" add "assignee_slack_user_id" varchar(32) null;`);
    this.addSql(`create index "tickets_assignee_status_idx" on "tickets" ("assignee_slack_user_id", "status");`);

    this.addSql(`alter table "ticket_assignments" add constraint "ticket_assignments_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "agents" cascade;`);
    this.addSql(`drop table if exists "ticket_assignments" cascade;`);

    this.addSql(`drop index "tickets_assignee_status_idx";`);
    this.addSql(`alter table "tickets" drop column "assignee_slack_user_id";`);
  }

}
