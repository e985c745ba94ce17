/**
 * People's changes to companies and customers (REST): a company's domains are checked (never a public suffix, a
 * free-mail or a disposable domain; one company per domain) and replaced, and its customers matched again, in one
 * transaction.
 */
import type { Database } from '../db/database.ts';
import { createCompany, domainOwners, matchCustomersByDomain, rematchCompany, replaceCompanyDomains } from '../db/repositories/companies.ts';
import type { Sql } from '../db/sql.ts';
import { addIdentities, createCustomerByHand } from '../db/repositories/customers.ts';
import { companyDomainProblem, normalizeDomain } from '../domain/company-domain.ts';
import { type ExternalPerson, identityKeys } from '../domain/customer.ts';

/** Why domains were refused: field `domains`, one static message per rule (the OpenAPI document names them). */
export const DOMAIN_RULES = {
  notADomain: 'each must be a domain name such as example.com',
  publicSuffix: 'a public suffix (com, co.uk) cannot be a company\'s domain',
  freeMail: 'a free-mail or disposable-address domain cannot be a company\'s domain',
} as const;

export class DomainRefused extends Error {
  readonly rule: string;
  readonly domains: string[];
  constructor(rule: string, domains: string[]) {
    super(`${rule}: ${domains.join(', ')}`);
    this.name = 'DomainRefused';
    this.rule = rule;
    this.domains = domains;
  }
}

export class DomainTaken extends Error {
  readonly domain: string;
  readonly companyId: number;
  constructor(domain: string, companyId: number) {
    super(`${domain} is a domain of company ${companyId}`);
    this.name = 'DomainTaken';
    this.domain = domain;
    this.companyId = companyId;
  }
}

export class IdentityTaken extends Error {
  constructor(identity: string) {
    super(`${identity} belongs to another customer`);
    this.name = 'IdentityTaken';
  }
}

/** The domains in their one spelling, each allowed, or DomainRefused naming the first rule broken. */
export function checkDomains(input: string[], freeMail: ReadonlySet<string>): string[] {
  const normalized = input.map((d) => ({ given: d, domain: normalizeDomain(d) }));
  const bad = normalized.filter((d) => d.domain === null).map((d) => d.given);
  if (bad.length) throw new DomainRefused(DOMAIN_RULES.notADomain, bad);
  const domains = [...new Set(normalized.map((d) => d.domain!))];
  const problems = domains.map((d) => ({ d, problem: companyDomainProblem(d, freeMail) })).filter((p) => p.problem);
  const suffixes = problems.filter((p) => p.problem!.includes('public suffix')).map((p) => p.d);
  if (suffixes.length) throw new DomainRefused(DOMAIN_RULES.publicSuffix, suffixes);
  if (problems.length) throw new DomainRefused(DOMAIN_RULES.freeMail, problems.map((p) => p.d));
  return domains.sort();
}

/** Makes `domains` (checked) the company's, refusing one another company holds; its customers are matched again. */
export async function setCompanyDomains(db: Database, companyId: number, domains: string[]): Promise<{ left: number; joined: number }> {
  return db.transaction((tx) => domainsOf(tx, companyId, domains));
}

async function domainsOf(tx: Sql, companyId: number, domains: string[]) {
  const taken = (await domainOwners(tx, domains)).find((o) => o.companyId !== companyId);
  if (taken) throw new DomainTaken(taken.domain, taken.companyId);
  await replaceCompanyDomains(tx, companyId, domains);
  return rematchCompany(tx, companyId);
}

/** A company with its (checked) domains, its customers matched, in one transaction. */
export async function createCompanyWithDomains(db: Database, input: { name: string; tier: string | null; customFields: Record<string, unknown> }, domains: string[]): Promise<number> {
  return db.transaction(async (tx) => {
    const id = await createCompany(tx, input);
    await domainsOf(tx, id, domains);
    return id;
  });
}

/** A customer made over REST with its addresses and door ids; IdentityTaken when another customer holds one. */
export async function createCustomer(db: Database, input: { name: string | null; emails: string[]; externalIds: ExternalPerson[] }): Promise<number> {
  const keys = [...input.emails.map((email) => identityKeys({ email })), ...input.externalIds.map((external) => identityKeys({ external }))].flat();
  return db.transaction(async (tx) => {
    const id = await createCustomerByHand(tx, input.name, keys);
    if (id === null) throw new IdentityTaken('an address or id given');
    await matchCustomersByDomain(tx, [id]);
    return id;
  });
}

/** Adds addresses and door ids to a customer; IdentityTaken (nothing added) when another customer holds one. */
export async function addCustomerIdentities(db: Database, customerId: number, input: { emails: string[]; externalIds: ExternalPerson[] }): Promise<void> {
  const keys = [...input.emails.map((email) => identityKeys({ email })), ...input.externalIds.map((external) => identityKeys({ external }))].flat();
  await db.transaction(async (tx) => {
    const taken = await addIdentities(tx, customerId, keys);
    if (taken.length) throw new IdentityTaken(`${taken[0]!.kind}:${taken[0]!.value}`);
    await matchCustomersByDomain(tx, [customerId]);
  });
}
