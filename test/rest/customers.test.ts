/**
 * /api/v1/customers and /api/v1/companies through the real app: companies by domain (several each, matched again
 * when they change, never a public suffix, free-mail or disposable domain, IDN and upper case in one spelling),
 * tickets naming their customer and company and filtered by both, search and keyset paging, and the refusals.
 */
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ CUSTOMER_FREE_MAIL_DOMAINS: 'isp-mail.example, Other-ISP.example' }, { classifier: createKeywordClassifier() });
});
test.after.always(async () => svc?.stop());

let seq = 0;
const uid = () => `${Date.now().toString(36)}${seq++}`;
const post = (path: string, json: unknown) => api(svc.baseUrl, path, { method: 'POST', json });
const ticketFrom = async (email: string, name = 'Someone') => (await post('/api/v1/requests', { subject: 'Help', body: `A question from ${email}`, requester_email: email, requester_name: name })).json.id as number;
const ticket = async (id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json;

test('a company with several domains: customers at any of them join, also those who wrote before; changing the domains matches again', async (t) => {
  const a = `acme-${uid()}.example`;
  const b = `acme-${uid()}.example`;
  const before = await ticketFrom(`ana@${a}`, 'Ana');
  t.is((await ticket(before)).company, null);

  const created = await post('/api/v1/companies', { name: 'Acme', tier: 'gold', custom_fields: { plan: 'enterprise', seats: 40 }, domains: [a.toUpperCase(), b] });
  t.is(created.status, 201);
  t.deepEqual(created.json.domains, [a, b].sort());
  const company = created.json.id;
  t.deepEqual((await ticket(before)).company, { id: company, name: 'Acme', tier: 'gold' });
  const after = await ticketFrom(`bo@${b}`, 'Bo');
  t.deepEqual((await ticket(after)).company, { id: company, name: 'Acme', tier: 'gold' });

  const listed = await api(svc.baseUrl, `/api/v1/requests?company_id=${company}`);
  t.deepEqual(listed.json.items.map((i: { id: number }) => i.id).sort(), [before, after].sort());

  // A customer put in the company by hand stays when its domains change; the one matched by domain leaves.
  const bo = (await ticket(after)).customer.id;
  t.is((await api(svc.baseUrl, `/api/v1/customers/${bo}`, { method: 'PATCH', json: { company_id: company } })).json.company_match, 'manual');
  const changed = await api(svc.baseUrl, `/api/v1/companies/${company}/domains`, { method: 'PUT', json: { domains: [] } });
  t.is(changed.status, 200);
  t.deepEqual(changed.json.matched, { left: 1, joined: 0 });
  t.is((await ticket(before)).company, null);
  t.is((await ticket(after)).company?.id, company);
  // Back again: the customer who left joins again.
  t.deepEqual((await api(svc.baseUrl, `/api/v1/companies/${company}/domains`, { method: 'PUT', json: { domains: [a] } })).json.matched, { left: 0, joined: 1 });
  t.is((await ticket(before)).company?.id, company);
  t.is((await api(svc.baseUrl, `/api/v1/companies/${company}`)).json.customers, 2);
});

test('never a company from a public suffix, a free-mail or disposable domain (bundled lists and configured), whatever the spelling', async (t) => {
  const refused = async (domains: string[], message: RegExp) => {
    const res = await post('/api/v1/companies', { name: `Hostile ${uid()}`, domains });
    t.is(res.status, 422, JSON.stringify(domains));
    t.is(res.json.errors[0].field, 'domains');
    t.regex(res.json.errors[0].message, message);
  };
  for (const suffix of ['com', 'co.uk', 'CO.UK.', 'github.io']) await refused([suffix], /public suffix/);
  for (const free of ['gmail.com', 'GMAIL.COM', '@gmail.com', 'web.de', 'yahoo.co.uk', 'mailinator.com', 'isp-mail.example', 'other-isp.example', 'mx.gmail.com', 'eu.mailinator.com', 'msa.hinet.net', 'MS12.hinet.net']) await refused([free], /free-mail/);
  for (const junk of ['a b', '..', 'x@y.com', '[127.0.0.1]']) await refused([junk], /domain name/);
  await refused(['intranet'], /public suffix/);
  // One bad domain refuses the whole list: nothing is stored.
  const name = `Mixed ${uid()}`;
  const mixed = await post('/api/v1/companies', { name, domains: [`fine-${uid()}.example`, 'GMail.com', 'mx.Mailinator.com'] });
  t.is(mixed.status, 422);
  t.is(mixed.json.detail, 'Validation failed (refused: gmail.com, mx.mailinator.com): domains: a free-mail or disposable-address domain cannot be a company\'s domain', 'the detail names the domains to take out');
  t.is((await api(svc.baseUrl, `/api/v1/companies?q=${encodeURIComponent(name)}`)).json.items.length, 0);
  // And the customers of gmail.com stay in no company.
  const id = await ticketFrom(`someone.${uid()}@gmail.com`);
  t.is((await ticket(id)).company, null);
});

test('IDN domains in one spelling (punycode); a domain belongs to one company only', async (t) => {
  const unicode = `müller-${uid()}.de`;
  const ascii = new URL(`http://${unicode}`).hostname;
  const created = await post('/api/v1/companies', { name: 'Müller', domains: [unicode] });
  t.deepEqual(created.json.domains, [ascii]);
  // Mail brings addresses with Unicode domains (REST's requester_email takes ASCII addresses only).
  const { ticketId: id } = await svc.service.ingest({ source: 'email', externalId: `<${uid()}@x>`, body: 'Hallo', requesterEmail: `Hans@${unicode.toUpperCase()}` });
  t.is((await ticket(id)).company?.id, created.json.id);
  const other = await post('/api/v1/companies', { name: 'Other', domains: [ascii] });
  t.is(other.status, 409);
  t.is((await api(svc.baseUrl, `/api/v1/companies?q=${encodeURIComponent('Other')}`)).json.items.filter((c: { name: string }) => c.name === 'Other').length, 0);
});

test('customers: the ticket names its customer, lists filter by it, search and keyset paging, made and changed by hand', async (t) => {
  const tag = uid();
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(await ticketFrom(`page${i}.${tag}@paging.example`, `Pager ${tag} ${i}`));
  const customer = (await ticket(ids[0]!)).customer;
  t.deepEqual(customer, { id: customer.id, name: `Pager ${tag} 0` });
  const byCustomer = await api(svc.baseUrl, `/api/v1/requests?customer_id=${customer.id}`);
  t.deepEqual(byCustomer.json.items.map((i: { id: number }) => i.id), [ids[0]]);

  const seen: number[] = [];
  let before: number | null = null;
  do {
    const res = await api(svc.baseUrl, `/api/v1/customers?q=${tag}&limit=2${before ? `&before=${before}` : ''}`);
    seen.push(...res.json.items.map((c: { id: number }) => c.id));
    before = res.json.next_before;
  } while (before !== null);
  t.is(seen.length, 5);
  t.deepEqual(seen, [...seen].sort((a, b) => b - a));

  const one = await api(svc.baseUrl, `/api/v1/customers/${customer.id}`);
  t.deepEqual(one.json.tickets, { total: 1, open: 1 });
  t.deepEqual(one.json.emails, [`page0.${tag}@paging.example`]);

  const made = await post('/api/v1/customers', { name: 'By hand', emails: [`Hand.${tag}@Paging.example`], external_ids: [{ door: 'zendesk', id: `z${tag}` }] });
  t.is(made.status, 201);
  t.deepEqual(made.json.emails, [`hand.${tag}@paging.example`]);
  t.deepEqual(made.json.external_ids, [{ door: 'zendesk', id: `z${tag}` }]);
  // A later ticket from that address is that customer's.
  t.is((await ticket(await ticketFrom(`hand.${tag}@paging.example`))).customer.id, made.json.id);
  // An address of another customer is refused, nothing changes.
  t.is((await post('/api/v1/customers', { emails: [`page1.${tag}@paging.example`] })).status, 409);
  const patch = await api(svc.baseUrl, `/api/v1/customers/${made.json.id}`, { method: 'PATCH', json: { name: 'Renamed', add_emails: [`page2.${tag}@paging.example`] } });
  t.is(patch.status, 409);
  const renamed = await api(svc.baseUrl, `/api/v1/customers/${made.json.id}`, { method: 'PATCH', json: { name: 'Renamed', add_emails: [`second.${tag}@paging.example`] } });
  t.is(renamed.json.name, 'Renamed');
  t.deepEqual(renamed.json.emails.sort(), [`hand.${tag}@paging.example`, `second.${tag}@paging.example`]);
  t.is((await api(svc.baseUrl, `/api/v1/customers/${made.json.id}`, { method: 'PATCH', json: { company_id: 2_000_000_000 } })).status, 422);
  t.is((await api(svc.baseUrl, '/api/v1/customers/2000000000')).status, 404);
});
