import { Migration } from '@mikro-orm/migrations';

export class Migration20261206083000_console_sessions extends Migration {

  override name = 'Migration20261206083000_console_sessions';

  // The operator console's sessions and one-time sign-in links, both keyed by a token's SHA-256, never the token.
  override up(): void | Promise<void> {
    this.addSql(`create table "console_sessions" ("token_hash" varchar(64) not null, "user_id" varchar(64) not null, "user_name" varchar(255) null, "role" varchar(16) not null, "csrf_token" varchar(64) not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, primary key ("token_hash"));`);
    this.addSql(`create index "console_sessions_user_id_idx" on "console_sessions" ("user_id");`);
    this.addSql(`create index "console_sessions_expires_at_idx" on "console_sessions" ("expires_at");`);

    this.addSql(`create table "console_sign_in_links" ("token_hash" varchar(64) not null, "role" varchar(16) not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("token_hash"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "console_sign_in_links" cascade;`);
    this.addSql(`drop table if exists "console_sessions" cascade;`);
  }

}
