/**
 * Schema-driven fuzz of every operation in /openapi.json, through the real app with a valid API key:
 * requests generated from each operation's parameter and body schemas, valid ones and hostile ones (wrong
 * types, NUL, lone surrogates, huge and negative numbers, deep nesting, empty, `null` and array bodies, bytes
 * that are not JSON). Property: never a 5xx, and every answer is one the document lists for that operation,
 * with a body valid against its schema (api() checks that). Webhook and Slack doors need signatures: there
 * unsigned hostile bodies are sent, which must still never give a 5xx.
 */
import test from 'ava';
import fc from 'fast-check';
import { incidentPaths, openTestIncidents } from '../kit/incidents.ts';
import { openApiDocument } from '../kit/openapi.ts';
import { shapedValues, type Schema } from '../kit/openapi-values.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { SECRETS } from '../kit/signing.ts';

const KEY = 'fuzz-api-key';
let svc: TestService;
test.before(async () => {
  svc = await startTestService({ API_KEYS: KEY, API_ADMIN_KEYS: KEY, ...SECRETS });
});
/** Fresh tickets for an operation's {id} (the DELETE run removes its own). */
async function createTickets(n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, json: { text: `a ticket for the fuzzer number ${i}` } });
    ids.push(res.json.id);
  }
  return ids;
}
/** Fresh saved replies for the saved-reply operations' {id}. */
/** Things an {id} route names: customers, companies, legal holds (on tickets of their own), sender blocks, tickets with a sender. */
async function createThings(template: string, n: number): Promise<number[]> {
  const auth = { authorization: `Bearer ${KEY}` };
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = template.startsWith('/api/v1/sender-blocks')
      ? await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', headers: auth, json: { kind: 'email', value: `fuzz-${i}-${Date.now()}@blocked.example` } })
      : template === '/api/v1/requests/{id}/spam'
      ? await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { subject: 'Prize', body: `you have won, number ${i}`, requester_email: `fuzz-spam-${i}-${Date.now()}@spam.example` } })
      : template.startsWith('/api/v1/customers')
      ? await api(svc.baseUrl, '/api/v1/customers', { method: 'POST', headers: auth, json: { name: `fuzz customer ${i}` } })
      : template.startsWith('/api/v1/companies')
        ? await api(svc.baseUrl, '/api/v1/companies', { method: 'POST', headers: auth, json: { name: `fuzz company ${i}` } })
        : await api(svc.baseUrl, '/api/v1/legal-holds', { method: 'POST', headers: auth, json: { ticket_id: (await createTickets(1))[0], reason: 'fuzz' } });
    ids.push(res.json.id);
  }
  return ids;
}

/** Requests that split a real follow-up out of its ticket (random ids would almost never name one). */
async function splittable(n: number): Promise<fc.Arbitrary<Built>> {
  const built: Built[] = [];
  for (const ticketId of await createTickets(n)) {
    for (let i = 0; i < 2; i++) {
      const fu = await svc.service.ingest({ source: 'api', body: `a follow-up to split, ${ticketId}/${i}`, thread: { ticketId } });
      built.push({ path: `/api/v1/requests/${ticketId}/split`, query: '', headers: { authorization: `Bearer ${KEY}` }, body: { raw: JSON.stringify({ message_ids: [fu.messageId] }), contentType: 'application/json' } });
    }
  }
  return fc.constantFrom(...built);
}

/** Tickets merged into others (what undoing a merge names). */
async function createMerged(n: number): Promise<number[]> {
  const ids: number[] = [];
  for (const [source, target] of chunks(await createTickets(2 * n))) {
    const res = await api(svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, json: { into: target } });
    if (res.status !== 200) throw new Error(res.text);
    ids.push(source!);
  }
  return ids;
}
/** Requests that take a real member out of its incident (the incidents' {id}s are `incidents`). */
function takeOuts(incidents: Awaited<ReturnType<typeof openTestIncidents>>): fc.Arbitrary<Built> {
  return fc.constantFrom(...incidentPaths(incidents).map((path): Built => ({ path, query: '', headers: { authorization: `Bearer ${KEY}` } })));
}
const chunks = (ids: number[]) => ids.flatMap((id, i) => (i % 2 === 0 ? [[id, ids[i + 1]!]] : []));

async function createSavedReplies(n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await api(svc.baseUrl, '/api/v1/saved-replies', { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, json: { title: `fuzz ${i}`, body: 'a saved reply for the fuzzer' } });
    ids.push(res.json.id);
  }
  return ids;
}
test.after.always(async () => svc?.stop());

interface Parameter { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Schema }
interface Operation { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> }; security?: unknown[] }

const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components.schemas[s.$ref.split('/').pop()!]!) : s);

/** Values shaped by the schema (its branches, patterns and formats), then mutated below. */
const valid = (schema: Schema): fc.Arbitrary<unknown> => shapedValues(schema);

const hostileString = fc.oneof(
  fc.constantFrom(
    '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\udbff\udfff', '', ' ', '-1', '0', '-0', '1e400', '9'.repeat(40), 'Infinity', 'NaN', 'null', '[]', '{}',
    '0000-01-01', '0000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '9999-12-31T23:59:59-05:00', '2023-02-30',
    '%00', '%', "'; drop table tickets; --", '\\', '../..', 'x'.repeat(10_001), '\u202e\ufeff', '😀'.repeat(50),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const hostileNumber = fc.constantFrom(-1, 0, -0, 0.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53 + 2, 1e308, -1e308, Number.MAX_SAFE_INTEGER);
const deep = fc.integer({ min: 50, max: 3000 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }), deep, fc.array(hostileString, { maxLength: 3 }));

/** A valid object body with one property replaced, added or removed; or something else entirely. */
function hostileBody(schema: Schema | undefined): fc.Arbitrary<{ raw: string | Buffer; contentType: string | null }> {
  const asJson = (v: unknown) => ({ raw: JSON.stringify(v) ?? 'null', contentType: 'application/json' as string | null });
  const keys = Object.keys(schema ? (resolve(schema).properties ?? {}) : {});
  const mutated = schema
    ? fc.tuple(valid(schema), fc.constantFrom(...keys, 'unexpected', '__proto__', 'constructor'), hostileValue, fc.boolean()).map(([body, key, value, remove]) => {
        const out = { ...(body as Record<string, unknown>) };
        if (remove) delete out[key];
        else Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
        return asJson(out);
      })
    : hostileValue.map(asJson);
  return fc.oneof(
    { weight: 4, arbitrary: mutated },
    { weight: 2, arbitrary: hostileValue.map(asJson) },
    {
      weight: 2,
      arbitrary: fc.record({
        raw: fc.oneof(fc.constantFrom('', 'null', '[]', '{', '{"text":', '\u0000', '{"text":"a\u0000"}', '"just a string"', '1e999'), fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b))),
        contentType: fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', null),
      }),
    },
  );
}

/** Percent-encodes any string, lone surrogates included (as the WTF-8 bytes a client might send). */
function encode(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    else out += encodeURIComponent(ch);
  }
  return out;
}

const paramValue = (p: Parameter, hostile: boolean, ids: number[]): fc.Arbitrary<unknown> => {
  if (p.in === 'path' && p.name === 'id') return hostile ? fc.oneof(hostileString.map((v) => v.slice(0, 1000)), hostileNumber) : fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 31 - 1 }) });
  // Kept under Node's 16 KiB header limit: a longer URL is refused by Node itself (431), before the app.
  const short = hostileString.map((v) => v.slice(0, 1000));
  return hostile ? fc.oneof(short, hostileNumber, fc.array(short, { minLength: 2, maxLength: 3 })) : valid(p.schema);
};

interface Built { path: string; query: string; headers: Record<string, string>; body?: { raw: string | Buffer; contentType: string | null } }

function requestFor(template: string, op: Operation, ids: number[]): fc.Arbitrary<Built> {
  const params = op.parameters ?? [];
  const body = op.requestBody?.content['application/json']?.schema;
  return fc.boolean().chain((hostile) =>
    fc.record({
      values: fc.tuple(...params.map((p) => (p.required || p.in === 'path' ? paramValue(p, hostile, ids).map((v) => [v] as unknown[]) : fc.option(paramValue(p, hostile, ids), { nil: undefined }).map((v) => (v === undefined ? [] : [v]))))),
      body: body ? (hostile ? hostileBody(body) : valid(body).map((v) => ({ raw: JSON.stringify(v), contentType: 'application/json' as string | null }))) : fc.constant(undefined),
    }).map(({ values, body: b }) => {
      let path = template;
      const query: string[] = [];
      const headers: Record<string, string> = { authorization: `Bearer ${KEY}` };
      params.forEach((p, i) => {
        for (const v of values[i] ?? []) {
          const items = Array.isArray(v) && p.in === 'query' ? v : [v];
          if (p.in === 'path') path = path.replace(`{${p.name}}`, encode(String(v)));
          else if (p.in === 'query') for (const item of items) query.push(`${encode(p.name)}=${encode(typeof item === 'string' ? item : JSON.stringify(item))}`);
          // Header values are latin-1 text without control characters (fetch refuses others before sending).
          else headers[p.name] = String(v).replace(/[^\x20-\x7e\xa0-\xff]/g, '').trim() || 'k';
        }
      });
      return { path, query: query.length ? `?${query.join('&')}` : '', headers, body: b };
    }),
  );
}

const operations = Object.entries(doc.paths).flatMap(([template, ops]) => Object.entries(ops).map(([method, op]) => ({ template, method: method.toUpperCase(), op })));
const signedDoors = new Set(['/webhooks/{provider}', '/slack/events']);

for (const { template, method, op } of operations.filter((o) => !signedDoors.has(o.template))) {
  test.serial(`fuzz ${method} ${template}: never a 5xx, every answer as documented`, async (t) => {
    const seen = new Map<number, number>();
    const n = template.includes('{id}') ? 8 : 0;
    const incidents = template.startsWith('/api/v1/incidents/') ? await openTestIncidents(svc, { authorization: `Bearer ${KEY}` }, n) : [];
    const ids = incidents.length ? incidents.map((i) => i.id)
      : template.startsWith('/api/v1/saved-replies')
      ? await createSavedReplies(n)
      : template === '/api/v1/requests/{id}/merge' && method === 'DELETE' ? await createMerged(n)
      : /^\/api\/v1\/(customers|companies|legal-holds|sender-blocks|requests\/\{id\}\/spam)/.test(template) ? await createThings(template, n) : await createTickets(n);
    await fc.assert(
      fc.asyncProperty(
        template === '/api/v1/requests/{id}/split' ? fc.oneof(requestFor(template, op, ids), await splittable(4))
        : template === '/api/v1/incidents/{id}/tickets/{ticketId}' ? fc.oneof(requestFor(template, op, ids), takeOuts(incidents))
        : requestFor(template, op, ids), async (r) => {
        const headers = { ...r.headers, ...(r.body?.contentType ? { 'content-type': r.body.contentType } : {}) };
        // api() fails on an undocumented status (a 5xx included) or a body that does not match the document.
        const res = await api(svc.baseUrl, `${r.path}${r.query}`, { method, headers, body: r.body?.raw });
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`${method} ${r.path}${r.query} answered ${res.status}: ${res.text}`);
      }),
      { numRuns: op.requestBody || op.parameters?.length ? 150 : 20 },
    );
    t.log(Object.fromEntries(seen));
    // Valid requests must get through: a fuzzer that only ever sees 4xx proved little.
    t.true([...seen.keys()].some((s) => s < 300), `no success among ${JSON.stringify(Object.fromEntries(seen))}`);
  });
}

for (const { template, method, op } of operations.filter((o) => signedDoors.has(o.template))) {
  test.serial(`fuzz ${method} ${template} unsigned: hostile bodies never give a 5xx`, async (t) => {
    const providers = template === '/webhooks/{provider}' ? ['zendesk', 'freshdesk', 'helpscout', 'intercom', 'front', 'generic', 'nope', '%00', 'ZENDESK'] : [''];
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...providers), hostileBody(undefined), async (provider, body) => {
        const path = template.replace('{provider}', provider);
        const res = await api(svc.baseUrl, path, { method, headers: body.contentType ? { 'content-type': body.contentType } : {}, body: body.raw });
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
      }),
      { numRuns: 150 },
    );
    t.log(Object.fromEntries(seen));
    t.pass();
  });
  void op;
}
