/**
 * What /openapi.json admits, the API accepts: for every operation, requests built only from the document
 * (path, query and header parameters, JSON bodies; test/kit/openapi-values.ts) are sent to the real app, and
 * none may be refused as invalid (400 or 422). The one exception is a rule the operation's 422 description
 * names as beyond the schema (it depends on the clock or the stored data), matched field and message.
 * Answers are checked against the document as always (api()), so a 5xx or an undocumented status fails too.
 * Beside it: fuzz.test.ts (hostile input never breaks the app) and contract.test.ts (answers as documented).
 */
import test from 'ava';
import fc from 'fast-check';
import { incidentPaths, openTestIncidents, type TestIncident } from '../kit/incidents.ts';
import { openApiDocument } from '../kit/openapi.ts';
import { admittedValues } from '../kit/openapi-values.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { SECRETS } from '../kit/signing.ts';

const KEY = 'admitted-api-key';
const auth = { authorization: `Bearer ${KEY}` };
let svc: TestService;
test.before(async () => {
  svc = await startTestService({ API_KEYS: KEY, API_ADMIN_KEYS: KEY, ...SECRETS });
});
test.after.always(async () => svc?.stop());

interface Parameter { name: string; in: 'path' | 'query' | 'header'; required?: boolean }
interface Operation { parameters?: Parameter[]; requestBody?: { content: Record<string, unknown> }; responses: Record<string, { description: string }> }
const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, Operation>> };
const operations = Object.entries(doc.paths).flatMap(([template, ops]) => Object.entries(ops).map(([method, op]) => ({ template, method, op })));

/** Fresh things for an operation's {id}: the document admits any id, so most name one that exists. */
async function existingIds(template: string, method: string): Promise<number[]> {
  if (!template.includes('{id}')) return [];
  const ids: number[] = [];
  for (let i = 0; i < 6; i++) {
    if (template === '/api/v1/requests/{id}/merge' && method === 'delete') {
      ids.push(await mergedTicket(i));
      continue;
    }
    const res = template.startsWith('/api/v1/saved-replies')
      ? await api(svc.baseUrl, '/api/v1/saved-replies', { method: 'POST', headers: auth, json: { title: `admitted ${i}`, body: 'a saved reply to change' } })
      : template.startsWith('/api/v1/sender-blocks')
      ? await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', headers: auth, json: { kind: 'email', value: `admitted-${i}-${Date.now()}@blocked.example` } })
      : template.startsWith('/api/v1/legal-holds')
      ? await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: auth, json: { ticket_id: (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { text: `a ticket to hold, number ${i}` } })).json.id, reason: 'admitted' } })
      : template.startsWith('/api/v1/requests/{id}/spam')
      ? await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { subject: 'Spam', body: `this is spam, number ${i}`, requester_email: `spammer-${i}-${Date.now()}@spam.example` } })
      : template.startsWith('/api/v1/customers')
        ? await api(svc.baseUrl, '/api/v1/customers', { method: 'POST', headers: auth, json: { name: `admitted ${i}` } })
        : template.startsWith('/api/v1/companies')
          ? await api(svc.baseUrl, '/api/v1/companies', { method: 'POST', headers: auth, json: { name: `admitted ${i}` } })
          : await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { text: `a ticket to change, number ${i}` } });
    ids.push(res.json.id);
  }
  return ids;
}

/** Requests that split a real follow-up out of each ticket (random ids would almost never name one). */
async function splittable(ids: number[]): Promise<fc.Arbitrary<Built>> {
  const built: Built[] = [];
  for (const ticketId of ids) {
    const fu = await svc.service.ingest({ source: 'api', body: `a follow-up to split out of ${ticketId}`, thread: { ticketId } });
    built.push({ path: `/api/v1/requests/${ticketId}/split`, headers: { ...auth }, body: JSON.stringify({ message_ids: [fu.messageId] }) });
  }
  return fc.constantFrom(...built);
}

/** A ticket merged into another (what undoing a merge names). */
async function mergedTicket(i: number): Promise<number> {
  const make = async () => (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { text: `a ticket to merge, number ${i}` } })).json.id as number;
  const [source, target] = [await make(), await make()];
  const res = await api(svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'POST', headers: auth, json: { into: target } });
  if (res.status !== 200) throw new Error(res.text);
  return source;
}

interface Built { path: string; headers: Record<string, string>; body?: string }

function requests(template: string, method: string, op: Operation, ids: number[]): fc.Arbitrary<Built> {
  const at = (...rest: string[]) => ['paths', template, method, ...rest];
  const params = (op.parameters ?? []).map((p, i) => {
    const value = p.in === 'path' && p.name === 'id' ? fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: admittedValues(at('parameters', String(i), 'schema')) }) : admittedValues(at('parameters', String(i), 'schema'));
    return p.required ? value : fc.option(value, { nil: undefined });
  });
  const body = op.requestBody ? admittedValues(at('requestBody', 'content', 'application/json', 'schema')) : fc.constant(undefined);
  return fc.tuple(fc.tuple(...params), body).map(([values, b]) => {
    let path = template;
    const query = new URLSearchParams();
    const headers: Record<string, string> = { ...auth };
    (op.parameters ?? []).forEach((p, i) => {
      const v = values[i];
      if (v === undefined) return;
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(v)));
      else if (p.in === 'query') query.append(p.name, String(v));
      else headers[p.name] = String(v);
    });
    const search = query.size ? `?${query}` : '';
    return { path: path + search, headers, ...(b === undefined ? {} : { body: JSON.stringify(b) }) };
  });
}

/** The rules an operation's 422 names as beyond the schema, as "`field`: message". */
const beyondSchema = (op: Operation) => op.responses['422']?.description ?? '';

/** Requests that take a real member out of its incident (random ticket ids would almost never name one). */
const takeOuts = (incidents: TestIncident[]) => fc.constantFrom(...incidentPaths(incidents).map((path): Built => ({ path, headers: { ...auth } })));

for (const { template, method, op } of operations) {
  test.serial(`${method.toUpperCase()} ${template}: every request the document admits is accepted`, async (t) => {
    const incidents = template.startsWith('/api/v1/incidents/') ? await openTestIncidents(svc, auth, 6) : [];
    const ids = incidents.length ? incidents.map((i) => i.id) : await existingIds(template, method);
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        template === '/api/v1/requests/{id}/split' ? fc.oneof(requests(template, method, op, ids), await splittable(ids))
        : template === '/api/v1/incidents/{id}/tickets/{ticketId}' ? fc.oneof(requests(template, method, op, ids), takeOuts(incidents))
        : requests(template, method, op, ids), async (r) => {
        const headers = { ...r.headers, ...(r.body === undefined ? {} : { 'content-type': 'application/json' }) };
        const res = await api(svc.baseUrl, r.path, { method: method.toUpperCase(), headers, body: r.body });
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        const what = `${method.toUpperCase()} ${r.path} ${r.body ?? ''} -> ${res.status} ${res.text}`;
        if (res.status === 400) throw new Error(`refused as malformed: ${what}`);
        if (res.status === 422) {
          const unexplained = (res.json.errors as { field: string; message: string }[]).filter((e) => !beyondSchema(op).includes(`\`${e.field}\`: ${e.message}`));
          if (unexplained.length) throw new Error(`refused as invalid though the document admits it: ${what}`);
        }
      }),
      { numRuns: op.requestBody || op.parameters?.length ? 60 : 5 },
    );
    t.log(Object.fromEntries(seen));
    // Without a signature the doors refuse (401/404); everywhere else the admitted requests mostly succeed.
    if (!template.startsWith('/webhooks/') && template !== '/slack/events') t.true([...seen.keys()].some((s) => s < 300), JSON.stringify(Object.fromEntries(seen)));
    else t.false(seen.has(400) || seen.has(422));
  });
}

test('the issue\'s examples: what the document now refuses, the API refuses, and the reverse', async (t) => {
  const ticket = (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { text: 'a ticket for the examples' } })).json.id;
  for (const [path, method, json] of [
    ['/api/v1/saved-replies', 'POST', { title: '', body: 'x' }],
    ['/api/v1/saved-replies', 'POST', { title: 'x', body: '\u0000 \n' }],
    [`/api/v1/requests/${ticket}`, 'PATCH', {}],
    [`/api/v1/requests/${ticket}`, 'PATCH', { note: 'not a field' }],
    [`/api/v1/requests/${ticket}`, 'PATCH', { status: 'resolved', snooze: { until: null } }],
    ['/api/v1/dead-letters/replay', 'POST', {}],
    ['/api/v1/dead-letters/replay', 'POST', { all: true, ids: ['00000000-0000-4000-8000-000000000000'] }],
    ['/api/v1/requests', 'POST', { text: 'a\u0000'.repeat(9) }],
    ['/api/v1/requests', 'POST', { text: 'some text here', body: 'some body here' }],
    ['/api/v1/requests', 'POST', { body: '😀😀😀😀😀 😀😀😀😀' }],
  ] as const) {
    const res = await api(svc.baseUrl, path, { method, headers: auth, json });
    t.is(res.status, 422, `${method} ${path} ${JSON.stringify(json)}: ${res.text}`);
  }
  // Lengths count characters as JSON Schema does (code points): 9 emoji are 9 characters (refused above), 255 a
  // valid external id, 200 a valid title.
  const emoji = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { text: 'a ticket with a long id', external_id: '😀'.repeat(255) } });
  t.is(emoji.status, 201, emoji.text);
  const title = await api(svc.baseUrl, '/api/v1/saved-replies', { method: 'POST', headers: auth, json: { title: '😀'.repeat(200), body: 'body' } });
  t.is(title.status, 201, title.text);
  t.is([...title.json.title].length, 200);
});
