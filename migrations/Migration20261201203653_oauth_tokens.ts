import { Migration } from '@mikro-orm/migrations';

export class Migration20261201203653_oauth_tokens extends Migration {

  override name = 'Migration20261201203653_oauth_tokens';

  override up(): void | Promise<void> {
    this.addSql(`create table "oauth_tokens" ("account" varchar(512) not null, "provider" varchar(32) not null, "client_id" varchar(255) not null, "key_id" varchar(32) not null, "refresh_token" text not null, "seed_hash" varchar(64) null, "version" int not null default 1, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("account"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "oauth_tokens" cascade;`);
  }

}
