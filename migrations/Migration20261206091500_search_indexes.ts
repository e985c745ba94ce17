import { Migration } from '@mikro-orm/migrations';

export class Migration20261206091500_search_indexes extends Migration {

  override name = 'Migration20261206091500_search_indexes';

  // Search (console and GET /api/v1/requests?q=): trigram GIN indexes serve ILIKE '%…%' on subjects, bodies,
  // and follow-ups; addresses and domains by expression (case-insensitive); word indexes with the 'simple' configuration (tickets are multilingual:
  // no stemming of one language applied to all) serve word queries in any order. The expressions must stay
  // identical to src/db/repositories/ticket-search.ts for the planner to use them.
  override up(): void | Promise<void> {
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`create index "tickets_subject_trgm_idx" on "tickets" using gin ("subject" gin_trgm_ops);`);
    this.addSql(`create index "tickets_body_trgm_idx" on "tickets" using gin ("body" gin_trgm_ops);`);
    this.addSql(`create index "tickets_requester_email_lower_idx" on "tickets" (lower("requester_email"));`);
    this.addSql(`create index "tickets_requester_domain_idx" on "tickets" (split_part(lower("requester_email"), '@', 2));`);
    this.addSql(`create index "tickets_words_idx" on "tickets" using gin (to_tsvector('simple'::regconfig, coalesce("subject", '') || ' ' || left("body", 100000)));`);
    this.addSql(`create index "ticket_messages_body_trgm_idx" on "ticket_messages" using gin ("body" gin_trgm_ops);`);
    this.addSql(`create index "ticket_messages_words_idx" on "ticket_messages" using gin (to_tsvector('simple'::regconfig, left("body", 100000)));`);
  }

  override down(): void | Promise<void> {
    for (const index of ['tickets_subject_trgm_idx', 'tickets_body_trgm_idx', 'tickets_requester_email_lower_idx', 'tickets_requester_domain_idx', 'tickets_words_idx', 'ticket_messages_body_trgm_idx', 'ticket_messages_words_idx']) {
      this.addSql(`drop index if exists "${index}";`);
    }
  }

}
