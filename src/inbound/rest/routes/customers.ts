/** /api/v1/customers and /api/v1/companies: the people who write and their organisations (README "Customers"). */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../../../db/database.ts';
import { type Company, getCompany, listCompanies, updateCompany } from '../../../db/repositories/companies.ts';
import { customerTicketCounts, type CustomerRow, getCustomer, listCustomers, renameCustomer } from '../../../db/repositories/customers.ts';
import { setCustomerCompany } from '../../../db/repositories/companies.ts';
import { freeMailSet } from '../../../domain/company-domain.ts';
import { addCustomerIdentities, checkDomains, createCompanyWithDomains, createCustomer, DomainRefused, DomainTaken, IdentityTaken, setCompanyDomains } from '../../../ingest/companies.ts';
import { HttpError, validationError } from '../../../lib/http-error.ts';
import { companiesQuery, companyCreateBody, companyDomainsBody, companyPatchBody, customerCreateBody, customerPatchBody, customersQuery, ticketId } from '../schemas.ts';
import { parseOr422 } from '../validate.ts';

const iso = (d: Date) => d.toISOString();

export const customerJson = (c: CustomerRow, tickets?: { total: number; open: number }) => ({
  id: c.id,
  name: c.name,
  emails: c.emails,
  external_ids: c.externalIds,
  company: c.company,
  company_match: c.companyMatch as 'domain' | 'helpdesk' | 'manual' | null,
  first_seen_at: iso(c.firstSeenAt),
  last_seen_at: iso(c.lastSeenAt),
  ...(tickets ? { tickets } : {}),
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
});

export const companyJson = (c: Company) => ({
  id: c.id,
  name: c.name,
  tier: c.tier,
  custom_fields: c.customFields,
  domains: c.domains,
  source: c.source,
  external_id: c.externalId,
  customers: c.customers,
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
});

const page = <T extends { id: number }>(items: T[], limit: number) => ({ items, next_before: items.length === limit ? items.at(-1)!.id : null });

/** The refusals of domains and identities as the API answers them. */
async function answering<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    // The message is the rule (one per rule, as the OpenAPI document lists them); the detail names the domains
    // refused, so a list of several says which one to take out.
    if (error instanceof DomainRefused) throw validationError([{ field: 'domains', message: error.rule, type: 'custom' }], `Validation failed (refused: ${error.domains.join(', ')})`);
    if (error instanceof DomainTaken) throw new HttpError(409, `${error.domain} is a domain of company ${error.companyId} already`);
    if (error instanceof IdentityTaken) throw new HttpError(409, `${error.message}: merge the customers instead`);
    throw error;
  }
}

export function customersRouter(deps: { db: Database; freeMailDomains: readonly string[] }): Router {
  const { db } = deps;
  const freeMail = freeMailSet(deps.freeMailDomains);
  const router = new Router({ prefix: '/api/v1', sensitive: true });
  const idOf = (ctx: Context) => parseOr422(ticketId, ctx.params.id, 'id');
  const customerOr404 = async (id: number) => {
    const found = await getCustomer(db.sql, id);
    if (!found) throw new HttpError(404, `Customer ${id} not found`);
    return customerJson(found, await customerTicketCounts(db.sql, id));
  };
  const companyOr404 = async (id: number) => {
    const found = await getCompany(db.sql, id);
    if (!found) throw new HttpError(404, `Company ${id} not found`);
    return companyJson(found);
  };
  const requireCompany = async (id: number) => {
    if (!(await getCompany(db.sql, id))) throw validationError([{ field: 'company_id', message: 'must be the id of a company', type: 'custom' }]);
  };

  router.get('/customers', async (ctx) => {
    const q = parseOr422(customersQuery, ctx.query);
    const items = await listCustomers(db.sql, { search: q.q, companyId: q.company_id, before: q.before, limit: q.limit });
    ctx.body = page(items.map((c) => customerJson(c)), q.limit);
  });

  router.post('/customers', async (ctx) => {
    const b = parseOr422(customerCreateBody, ctx.request.body);
    const id = await answering(() => createCustomer(db, { name: b.name ?? null, emails: b.emails ?? [], externalIds: b.external_ids ?? [] }));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/customers/${id}`);
    ctx.body = await customerOr404(id);
  });

  router.get('/customers/:id', async (ctx) => {
    ctx.body = await customerOr404(idOf(ctx));
  });

  router.patch('/customers/:id', async (ctx) => {
    const id = idOf(ctx);
    const b = parseOr422(customerPatchBody, ctx.request.body);
    await customerOr404(id);
    if (b.company_id !== undefined && b.company_id !== null) await requireCompany(b.company_id);
    if (b.add_emails?.length || b.add_external_ids?.length) {
      await answering(() => addCustomerIdentities(db, id, { emails: b.add_emails ?? [], externalIds: b.add_external_ids ?? [] }));
    }
    if (b.name !== undefined) await renameCustomer(db.sql, id, b.name);
    if (b.company_id !== undefined) await setCustomerCompany(db.sql, id, b.company_id);
    ctx.body = await customerOr404(id);
  });

  router.get('/companies', async (ctx) => {
    const q = parseOr422(companiesQuery, ctx.query);
    const items = await listCompanies(db.sql, { search: q.q, before: q.before, limit: q.limit });
    ctx.body = page(items.map(companyJson), q.limit);
  });

  router.post('/companies', async (ctx) => {
    const b = parseOr422(companyCreateBody, ctx.request.body);
    const domains = await answering(async () => checkDomains(b.domains ?? [], freeMail));
    const id = await answering(() => createCompanyWithDomains(db, { name: b.name, tier: b.tier ?? null, customFields: b.custom_fields ?? {} }, domains));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/companies/${id}`);
    ctx.body = await companyOr404(id);
  });

  router.get('/companies/:id', async (ctx) => {
    ctx.body = await companyOr404(idOf(ctx));
  });

  router.patch('/companies/:id', async (ctx) => {
    const id = idOf(ctx);
    const b = parseOr422(companyPatchBody, ctx.request.body);
    if (!(await updateCompany(db.sql, id, { name: b.name, tier: b.tier, customFields: b.custom_fields }))) throw new HttpError(404, `Company ${id} not found`);
    ctx.body = await companyOr404(id);
  });

  router.put('/companies/:id/domains', async (ctx) => {
    const id = idOf(ctx);
    const b = parseOr422(companyDomainsBody, ctx.request.body);
    const domains = await answering(async () => checkDomains(b.domains, freeMail));
    await companyOr404(id);
    const matched = await answering(() => setCompanyDomains(db, id, domains));
    ctx.body = { ...(await companyOr404(id)), matched };
  });

  return router;
}
