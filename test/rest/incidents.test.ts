/**
 * Incidents over REST, made the real way: near-duplicate requests posted to /api/v1/requests are classified and
 * grouped (INCIDENT_MIN_TICKETS=3: the third similar one opens the incident with the two before it, later ones
 * join). Then list, read, close, resolve all and take one out, each through the API with its key, and each
 * checked in the tickets themselves (incident_id, status) and in the audit; unknown and hostile ids are a 404
 * or a 422, never a 5xx.
 */
import test from 'ava';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { scriptedClassifier } from '../slack/harness.ts';

const KEY = 'incidents-api-key';
const auth = { authorization: `Bearer ${KEY}` };
let svc: TestService;
test.before(async () => {
  svc = await startTestService({ API_KEYS: KEY, API_ADMIN_KEYS: KEY, INCIDENTS_ENABLED: 'true', INCIDENT_MIN_TICKETS: '3' }, { classifier: scriptedClassifier() });
});
test.after.always(async () => svc?.stop());

const call = (path: string, method = 'GET', json?: unknown) => api(svc.baseUrl, path, { method, headers: auth, ...(json === undefined ? {} : { json }) });
const ticket = async (id: number) => (await call(`/api/v1/requests/${id}`)).json;

const GREETINGS = ['Hi', 'Hello team', 'Dear support', 'Good morning', 'Hey there', 'Hi folks'];
const NAMES = ['Ana', 'Bruno', 'Chloe', 'Dmitri', 'Esra', 'Femi'];
let seq = 0;

/** Posts a request and waits until it is classified (grouping commits with the classification). */
async function post(subject: string, body: string): Promise<number> {
  const n = ++seq;
  const res = await call('/api/v1/requests', 'POST', { subject, body, requester_email: `customer-${n}@example.com`, requester_name: NAMES[n % NAMES.length] });
  if (res.status !== 201) throw new Error(res.text);
  const id = res.json.id as number;
  await waitFor(async () => (await ticket(id)).classification, { what: `ticket ${id} classified` });
  return id;
}

/** `n` near-duplicates of one problem, greetings and signatures varied, one after another. */
async function flood(problem: string, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(await post('Cannot use the app', `${GREETINGS[i % GREETINGS.length]}, ${problem} Thanks, ${NAMES[i % NAMES.length]} [cat=technical conf=0.9]`));
  }
  return ids;
}

const incidentOf = async (id: number): Promise<number> => {
  const incident = (await ticket(id)).incident_id as number | null;
  if (incident === null) throw new Error(`ticket ${id} is in no incident`);
  return incident;
};
const auditOf = async (action: string, incidentId: number) =>
  (await call('/api/v1/audit?limit=500')).json.items.filter((e: any) => e.action === action && e.before?.incident_id === incidentId);

test.serial('a flood becomes one incident with its members; an unrelated ticket of the category is not in it; list and get show it', async (t) => {
  const members = await flood('since this morning the dashboard shows error 502 whenever I open the monthly reports page and nothing loads.', 4);
  const unrelated = await post('Password', 'My password reset mail never arrives and I cannot sign in to my account at all. [cat=technical conf=0.9]');
  const id = await incidentOf(members[0]!);
  for (const m of members) t.is((await ticket(m)).incident_id, id, `ticket ${m} in the incident`);
  t.is((await ticket(unrelated)).incident_id, null);

  const one = await call(`/api/v1/incidents/${id}`);
  t.is(one.status, 200, one.text);
  t.like(one.json, { id, category: 'technical', title: 'Cannot use the app', closed_at: null, closed_by: null, tickets: 4, open_tickets: 4, customers: 4 });
  t.deepEqual(one.json.ticket_ids, members, 'its tickets, oldest first, the unrelated one not among them');
  t.true(Date.parse(one.json.last_joined_at) >= Date.parse(one.json.opened_at));

  const open = await call('/api/v1/incidents?open=true');
  t.is(open.status, 200, open.text);
  t.like(open.json.items.find((i: any) => i.id === id), { tickets: 4, open_tickets: 4, closed_at: null });
  t.false((await call('/api/v1/incidents?open=false')).json.items.some((i: any) => i.id === id), 'not among the closed ones');
  t.is((await api(svc.baseUrl, '/api/v1/incidents')).status, 401, 'behind the API key like every /api/v1 route');
});

test.serial('close: 200 with who closed it; closing again changes nothing; a later similar ticket gets no incident', async (t) => {
  const members = await flood('the mobile app crashes right after the splash screen on every Android phone we have tried today.', 3);
  const id = await incidentOf(members[0]!);

  const closed = await call(`/api/v1/incidents/${id}/close`, 'POST');
  t.is(closed.status, 200, closed.text);
  t.truthy(closed.json.closed_at);
  t.regex(closed.json.closed_by, /^api-key:/);
  t.deepEqual(closed.json.ticket_ids, members, 'its tickets stay its tickets');
  const again = await call(`/api/v1/incidents/${id}/close`, 'POST');
  t.is(again.status, 200, again.text);
  t.deepEqual(again.json, closed.json, 'closing twice changes nothing');
  t.is((await auditOf('incident_close', id)).length, 1, 'one audit entry');

  t.true((await call('/api/v1/incidents?open=false')).json.items.some((i: any) => i.id === id));
  t.false((await call('/api/v1/incidents?open=true')).json.items.some((i: any) => i.id === id));
  // Closed: a new similar ticket neither joins it nor opens another with its members.
  const later = await flood('the mobile app crashes right after the splash screen on every Android phone we have tried today.', 1);
  t.is((await ticket(later[0]!)).incident_id, null);
  t.is((await call(`/api/v1/incidents/${id}`)).json.tickets, 3);
});

test.serial('resolve resolves every open ticket of the incident, each as its own status change; again resolves none', async (t) => {
  const members = await flood('every invoice export to CSV stops halfway and the downloaded file is cut off after a few rows.', 3);
  const id = await incidentOf(members[0]!);
  t.is((await call(`/api/v1/requests/${members[0]}`, 'PATCH', { status: 'resolved' })).status, 200);

  const res = await call(`/api/v1/incidents/${id}/resolve`, 'POST');
  t.is(res.status, 200, res.text);
  t.is(res.json.resolved, 2, 'the one resolved already is not counted');
  t.like(res.json.incident, { id, tickets: 3, open_tickets: 0 });
  for (const m of members) t.is((await ticket(m)).status, 'resolved');
  const again = await call(`/api/v1/incidents/${id}/resolve`, 'POST');
  t.is(again.status, 200);
  t.is(again.json.resolved, 0);
  t.true((await auditOf('incident_resolve_all', id)).some((e: any) => e.after.resolved === 2), 'audited with how many it resolved');
});

test.serial('take out: the ticket leaves the incident; twice is a 409, as is a ticket never in it; an unknown ticket or incident is a 404', async (t) => {
  const members = await flood('the search box returns no results at all even for customers we created only yesterday afternoon.', 3);
  const outsider = await post('Billing address', 'Please change the billing address on our account to the new office in Lisbon, thank you. [cat=technical conf=0.9]');
  const id = await incidentOf(members[0]!);
  const [first, taken, last] = members as [number, number, number];
  const fingerprints = async (ticketId: number) => (await svc.service.db.sql.query<{ n: number }>('select count(*)::int as n from ticket_fingerprints where ticket_id = $1', [ticketId]))[0]!.n;
  t.is(await fingerprints(outsider), 1);

  const out = await call(`/api/v1/incidents/${id}/tickets/${taken}`, 'DELETE');
  t.is(out.status, 200, out.text);
  t.deepEqual(out.json.ticket_ids, [first, last]);
  t.like(out.json, { tickets: 2, open_tickets: 2, customers: 2 });
  t.is((await ticket(taken)).incident_id, null);
  t.is((await ticket(first)).incident_id, id, 'the others stay');
  t.is((await auditOf('incident_take_out', id)).length, 1);

  const twice = await call(`/api/v1/incidents/${id}/tickets/${taken}`, 'DELETE');
  t.is(twice.status, 409);
  t.regex(twice.json.detail, new RegExp(`Request ${taken} is not in incident ${id}`));
  t.is((await call(`/api/v1/incidents/${id}/tickets/${outsider}`, 'DELETE')).status, 409);
  t.is(await fingerprints(outsider), 1, 'a refused take-out changes nothing (the ticket keeps its signature)');
  const unknownTicket = await call(`/api/v1/incidents/${id}/tickets/2147483647`, 'DELETE');
  t.is(unknownTicket.status, 404);
  t.regex(unknownTicket.json.detail, /Request 2147483647 not found/);
  const unknownIncident = await call(`/api/v1/incidents/2147483647/tickets/${first}`, 'DELETE');
  t.is(unknownIncident.status, 404);
  t.regex(unknownIncident.json.detail, /Incident 2147483647 not found/);
  t.is((await ticket(first)).incident_id, id);
  t.is((await auditOf('incident_take_out', id)).length, 1, 'refusals are not audited');
});

test.serial('the list is newest first and pages with limit and offset', async (t) => {
  const all = (await call('/api/v1/incidents?limit=1000')).json.items.map((i: any) => i.id);
  t.true(all.length >= 4, `incidents so far: ${all}`);
  t.deepEqual(all, [...all].sort((a: number, b: number) => b - a));
  const page = await call('/api/v1/incidents?limit=2&offset=1');
  t.like(page.json, { limit: 2, offset: 1 });
  t.deepEqual(page.json.items.map((i: any) => i.id), all.slice(1, 3));
  t.deepEqual((await call(`/api/v1/incidents?offset=${all.length}`)).json.items, []);
});

test.serial('unknown ids are a 404, hostile ids and queries a 422, never a 5xx', async (t) => {
  const some = (await call('/api/v1/incidents?limit=1')).json.items[0].id as number;
  for (const [method, path] of [['GET', ''], ['POST', '/close'], ['POST', '/resolve'], ['DELETE', '/tickets/1']] as const) {
    const unknown = await call(`/api/v1/incidents/999999${path}`, method);
    t.is(unknown.status, 404, `${method} ${path}`);
    for (const hostile of ['abc', '-1', '0', '1.5', '2147483648', '99999999999999999999', '%00', '1e3x']) {
      const res = await call(`/api/v1/incidents/${hostile}${path}`, method);
      t.is(res.status, 422, `${method} /api/v1/incidents/${hostile}${path}: ${res.text}`);
      t.is(res.json.errors[0].field, 'id');
    }
  }
  for (const hostile of ['abc', '-1', '0', '2147483648']) {
    const res = await call(`/api/v1/incidents/${some}/tickets/${hostile}`, 'DELETE');
    t.is(res.status, 422, res.text);
    t.is(res.json.errors[0].field, 'ticketId');
  }
  for (const q of ['open=maybe', 'open=true&open=false', 'limit=0', 'limit=1001', 'offset=-1', 'offset=2147483648', 'limit=x']) {
    t.is((await call(`/api/v1/incidents?${q}`)).status, 422, q);
  }
});
