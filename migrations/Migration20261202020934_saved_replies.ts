import { Migration } from '@mikro-orm/migrations';

export class Migration20261202020934_saved_replies extends Migration {

  override name = 'Migration20261202020934_saved_replies';

  // Saved replies: the draft agents start from when no model writes one (managed through /api/v1/saved-replies).
  override up(): void | Promise<void> {
    this.addSql(`create table "saved_replies" ("id" serial primary key, "title" varchar(200) not null, "body" text not null, "category" text null, "language" varchar(16) null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`create index "saved_replies_category_idx" on "saved_replies" ("category");`);

    this.addSql(`alter table "saved_replies" add constraint "saved_replies_category_check" check ("category" in ('technical', 'billing', 'general'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "saved_replies" cascade;`);
  }

}
