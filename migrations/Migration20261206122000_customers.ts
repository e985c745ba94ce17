import { Migration } from '@mikro-orm/migrations';

export class Migration20261206122000_customers extends Migration {

  override name = 'Migration20261206122000_customers';

  override up(): void | Promise<void> {
    this.addSql(`create table "customers" ("id" serial primary key, "name" varchar(255) null, "first_seen_at" timestamptz not null default now(), "last_seen_at" timestamptz not null default now(), "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`create index "customers_last_seen_at_idx" on "customers" ("last_seen_at", "id");`);
    this.addSql(`create index "customers_name_trgm_idx" on "customers" using gin ("name" gin_trgm_ops);`);

    this.addSql(`create table "customer_identities" ("id" serial primary key, "customer_id" int not null, "kind" varchar(32) not null, "value" varchar(320) not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "customer_identities_customer_id_idx" on "customer_identities" ("customer_id");`);
    this.addSql(`create index "customer_identities_value_trgm_idx" on "customer_identities" using gin ("value" gin_trgm_ops);`);
    this.addSql(`alter table "customer_identities" add constraint "customer_identities_kind_value_unique" unique ("kind", "value");`);

    this.addSql(`alter table "tickets" add "customer_id" int null;`);
    this.addSql(`alter table "tickets" add constraint "tickets_customer_id_foreign" foreign key ("customer_id") references "customers" ("id") on delete set null;`);
    this.addSql(`create index "tickets_customer_created_at_idx" on "tickets" ("customer_id", "created_at");`);

    this.addSql(`alter table "customer_identities" add constraint "customer_identities_customer_id_foreign" foreign key ("customer_id") references "customers" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "customer_identities" drop constraint "customer_identities_customer_id_foreign";`);
    this.addSql(`alter table "tickets" drop constraint "tickets_customer_id_foreign";`);

    this.addSql(`drop table if exists "customers" cascade;`);
    this.addSql(`drop table if exists "customer_identities" cascade;`);

    this.addSql(`drop index "tickets_customer_created_at_idx";`);
    this.addSql(`alter table "tickets" drop column "customer_id";`);
  }

}
