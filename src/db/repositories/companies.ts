/**
 * Companies, their domains, and which customers belong to them. A customer joins a company by an e-mail address
 * at one of its domains (company_match 'domain'), by a helpdesk's word ('helpdesk') or by hand ('manual'); only
 * domain matches are redone when a company's domains change, so a person put somewhere on purpose stays there.
 */
import type { Sql } from '../sql.ts';
import { jsonb } from '../sql.ts';

export interface Company {
  id: number;
  name: string;
  tier: string | null;
  customFields: Record<string, unknown>;
  domains: string[];
  source: string | null;
  externalId: string | null;
  customers: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface CompanyInput {
  name?: string;
  tier?: string | null;
  customFields?: Record<string, unknown>;
}

function selectCompanies(db: Sql) {
  return db.kysely
    .selectFrom('companies as c')
    .select(['c.id', 'c.name', 'c.tier', 'c.custom_fields', 'c.source', 'c.external_id', 'c.created_at', 'c.updated_at'])
    .select((eb) => [
      eb.selectFrom('company_domains as d').whereRef('d.company_id', '=', 'c.id').select((e) => e.fn.agg<string[] | null>('array_agg', ['d.domain']).as('x')).as('domains'),
      eb.selectFrom('customers as k').whereRef('k.company_id', '=', 'c.id').select((e) => e.fn.countAll<string>().as('n')).as('customers'),
    ]);
}
type Row = Awaited<ReturnType<ReturnType<typeof selectCompanies>['executeTakeFirstOrThrow']>>;

const toCompany = (r: Row): Company => ({
  id: r.id,
  name: r.name,
  tier: r.tier,
  customFields: (r.custom_fields as Record<string, unknown> | null) ?? {},
  domains: [...(r.domains ?? [])].sort(),
  source: r.source,
  externalId: r.external_id,
  customers: Number(r.customers ?? 0),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export async function getCompany(db: Sql, id: number): Promise<Company | null> {
  const row = await selectCompanies(db).where('c.id', '=', id).executeTakeFirst();
  return row ? toCompany(row) : null;
}

/** Companies by name or domain (substring, any case), newest first, `limit` after the id `before` (keyset). */
export async function listCompanies(db: Sql, q: { search?: string; before?: number; limit: number }): Promise<Company[]> {
  let query = selectCompanies(db).orderBy('c.id', 'desc').limit(q.limit);
  if (q.before !== undefined) query = query.where('c.id', '<', q.before);
  if (q.search) {
    const like = `%${q.search.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    query = query.where((eb) =>
      eb.or([eb('c.name', 'ilike', like), eb.exists(eb.selectFrom('company_domains as d').whereRef('d.company_id', '=', 'c.id').where('d.domain', 'ilike', like).select('d.id'))]),
    );
  }
  return (await query.execute()).map(toCompany);
}

export async function createCompany(db: Sql, input: Required<Pick<CompanyInput, 'name'>> & CompanyInput & { source?: string | null; externalId?: string | null }): Promise<number> {
  const row = await db.kysely
    .insertInto('companies')
    .values({ name: input.name, tier: input.tier ?? null, custom_fields: jsonb(input.customFields ?? null), source: input.source ?? null, external_id: input.externalId ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateCompany(db: Sql, id: number, input: CompanyInput): Promise<boolean> {
  const result = await db.kysely
    .updateTable('companies')
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.tier !== undefined ? { tier: input.tier } : {}),
      ...(input.customFields !== undefined ? { custom_fields: jsonb(input.customFields) } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The company holding each of `domains`, where one does. */
export async function domainOwners(db: Sql, domains: string[]): Promise<{ domain: string; companyId: number }[]> {
  if (!domains.length) return [];
  const rows = await db.kysely.selectFrom('company_domains').select(['domain', 'company_id']).where('domain', 'in', domains).execute();
  return rows.map((r) => ({ domain: r.domain, companyId: r.company_id }));
}

/** Makes `domains` the company's whole list (the caller checked none belongs to another company). */
export async function replaceCompanyDomains(tx: Sql, companyId: number, domains: string[]): Promise<void> {
  await tx.kysely.deleteFrom('company_domains').where('company_id', '=', companyId).where('domain', 'not in', domains.length ? domains : ['']).execute();
  if (domains.length) {
    await tx.kysely.insertInto('company_domains').values(domains.map((domain) => ({ company_id: companyId, domain }))).onConflict((oc) => oc.column('domain').doNothing()).execute();
  }
  await tx.kysely.updateTable('companies').set({ updated_at: new Date() }).where('id', '=', companyId).execute();
}

/**
 * Matches the company's domains again: customers it holds by a domain it no longer has leave it; customers
 * without a company who have an address at one of its domains join it. Returns how many left and joined.
 */
export async function rematchCompany(tx: Sql, companyId: number): Promise<{ left: number; joined: number }> {
  const left = await tx.query<{ id: number }>(
    `update customers c set company_id = null, company_match = null, updated_at = now()
      where c.company_id = $1 and c.company_match = 'domain'
        and not exists (select 1 from customer_identities i join company_domains d on d.domain = split_part(i.value, '@', 2) and d.company_id = $1
                         where i.customer_id = c.id and i.kind = 'email')
      returning c.id`,
    [companyId],
  );
  const joined = await tx.query<{ id: number }>(
    `update customers c set company_id = $1, company_match = 'domain', updated_at = now()
       from (select distinct i.customer_id from company_domains d
               join customer_identities i on i.kind = 'email' and split_part(i.value, '@', 2) = d.domain
              where d.company_id = $1) m
      where c.id = m.customer_id and c.company_id is null
      returning c.id`,
    [companyId],
  );
  return { left: left.length, joined: joined.length };
}

/** Customers without a company join the one holding the domain of one of their addresses (ingest, new addresses). */
export async function matchCustomersByDomain(tx: Sql, customerIds: number[]): Promise<void> {
  if (!customerIds.length) return;
  await tx.query(
    `update customers c set company_id = m.company_id, company_match = 'domain'
       from (select distinct on (i.customer_id) i.customer_id, d.company_id from customer_identities i
               join company_domains d on d.domain = split_part(i.value, '@', 2)
              where i.kind = 'email' and i.customer_id = any($1::int[]) order by i.customer_id, i.id) m
      where c.id = m.customer_id and c.company_id is null`,
    [customerIds],
  );
}

/** Puts a customer in a company by hand (null: in none); a 'manual' company is never matched again. */
export async function setCustomerCompany(db: Sql, customerId: number, companyId: number | null): Promise<void> {
  await db.kysely
    .updateTable('customers')
    .set({ company_id: companyId, company_match: companyId === null ? null : 'manual', updated_at: new Date() })
    .where('id', '=', customerId)
    .execute();
}

export interface HelpdeskMembership {
  customerId: number;
  source: string;
  key: string;
  name: string;
  tier: string | null;
}

/**
 * Customers join the companies their helpdesk names: each company is found by (source, key) or made, its name
 * (and tier, when the helpdesk gives one) kept as the helpdesk last said; the helpdesk's word replaces a domain
 * match, never a company set by hand. Companies in key order, so two transactions never wait on each other.
 */
export async function joinHelpdeskCompanies(tx: Sql, rows: HelpdeskMembership[]): Promise<void> {
  if (!rows.length) return;
  const companies = [...new Map(rows.map((r) => [`${r.source}\u0000${r.key}`, r])).values()].sort((a, b) => (`${a.source}\u0000${a.key}` < `${b.source}\u0000${b.key}` ? -1 : 1));
  const made = await tx.query<{ id: number; source: string; external_id: string }>(
    `insert into companies (name, tier, source, external_id)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[])
     on conflict (source, external_id) do update set name = excluded.name, tier = coalesce(excluded.tier, companies.tier),
       updated_at = case when (companies.name, companies.tier) is distinct from (excluded.name, coalesce(excluded.tier, companies.tier)) then now() else companies.updated_at end
     returning id, source, external_id`,
    [companies.map((c) => c.name), companies.map((c) => c.tier), companies.map((c) => c.source), companies.map((c) => c.key)],
  );
  const idOf = new Map(made.map((m) => [`${m.source}\u0000${m.external_id}`, Number(m.id)]));
  const members = [...new Map(rows.map((r) => [r.customerId, idOf.get(`${r.source}\u0000${r.key}`)!])).entries()];
  await tx.query(
    `update customers c set company_id = m.company_id, company_match = 'helpdesk', updated_at = now()
       from unnest($1::int[], $2::int[]) as m(customer_id, company_id)
      where c.id = m.customer_id and c.company_match is distinct from 'manual'
        and (c.company_id is distinct from m.company_id or c.company_match is distinct from 'helpdesk')`,
    [members.map(([c]) => c), members.map(([, id]) => id)],
  );
}
