import { defineEntity, p } from '@mikro-orm/core';
import { Company } from './company.ts';

/**
 * A person who writes to support, one across every door (src/ingest/customers.ts). Who they are is in
 * customer_identities: e-mail addresses and the ids doors give them (a helpdesk's requester id, later Slack's).
 */
export const Customer = defineEntity({
  name: 'Customer',
  tableName: 'customers',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(255).nullable(),
    company: () => p.manyToOne(Company).nullable().deleteRule('set null'),
    /** How the company was set: 'domain' (matched again when domains change), 'helpdesk' or 'manual' (kept). */
    companyMatch: p.string().length(16).nullable(),
    /** When a message of theirs first / last arrived (last_seen_at to the minute: it is not rewritten more often). */
    firstSeenAt: p.datetime().defaultRaw('now()'),
    lastSeenAt: p.datetime().defaultRaw('now()'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    { name: 'customers_last_seen_at_idx', properties: ['lastSeenAt', 'id'] },
    { name: 'customers_company_id_idx', properties: ['company'] },
    { name: 'customers_name_trgm_idx', expression: 'create index "customers_name_trgm_idx" on "customers" using gin ("name" gin_trgm_ops)' },
  ],
});

/**
 * One way to recognise a customer: `kind` 'email' with a lower-case address (whatever door it came through), or
 * a door's name ('zendesk', 'intercom', 'slack', ...) with that door's id of the person. Unique: an identity
 * belongs to one customer; the unique index is what keeps two instances from creating the same person twice.
 */
export const CustomerIdentity = defineEntity({
  name: 'CustomerIdentity',
  tableName: 'customer_identities',
  properties: {
    id: p.integer().primary().autoincrement(),
    customer: () => p.manyToOne(Customer).deleteRule('cascade'),
    kind: p.string().length(32),
    value: p.string().length(320),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  uniques: [{ name: 'customer_identities_kind_value_unique', properties: ['kind', 'value'] }],
  indexes: [
    { name: 'customer_identities_customer_id_idx', properties: ['customer'] },
    // Matching a company's domains finds its customers' addresses by domain.
    { name: 'customer_identities_email_domain_idx', expression: `create index "customer_identities_email_domain_idx" on "customer_identities" (split_part("value", '@', 2)) where "kind" = 'email'` },
    { name: 'customer_identities_value_trgm_idx', expression: 'create index "customer_identities_value_trgm_idx" on "customer_identities" using gin ("value" gin_trgm_ops)' },
  ],
});
