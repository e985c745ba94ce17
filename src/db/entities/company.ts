import { defineEntity, p } from '@mikro-orm/core';

/**
 * A customer's organisation. Customers join it by their e-mail domain (company_domains) or because a helpdesk
 * said so (`source`/`external_id`: the helpdesk's organisation id). Name, tier and custom fields come from the
 * helpdesk's payload where it carries them, else from REST.
 */
export const Company = defineEntity({
  name: 'Company',
  tableName: 'companies',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(255),
    tier: p.string().length(64).nullable(),
    customFields: p.json<Record<string, unknown>>().nullable(),
    /** The helpdesk that knows this company (zendesk, freshdesk, intercom) and its id there. */
    source: p.string().length(32).nullable(),
    externalId: p.string().length(255).nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
  uniques: [{ name: 'companies_source_external_id_unique', properties: ['source', 'externalId'] }],
  indexes: [
    { name: 'companies_name_trgm_idx', expression: 'create index "companies_name_trgm_idx" on "companies" using gin ("name" gin_trgm_ops)' },
  ],
});

/** A domain of a company (lower case, punycode): customers with an address there belong to it. One company per domain. */
export const CompanyDomain = defineEntity({
  name: 'CompanyDomain',
  tableName: 'company_domains',
  properties: {
    id: p.integer().primary().autoincrement(),
    company: () => p.manyToOne(Company).deleteRule('cascade'),
    domain: p.string().length(253),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  uniques: [{ name: 'company_domains_domain_unique', properties: ['domain'] }],
  indexes: [{ name: 'company_domains_company_id_idx', properties: ['company'] }],
});
