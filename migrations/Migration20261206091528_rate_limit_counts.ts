import { Migration } from '@mikro-orm/migrations';

export class Migration20261206091528_rate_limit_counts extends Migration {

  override name = 'Migration20261206091528_rate_limit_counts';

  // The rate limits' shared counts and claims, one row per instance, key and window, written in one batch per
  // sync. The table rate-limiter-flexible created for itself (two queries per request) is no longer read.
  override up(): void | Promise<void> {
    this.addSql(`create table "rate_limit_counts" ("limiter" varchar(32) not null, "key" varchar(64) not null, "window_start" timestamptz not null, "instance" varchar(64) not null, "count" int not null, "claimed" int not null, "wants" boolean not null, "updated_at" timestamptz not null default now(), primary key ("limiter", "key", "window_start", "instance"));`);
    this.addSql(`create index "rate_limit_counts_window_start_updated_at_index" on "rate_limit_counts" ("window_start", "updated_at");`);

    this.addSql(`create table "rate_limit_instances" ("instance" varchar(64) not null, "seen_at" timestamptz not null default now(), primary key ("instance"));`);
    this.addSql(`drop table if exists "http_rate_limits";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "rate_limit_counts" cascade;`);
    this.addSql(`drop table if exists "rate_limit_instances" cascade;`);
  }

}
