/**
 * The requester's company as a helpdesk names it: the Zendesk and Freshdesk templates of docs/webhooks.md (read
 * from the document and rendered as the helpdesk would), and the generic webhook's `company` object, through
 * the real service. One company per name (or id) per helpdesk, however many requesters and deliveries at once;
 * the helpdesk's word replaces a domain match, never a company set by hand; renames follow the id; an empty
 * placeholder and hostile names change nothing they should not.
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { sign, SECRETS } from '../kit/signing.ts';

const ADMIN = 'company-test-admin-key';
const admin = { authorization: `Bearer ${ADMIN}` };
let svc: TestService;
test.before(async () => {
  svc = await startTestService({ ...SECRETS, API_KEYS: ADMIN, API_ADMIN_KEYS: ADMIN });
});
test.after.always(async () => {
  await svc?.stop();
});

const DOC = readFileSync(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');

/** The JSON template of a section of docs/webhooks.md whose event is `event`. */
function docTemplate(section: string, event: string): string {
  const part = DOC.slice(DOC.indexOf(`## ${section}`), DOC.indexOf('\n## ', DOC.indexOf(`## ${section}`) + 3));
  const block = [...part.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes(`"event": "${event}"`));
  if (!block) throw new Error(`no ${event} template under ${section}`);
  return block;
}

/** The template with each placeholder replaced as the helpdesk does (JSON-escaped); an unknown placeholder fails. */
function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([^}]+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`the test has no value for {{${name}}}`);
    return JSON.stringify(values[name]).slice(1, -1);
  });
}

let seq = 0;
const uid = () => `${Date.now().toString(36)}${(seq++).toString(36)}`;

async function zendesk(o: { email: string; organization: string; tier?: string }) {
  const id = `zc-${uid()}`;
  // The docs' optional tier line, added above the description as they say.
  const template = o.tier === undefined ? docTemplate('Zendesk', 'ticket.created')
    : docTemplate('Zendesk', 'ticket.created').replace('"description":', '"company_tier": "{{ticket.organization.custom_fields.tier}}",\n"description":');
  const body = render(template, {
    'ticket.organization.custom_fields.tier': o.tier ?? '',
    'ticket.id': id, 'ticket.title': 'Exports fail', 'ticket.requester.email': o.email, 'ticket.requester.name': 'Zed Requester',
    'ticket.organization.name': o.organization, 'ticket.priority': 'Normal', 'ticket.status': 'New', 'ticket.tags': 'exports',
    'ticket.created_at_with_timestamp': '2026-12-06T10:00:00Z', 'ticket.updated_at_with_timestamp': '2026-12-06T10:00:00Z',
    'ticket.link': `example.zendesk.com/agent/tickets/${id}`, 'ticket.description': '<div dir="ltr">The export button does nothing.</div>',
  });
  return deliver('zendesk', body, sign.zendesk(body));
}

async function freshdesk(o: { email: string; company: string }) {
  const id = `fc-${uid()}`;
  const body = render(docTemplate('Freshdesk', 'ticket_created'), {
    'ticket.id': id, 'ticket.subject': 'Invoice wrong', 'ticket.requester.email': o.email, 'ticket.requester.name': 'Fay Requester',
    'ticket.company.name': o.company, 'ticket.priority': 'Medium', 'ticket.status': 'Open', 'ticket.tags': 'billing',
    'ticket.url': `https://example.freshdesk.com/helpdesk/tickets/${id}`, 'ticket.description': '<div>Invoice 12 is wrong.</div>',
  });
  return deliver('freshdesk', body, sign.freshdesk(body));
}

async function generic(o: { email: string; company?: unknown }) {
  const body = JSON.stringify({ id: `gc-${uid()}`, subject: 'Login', body: 'I cannot log in.', requester_email: o.email, requester_name: 'Gil', ...(o.company === undefined ? {} : { company: o.company }) });
  return deliver('generic', body, sign.generic(body));
}

async function deliver(provider: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${svc.baseUrl}/webhooks/${provider}`, { method: 'POST', headers, body });
  const json = (await res.json()) as { ticket_id?: number };
  return { status: res.status, json, ticketId: json.ticket_id! };
}

const companyOfTicket = async (id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`, { headers: admin })).json.company as { id: number; name: string; tier: string | null } | null;
const companiesNamed = async (q: string) => (await api(svc.baseUrl, `/api/v1/companies?q=${encodeURIComponent(q)}`, { headers: admin })).json.items as { id: number; name: string; tier: string | null; source: string; customers: number }[];

test('the Zendesk template of the docs: requesters of one organization share one company; no organization, no company', async (t) => {
  const a = await zendesk({ email: 'ana@zorg-one.test', organization: 'Zorgtech One' });
  t.is(a.status, 200, JSON.stringify(a.json));
  const b = await zendesk({ email: 'bo@elsewhere-zorg.test', organization: 'Zorgtech One' });
  const [ca, cb] = [await companyOfTicket(a.ticketId), await companyOfTicket(b.ticketId)];
  t.like(ca, { name: 'Zorgtech One', tier: null });
  t.is(cb?.id, ca?.id, 'one company for both requesters');
  const listed = await companiesNamed('Zorgtech One');
  t.is(listed.length, 1);
  t.like(listed[0], { source: 'zendesk', customers: 2 });
  // A requester without an organization: Zendesk renders the placeholder empty.
  const none = await zendesk({ email: 'cy@no-org.test', organization: '' });
  t.is(await companyOfTicket(none.ticketId), null);
  // The optional tier line of the docs; a later delivery with it empty keeps the tier.
  const tiered = await zendesk({ email: 'di@zorg-one.test', organization: 'Zorgtech One', tier: 'enterprise' });
  t.deepEqual(await companyOfTicket(tiered.ticketId), { id: ca!.id, name: 'Zorgtech One', tier: 'enterprise' });
  t.is((await companyOfTicket((await zendesk({ email: 'ed@zorg-one.test', organization: 'Zorgtech One', tier: '' })).ticketId))?.tier, 'enterprise');
});

test('the Freshdesk template of the docs puts the requester in the named company', async (t) => {
  const f = await freshdesk({ email: 'fay@fresh-co.test', company: 'Freshco Ltd' });
  t.is(f.status, 200, JSON.stringify(f.json));
  t.like(await companyOfTicket(f.ticketId), { name: 'Freshco Ltd' });
  t.like((await companiesNamed('Freshco Ltd'))[0], { source: 'freshdesk', customers: 1 });
  // The same name from another helpdesk is another helpdesk's company: not merged by name across doors.
  const z = await zendesk({ email: 'zo@fresh-co-other.test', organization: 'Freshco Ltd' });
  t.not((await companyOfTicket(z.ticketId))?.id, (await companyOfTicket(f.ticketId))?.id);
});

test('generic: the company follows its id through a rename and gets its tier; the requester moves when their company changes', async (t) => {
  const first = await generic({ email: 'gil@gen-co.test', company: { id: 'c-17', name: 'Genco' } });
  t.is(first.status, 200, JSON.stringify(first.json));
  const before = (await companyOfTicket(first.ticketId))!;
  const renamed = await generic({ email: 'gil@gen-co.test', company: { id: 'c-17', name: 'Genco Inc', tier: 'gold' } });
  t.deepEqual(await companyOfTicket(renamed.ticketId), { id: before.id, name: 'Genco Inc', tier: 'gold' });
  // A later message without a tier keeps it.
  const again = await generic({ email: 'gil@gen-co.test', company: { id: 'c-17', name: 'Genco Inc' } });
  t.is((await companyOfTicket(again.ticketId))?.tier, 'gold');
  const moved = await generic({ email: 'gil@gen-co.test', company: { id: 'c-18', name: 'Newco' } });
  t.like(await companyOfTicket(moved.ticketId), { name: 'Newco' });
  t.is((await companiesNamed('Genco Inc'))[0]?.customers, 0, 'the old company no longer counts them');
});

test('a domain match gives way to the helpdesk; a company set by hand does not', async (t) => {
  const made = await api(svc.baseUrl, '/api/v1/companies', { method: 'POST', headers: admin, json: { name: 'Domainco', domains: ['domain-co.test'] } });
  t.is(made.status, 201, made.text);
  const byDomain = await generic({ email: 'dee@domain-co.test' });
  t.like(await companyOfTicket(byDomain.ticketId), { name: 'Domainco' });
  const byHelpdesk = await generic({ email: 'dee@domain-co.test', company: { id: 'h-1', name: 'Helpdeskco' } });
  t.like(await companyOfTicket(byHelpdesk.ticketId), { name: 'Helpdeskco' }, 'the helpdesk names the organisation');

  const customer = (await api(svc.baseUrl, `/api/v1/requests/${byHelpdesk.ticketId}`, { headers: admin })).json.customer.id as number;
  t.is((await api(svc.baseUrl, `/api/v1/customers/${customer}`, { method: 'PATCH', headers: admin, json: { company_id: made.json.id } })).status, 200);
  const after = await generic({ email: 'dee@domain-co.test', company: { id: 'h-1', name: 'Helpdeskco' } });
  t.like(await companyOfTicket(after.ticketId), { name: 'Domainco' }, 'a company set by hand stays');
});

test('twenty deliveries at once naming one new company make one company with twenty customers', async (t) => {
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => generic({ email: `p${i}@burst-co-${i}.test`, company: { id: 'burst-1', name: 'Burstco' } })));
  t.true(results.every((r) => r.status === 200), JSON.stringify(results.map((r) => r.status)));
  const listed = await companiesNamed('Burstco');
  t.is(listed.length, 1);
  t.is(listed[0]!.customers, 20);
});

test('hostile and empty company fields: blank names make no company, NUL is cleaned, long names are cut, wrong shapes are named', async (t) => {
  const blank = await generic({ email: 'h1@hostile-co.test', company: { name: '   ' } });
  t.is(blank.status, 200);
  t.is(await companyOfTicket(blank.ticketId), null);
  const nul = await generic({ email: 'h2@hostile-co.test', company: { name: 'Nul\u0000co', tier: 'sil\u0000ver' } });
  t.deepEqual({ ...(await companyOfTicket(nul.ticketId)), id: 0 }, { id: 0, name: 'Nulco', tier: 'silver' });
  const long = await zendesk({ email: 'h3@hostile-co.test', organization: `Longco ${'x'.repeat(400)}` });
  t.is(long.status, 200);
  t.is((await companyOfTicket(long.ticketId))?.name.length, 255);
  for (const company of [{ name: 'x'.repeat(256) }, { id: 'a' }, 'Acme', { name: 42 }]) {
    const bad = await generic({ email: 'h4@hostile-co.test', company });
    t.is(bad.status, 422, JSON.stringify(company));
    t.true(JSON.stringify(bad.json).includes('company'), 'the error names the field');
  }
});
