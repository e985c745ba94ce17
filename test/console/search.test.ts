/**
 * Search over real HTTP on the service's database (PGlite, or PostgreSQL with TEST_DATABASE_URL): each kind of
 * query finds what it should (#id, address, @domain, words in any order, substrings, follow-ups), hostile text
 * is found literally and never breaks the page, paging walks every hit once, and REST's ?q= still finds every
 * substring through the same trigram-indexed match.
 */
import anyTest, { type TestFn } from 'ava';
import { signedIn, type ConsoleClient } from '../kit/console.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';

interface Env {
  svc: TestService;
  client: ConsoleClient;
  ids: Record<string, number>;
}
const test = anyTest.serial as TestFn<Env>;

const HOSTILE = `100% off_sale 'quoted' back\\slash a & b | !c :* (d) <script>alert(1)</script>`;

test.before(async (t) => {
  const svc = await startTestService();
  const create = async (subject: string, body: string, requester_email: string) =>
    (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body, requester_email, requester_name: 'Customer' } })).json.id as number;
  const ids: Record<string, number> = {
    invoice: await create('Invoice doubled this month', 'We were charged twice for the March invoice.', 'ana@acme.example'),
    refund: await create('Refund please', 'Please refund the duplicate charge on my card.', 'bob@acme.example'),
    login: await create('Cannot log in', 'The password reset mail never arrives.', 'Carla@Other.example'),
    german: await create('Rechnung doppelt', 'Die Rechnung für März wurde zweimal abgebucht.', 'dora@beispiel.example'),
    hostile: await create(HOSTILE, 'Body of the hostile one.', 'eve@evil.example'),
    plain: await create('100 percent off sale', 'A sale with no special characters.', 'fay@shop.example'),
  };
  // A follow-up from the customer, as threading stores it.
  await svc.service.db.sql.query(`insert into ticket_messages (ticket_id, source, body) values ($1, 'email', $2)`, [ids.login, 'Update: the activation token expired as well.']);
  const client = await signedIn(svc.baseUrl, svc.service, 'viewer');
  t.context = { svc, client, ids };
});
test.after.always(async (t) => t.context.svc?.stop());

const found = (page: string) => [...page.matchAll(/<a href="\/console\/tickets\/(\d+)">/g)].map((m) => Number(m[1]));
const search = async (client: ConsoleClient, q: string, extra = '') => {
  const res = await client.get(`/console/search?q=${encodeURIComponent(q)}${extra}`);
  return { ...res, ids: found(res.text) };
};

test('#id finds that ticket and only it', async (t) => {
  const { client, ids } = t.context;
  t.deepEqual((await search(client, `#${ids.refund}`)).ids, [ids.refund]);
  t.deepEqual((await search(client, '#999999999')).ids, []);
});

test('an address finds its requester whatever the case; @domain finds every requester there', async (t) => {
  const { client, ids } = t.context;
  t.deepEqual((await search(client, 'carla@other.example')).ids, [ids.login]);
  t.deepEqual((await search(client, 'ANA@ACME.EXAMPLE')).ids, [ids.invoice]);
  t.deepEqual((await search(client, '@acme.example')).ids.sort(), [ids.invoice, ids.refund].sort());
  // A domain is matched whole at the end, not as a substring of another domain.
  t.deepEqual((await search(client, '@cme.example')).ids, []);
});

test('words in any order, substrings, other languages and follow-ups are found; a subject hit ranks first', async (t) => {
  const { client, ids } = t.context;
  // Words match whole ('simple' configuration: no stemming), in any order, anywhere in subject and body.
  t.deepEqual((await search(client, 'charged twice')).ids, [ids.invoice]);
  t.deepEqual((await search(client, 'twice doubled')).ids, [ids.invoice]);
  t.deepEqual((await search(client, 'rechnung')).ids, [ids.german]);
  t.deepEqual((await search(client, 'März')).ids, [ids.german]);
  t.deepEqual((await search(client, 'activation token')).ids, [ids.login]);
  t.deepEqual((await search(client, 'upli')).ids, [ids.refund]);
  // "refund" is in the refund ticket's subject and body: it comes before tickets that only mention it in passing.
  const refund = await create2(t.context, 'Question', 'Could a refund apply here?');
  t.deepEqual((await search(client, 'refund')).ids, [ids.refund, refund]);
});

async function create2(env: Env, subject: string, body: string): Promise<number> {
  return (await api(env.svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body, requester_email: 'gil@x.example' } })).json.id as number;
}

test('hostile queries are found literally, never as patterns or operators, and render inert', async (t) => {
  const { client, ids } = t.context;
  for (const q of ['100%', 'off_sale', "'quoted'", 'back\\slash', 'a & b', '| !c :*', '(d)', '<script>alert(1)</script>']) {
    const res = await search(client, q);
    t.is(res.status, 200, q);
    // The literal holder comes first; others may follow only by a whole word of the query ("100" in "100 percent").
    t.is(res.ids[0], ids.hostile, q);
    t.false(res.ids.includes(ids.invoice!) || res.ids.includes(ids.refund!), q);
  }
  const page = (await search(client, '<script>alert(1)</script>')).text;
  t.false(page.includes('<script>alert(1)'));
  t.true(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  // % and _ alone would match everything as patterns; as text they match nothing but the hostile ticket.
  t.deepEqual((await search(client, '%%%')).ids, []);
  t.deepEqual((await search(client, '___')).ids, []);
  for (const q of ['&', '!', ':*', '()', '\u0000', 'a\u0000b', "' or 1=1 --", 'x'.repeat(5000), '   ', '#', '@', '@@', 'a@b']) {
    t.is((await search(client, q)).status, 200, JSON.stringify(q.slice(0, 20)));
  }
  t.is((await client.get('/console/search?q=a&q=b')).status, 200);
});

test('paging walks every hit once, in order, whatever the count', async (t) => {
  const { client, svc } = t.context;
  // 120 tickets sharing a word, by direct insert (the classifier's work is not what is tested here).
  await svc.service.db.sql.query(
    `insert into tickets (source, subject, body, status) select 'api', 'Pager ' || g, 'pagingword number ' || g, 'open' from generate_series(1, 120) g`,
  );
  const seen: number[] = [];
  let url = `/console/search?q=pagingword`;
  for (let pages = 0; pages < 10 && url; pages++) {
    const res = await client.get(url);
    seen.push(...found(res.text));
    url = /<a class="button" href="([^"]+)">Next page<\/a>/.exec(res.text)?.[1]?.replaceAll('&amp;', '&') ?? '';
  }
  t.is(seen.length, 120);
  t.is(new Set(seen).size, 120);
  // All hit in the body alike: newest first.
  t.deepEqual(seen, [...seen].sort((x, y) => y - x));
});

test('a broken cursor starts from the top instead of failing', async (t) => {
  const { client, ids } = t.context;
  for (const after of ['x', '1e999_1', 'NaN_3', '1_99999999999', "0_1'--"]) {
    const res = await search(client, 'refund', `&after=${encodeURIComponent(after)}`);
    t.is(res.status, 200, after);
    t.true(res.ids.includes(ids.refund!), after);
  }
});

test('REST ?q= still finds every substring of 3 characters or more, literally, through the shared match', async (t) => {
  const { svc, ids } = t.context;
  const q = async (text: string) => ((await api(svc.baseUrl, `/api/v1/requests?q=${encodeURIComponent(text)}`)).json.items as { id: number }[]).map((i) => i.id);
  t.deepEqual(await q('upli'), [ids.refund]);
  t.deepEqual(await q('ice dou'), [ids.invoice]);
  t.deepEqual(await q('100%'), [ids.hostile]);
  t.deepEqual(await q('off_sale'), [ids.hostile]);
  t.deepEqual(await q('back\\slash'), [ids.hostile]);
});

test('the search page needs a console session; the header box and the / key script are on every page', async (t) => {
  const { svc, client } = t.context;
  const anonymous = await fetch(`${svc.baseUrl}/console/search?q=refund`, { redirect: 'manual' });
  t.not(anonymous.status, 200);
  const inbox = await client.get('/console');
  t.regex(inbox.text, /<form class="top-search" method="get" action="\/console\/search"/);
  t.regex(inbox.text, /<script src="\/console\/assets\/[^"]+\/keys\.js" defer><\/script>/);
  const script = /src="(\/console\/assets\/[^"]+\/keys\.js)"/.exec(inbox.text)![1]!;
  t.is((await fetch(`${svc.baseUrl}${script}`)).status, 200);
});
