import { Migration } from '@mikro-orm/migrations';

export class Migration20261206122100_companies extends Migration {

  override name = 'Migration20261206122100_companies';

  override up(): void | Promise<void> {
    this.addSql(`create table "companies" ("id" serial primary key, "name" varchar(255) not null, "tier" varchar(64) null, "custom_fields" jsonb null, "source" varchar(32) null, "external_id" varchar(255) null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`create index "companies_name_trgm_idx" on "companies" using gin ("name" gin_trgm_ops);`);
    this.addSql(`alter table "companies" add constraint "companies_source_external_id_unique" unique ("source", "external_id");`);

    this.addSql(`create table "company_domains" ("id" serial primary key, "company_id" int not null, "domain" varchar(253) not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "company_domains" add constraint "company_domains_domain_unique" unique ("domain");`);
    this.addSql(`create index "company_domains_company_id_idx" on "company_domains" ("company_id");`);

    this.addSql(`alter table "customers" add "company_id" int null, add "company_match" varchar(16) null;`);
    this.addSql(`alter table "customers" add constraint "customers_company_id_foreign" foreign key ("company_id") references "companies" ("id") on delete set null;`);
    this.addSql(`create index "customers_company_id_idx" on "customers" ("company_id");`);

    this.addSql(`create index "customer_identities_email_domain_idx" on "customer_identities" (split_part("value", '@', 2)) where "kind" = 'email';`);

    this.addSql(`alter table "company_domains" add constraint "company_domains_company_id_foreign" foreign key ("company_id") references "companies" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "company_domains" drop constraint "company_domains_company_id_foreign";`);
    this.addSql(`alter table "customers" drop constraint "customers_company_id_foreign";`);

    this.addSql(`drop table if exists "companies" cascade;`);
    this.addSql(`drop table if exists "company_domains" cascade;`);

    this.addSql(`drop index "customer_identities_email_domain_idx";`);

    this.addSql(`drop index "customers_company_id_idx";`);
    this.addSql(`alter table "customers" drop column "company_id", drop column "company_match";`);
  }

}
