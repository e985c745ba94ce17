import { Migration } from '@mikro-orm/migrations';

export class Migration20261124140700 extends Migration {

  override name = 'Migration20261124140700';

  override up(): void | Promise<void> {
    this.addSql(`create table "digest_runs" ("period_key" varchar(64) not null, "channel" varchar(64) not null, "state" varchar(16) not null, "ts" varchar(32) null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("period_key"));`);

    this.addSql(`create table "idempotency_keys" ("key" varchar(255) not null, "request_hash" varchar(64) not null, "ticket_id" int not null, "created_at" timestamptz not null default now(), primary key ("key"));`);

    this.addSql(`create table "inbound_events" ("id" serial primary key, "source" varchar(20) not null, "delivery_id" varchar(255) null, "verdict" varchar(20) not null, "reason" text null, "ticket_id" int null, "size" int not null default 0, "payload" text null, "metadata" jsonb null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "inbound_events_source_created_at_idx" on "inbound_events" ("source", "created_at");`);
    this.addSql(`create index "inbound_events_delivery_id_idx" on "inbound_events" ("source", "delivery_id");`);

    this.addSql(`create table "mailbox_cursors" ("mailbox" varchar(512) not null, "uid_validity" bigint not null, "last_uid" bigint not null default '0', "updated_at" timestamptz not null default now(), primary key ("mailbox"));`);

    this.addSql(`create table "slack_posts" ("key" varchar(255) not null, "ticket_id" int not null, "channel" varchar(64) not null, "ts" varchar(32) not null, "thread_ts" varchar(32) null, "created_at" timestamptz not null default now(), primary key ("key"));`);
    this.addSql(`create index "slack_posts_ticket_id_idx" on "slack_posts" ("ticket_id");`);

    this.addSql(`create table "tickets" ("id" serial primary key, "source" text not null, "external_id" varchar(255) null, "subject" text null, "body" text not null, "full_body" text null, "requester_email" varchar(320) null, "requester_name" varchar(255) null, "participants" jsonb null, "original_queue" varchar(255) null, "original_priority" varchar(50) null, "status" text not null default 'processing', "priority" text null, "language" varchar(16) null, "tags" jsonb null, "metadata" jsonb null, "category" text null, "confidence" double precision null, "summary" text null, "classifier" text null, "current_classification_id" int null, "received_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null);`);
    this.addSql(`create index "tickets_created_at_idx" on "tickets" ("created_at");`);
    this.addSql(`create index "tickets_category_created_at_idx" on "tickets" ("category", "created_at");`);
    this.addSql(`create index "tickets_status_created_at_idx" on "tickets" ("status", "created_at");`);
    this.addSql(`create index "tickets_source_created_at_idx" on "tickets" ("source", "created_at");`);
    this.addSql(`create index "tickets_requester_email_idx" on "tickets" ("requester_email");`);
    this.addSql(`alter table "tickets" add constraint "tickets_source_external_id_unique" unique ("source", "external_id");`);
    this.addSql(`alter table "tickets" add constraint "tickets_source_check" check ("source" in ('api', 'email', 'zendesk', 'freshdesk', 'helpscout', 'intercom', 'front', 'generic', 'slack', 'seed'));`);
    this.addSql(`alter table "tickets" add constraint "tickets_status_check" check ("status" in ('processing', 'open', 'acknowledged', 'resolved'));`);
    this.addSql(`alter table "tickets" add constraint "tickets_priority_check" check ("priority" in ('low', 'medium', 'high', 'urgent'));`);
    this.addSql(`alter table "tickets" add constraint "tickets_category_check" check ("category" in ('technical', 'billing', 'general'));`);
    this.addSql(`alter table "tickets" add constraint "tickets_classifier_check" check ("classifier" in ('llm', 'local', 'keyword', 'human'));`);

    this.addSql(`create table "classifications" ("id" serial primary key, "ticket_id" int not null, "category" text not null, "confidence" double precision not null, "summary" text null, "language" varchar(16) null, "priority" text null, "model_name" varchar(255) not null, "classifier" text not null, "processing_time_ms" int not null default 0, "note" text null, "created_by" varchar(255) null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "classifications_ticket_id_created_at_idx" on "classifications" ("ticket_id", "created_at");`);
    this.addSql(`alter table "classifications" add constraint "classifications_category_check" check ("category" in ('technical', 'billing', 'general'));`);
    this.addSql(`alter table "classifications" add constraint "classifications_priority_check" check ("priority" in ('low', 'medium', 'high', 'urgent'));`);
    this.addSql(`alter table "classifications" add constraint "classifications_classifier_check" check ("classifier" in ('llm', 'local', 'keyword', 'human'));`);

    this.addSql(`create table "ticket_messages" ("id" serial primary key, "ticket_id" int not null, "source" text not null, "external_id" varchar(255) null, "author_email" varchar(320) null, "author_name" varchar(255) null, "subject" text null, "body" text not null, "full_body" text null, "metadata" jsonb null, "received_at" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "ticket_messages_ticket_id_idx" on "ticket_messages" ("ticket_id");`);
    this.addSql(`alter table "ticket_messages" add constraint "ticket_messages_source_external_id_unique" unique ("source", "external_id");`);
    this.addSql(`alter table "ticket_messages" add constraint "ticket_messages_source_check" check ("source" in ('api', 'email', 'zendesk', 'freshdesk', 'helpscout', 'intercom', 'front', 'generic', 'slack', 'seed'));`);

    this.addSql(`create table "attachments" ("id" serial primary key, "ticket_id" int not null, "message_id" int null, "filename" text null, "content_type" varchar(255) not null, "size" int not null, "content" bytea null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "attachments_ticket_id_idx" on "attachments" ("ticket_id");`);

    this.addSql(`alter table "classifications" add constraint "classifications_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`);

    this.addSql(`alter table "ticket_messages" add constraint "ticket_messages_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`);

    this.addSql(`alter table "attachments" add constraint "attachments_ticket_id_foreign" foreign key ("ticket_id") references "tickets" ("id") on delete cascade;`);
    this.addSql(`alter table "attachments" add constraint "attachments_message_id_foreign" foreign key ("message_id") references "ticket_messages" ("id") on delete cascade;`);
  }

}
