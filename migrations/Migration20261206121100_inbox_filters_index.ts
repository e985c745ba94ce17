import { Migration } from '@mikro-orm/migrations';

export class Migration20261206121100_inbox_filters_index extends Migration {

  override name = 'Migration20261206121100_inbox_filters_index';

  // The inbox counts every tab under the view's filters, each capped at 1,000. A combination that matches
  // nothing (billing, German, waiting on the customer) walked every open ticket through the open-tickets index:
  // 1.4 s at 1,000,000 tickets. With the filters and the tabs' status and assignee leading, it is a short walk.
  override up(): void | Promise<void> {
    this.addSql(`create index "tickets_filters_idx" on "tickets" ("category", "language", "status", "assignee_slack_user_id", "created_at") where "deleted_at" is null;`);
    // Which combinations exist: without it the planner multiplies the three shares, expects thousands of
    // "billing, German, waiting" tickets, and walks the open-tickets index hoping to reach the cap early.
    this.addSql(`create statistics if not exists "tickets_filters_stats" (mcv) on "category", "language", "status" from "tickets";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop statistics if exists "tickets_filters_stats";`);
    this.addSql(`drop index "tickets_filters_idx";`);
  }

}
