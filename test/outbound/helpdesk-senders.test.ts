/**
 * Each helpdesk's reply door against a fake of its API on loopback: the documented endpoint, method, auth
 * header and body; the id the helpdesk gives the reply; and how each failure reaches the sending job
 * (transient: 429 with Retry-After, 500, refused connection, no answer in time; permanent: 401, 403, 404, 422).
 */
import anyTest, { type TestFn } from 'ava';
import { ConfigError, loadConfig } from '../../src/config.ts';
import type { Ticket } from '../../src/domain/ticket.ts';
import { retryAfterSeconds, waitAsked } from '../../src/outbound/helpdesks/http.ts';
import {
  freshdeskReplySender,
  frontReplySender,
  helpdeskReplySenders,
  helpScoutReplySender,
  intercomReplySender,
  zendeskReplySender,
} from '../../src/outbound/helpdesks/index.ts';
import { senderFor, type OutboundReply, PermanentSendError, type ReplySender, TransientSendError } from '../../src/domain/reply.ts';
import { type FakeHelpdesk, startFakeHelpdesk } from '../kit/fake-helpdesk.ts';
import { freePort } from '../kit/net.ts';
import { ticketOf } from './tickets.ts';

const reply: OutboundReply = {
  replyId: 31,
  ticketId: 7,
  text: 'Hello Jane,\n\nwe refunded the second charge <today> & will "check".\nBest',
  agent: { slackUserId: 'U123', name: 'Ana Agent' },
  idempotencyKey: 'reply-31-3f2a',
};

// Tests of a file run at once: each has its own fake helpdesk.
const test = anyTest as TestFn<{ fake: FakeHelpdesk }>;
test.beforeEach(async (t) => {
  t.context.fake = await startFakeHelpdesk();
});
test.afterEach.always(async (t) => t.context.fake?.close());

const basicOf = (header: string | undefined) => Buffer.from((header ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');

test('Zendesk: PUT /api/v2/tickets/{id}, basic auth email/token, a public comment with its author, the Idempotency-Key header', async (t) => {
  const { fake } = t.context;
  fake.route('PUT', /^\/api\/v2\/tickets\/4711$/, { status: 200, json: { ticket: { id: 4711 }, audit: { id: 900, events: [{ id: 901, type: 'Comment', public: true }] } } });
  const door = zendeskReplySender({ subdomain: 'acme', email: 'agent@acme.example', token: 'zd-token', authorId: '55', timeoutMs: 5000, baseUrl: fake.url });
  t.deepEqual(await door.send(ticketOf(), reply), { externalId: '901' });
  const [call] = fake.calls;
  t.is(call!.method, 'PUT');
  t.is(basicOf(call!.headers.authorization), 'agent@acme.example/token:zd-token');
  t.is(call!.headers['idempotency-key'], 'reply-31-3f2a');
  t.is(call!.headers['content-type'], 'application/json');
  t.deepEqual(call!.json, { ticket: { comment: { body: reply.text, public: true, author_id: 55 } } });
});

test('Zendesk: a retry carries the same Idempotency-Key; without an author the API user writes; ids other than numbers never reach the URL', async (t) => {
  const { fake } = t.context;
  fake.route('PUT', /^\/api\/v2\/tickets\/4711$/, { status: 500, json: { error: 'boom' } }, { status: 200, json: { audit: { id: 900, events: [] } } });
  const door = zendeskReplySender({ subdomain: 'acme', email: 'a@b.example', token: 't', timeoutMs: 5000, baseUrl: fake.url });
  await t.throwsAsync(door.send(ticketOf(), reply), { instanceOf: TransientSendError });
  t.deepEqual(await door.send(ticketOf(), reply), { externalId: '900' });
  t.deepEqual(fake.calls.map((c) => c.headers['idempotency-key']), ['reply-31-3f2a', 'reply-31-3f2a']);
  t.false('author_id' in fake.calls[1]!.json.ticket.comment, 'no author configured: the API user');
  t.false(door.canReply(ticketOf({ externalId: '../users/1' })), 'a non-numeric id never reaches the url');
  t.false(door.canReply(ticketOf({ externalId: null })));
});

test('Freshdesk: POST /api/v2/tickets/{id}/reply, basic auth apikey:X, the text as escaped HTML', async (t) => {
  const { fake } = t.context;
  fake.route('POST', /^\/api\/v2\/tickets\/88\/reply$/, { status: 201, json: { id: 6012, body: '...' } });
  const door = freshdeskReplySender({ domain: 'acme.freshdesk.com', apiKey: 'fd-key', timeoutMs: 5000, baseUrl: fake.url });
  t.deepEqual(await door.send(ticketOf({ source: 'freshdesk', externalId: '88' }), reply), { externalId: '6012' });
  const [call] = fake.calls;
  t.is(basicOf(call!.headers.authorization), 'fd-key:X');
  t.deepEqual(call!.json, { body: '<p>Hello Jane,</p><p>we refunded the second charge &lt;today&gt; &amp; will &quot;check&quot;.<br>Best</p>' });
});

test('Intercom: POST /conversations/{id}/reply as the admin, bearer token, pinned Intercom-Version; the new part is the id', async (t) => {
  const { fake } = t.context;
  fake.route('POST', /^\/conversations\/215\/reply$/, { status: 200, json: { type: 'conversation', id: '215', conversation_parts: { conversation_parts: [{ id: '1001' }, { id: '1002' }] } } });
  const door = intercomReplySender({ accessToken: 'ic-token', adminId: '991', timeoutMs: 5000, baseUrl: fake.url });
  t.deepEqual(await door.send(ticketOf({ source: 'intercom', externalId: '215' }), reply), { externalId: '1002' });
  const [call] = fake.calls;
  t.is(call!.headers.authorization, 'Bearer ic-token');
  t.truthy(call!.headers['intercom-version']);
  t.like(call!.json, { message_type: 'comment', type: 'admin', admin_id: '991' });
  t.true(call!.json.body.startsWith('<p>Hello Jane,</p>'));
});

test('Front: POST /conversations/{id}/messages (message reply), bearer token, HTML and text, the author; 202 with the message uid', async (t) => {
  const { fake } = t.context;
  fake.route('POST', /^\/conversations\/cnv_55\/messages$/, { status: 202, json: { status: 'accepted', message_uid: 'msg_abc' } });
  const door = frontReplySender({ apiToken: 'fr-token', authorId: 'tea_9', timeoutMs: 5000, baseUrl: fake.url });
  t.deepEqual(await door.send(ticketOf({ source: 'front', externalId: 'cnv_55' }), reply), { externalId: 'msg_abc' });
  const [call] = fake.calls;
  t.is(call!.headers.authorization, 'Bearer fr-token');
  t.is(call!.json.text, reply.text);
  t.is(call!.json.author_id, 'tea_9');
  t.true(call!.json.body.includes('&lt;today&gt;'));
  t.false(door.canReply(ticketOf({ source: 'front', externalId: 'cnv/../x' })));
});

test('Help Scout: client-credentials token, then POST /v2/conversations/{id}/reply to the customer; the thread id from Resource-ID; one token for several replies', async (t) => {
  const { fake } = t.context;
  fake.route('POST', /^\/v2\/oauth2\/token$/, { status: 200, json: { access_token: 'hs-access-1', token_type: 'bearer', expires_in: 172800 } });
  fake.route('POST', /^\/v2\/conversations\/321\/reply$/, { status: 201, text: '', headers: { 'resource-id': '7770' } });
  const door = helpScoutReplySender({ appId: 'hs-app', appSecret: 'hs-secret', timeoutMs: 5000, baseUrl: fake.url });
  const ticket = ticketOf({ source: 'helpscout', externalId: '321', replyTo: null });
  t.deepEqual(await door.send(ticket, reply), { externalId: '7770' });
  await door.send(ticket, reply);
  const tokenCalls = fake.callsTo('POST', /oauth2\/token/);
  t.is(tokenCalls.length, 1, 'the token is reused');
  const form = new URLSearchParams(tokenCalls[0]!.raw);
  t.is(form.get('grant_type'), 'client_credentials');
  t.is(form.get('client_id'), 'hs-app');
  t.is(form.get('client_secret'), 'hs-secret');
  const calls = fake.callsTo('POST', /reply$/);
  t.is(calls[0]!.headers.authorization, 'Bearer hs-access-1');
  t.deepEqual(calls[0]!.json.customer, { email: 'jane@customer.example' });
  t.true(calls[0]!.json.text.startsWith('<p>Hello Jane,</p>'));
  t.false(door.canReply({ ...ticket, requesterEmail: null }), 'no customer address: Help Scout cannot address the reply');
});

test('Help Scout: a 401 drops the token and the reply is tried once with a new one; refused app credentials are permanent', async (t) => {
  const { fake } = t.context;
  fake.route('POST', /^\/v2\/oauth2\/token$/, { status: 200, json: { access_token: 'old', token_type: 'bearer', expires_in: 172800 } }, { status: 200, json: { access_token: 'new', token_type: 'bearer', expires_in: 172800 } });
  fake.route('POST', /^\/v2\/conversations\/321\/reply$/, { status: 401, json: { message: 'token expired' } }, { status: 201, text: '', headers: { 'resource-id': '1' } });
  const door = helpScoutReplySender({ appId: 'a', appSecret: 's', timeoutMs: 5000, baseUrl: fake.url });
  const ticket = ticketOf({ source: 'helpscout', externalId: '321' });
  t.deepEqual(await door.send(ticket, reply), { externalId: '1' });
  t.deepEqual(fake.callsTo('POST', /reply$/).map((c) => c.headers.authorization), ['Bearer old', 'Bearer new']);

  const other = await startFakeHelpdesk();
  try {
    other.route('POST', /^\/v2\/oauth2\/token$/, { status: 401, json: { error: 'invalid_client', error_description: 'bad secret' } });
    const refused = helpScoutReplySender({ appId: 'a', appSecret: 'wrong', timeoutMs: 5000, baseUrl: other.url });
    const error = await t.throwsAsync(refused.send(ticket, reply), { instanceOf: PermanentSendError });
    t.regex(error.message, /HELPSCOUT_APP_SECRET/);
    t.is(other.callsTo('POST', /reply$/).length, 0);
  } finally {
    await other.close();
  }
});

/** Every door, pointed at the fake, with the route its reply goes to. */
function everyDoor(url: string, timeoutMs = 5000): Array<{ name: string; door: ReplySender; ticket: Ticket; method: string; path: RegExp }> {
  return [
    { name: 'zendesk', door: zendeskReplySender({ subdomain: 'a', email: 'e@x.example', token: 't', timeoutMs, baseUrl: url }), ticket: ticketOf(), method: 'PUT', path: /^\/api\/v2\/tickets\/4711$/ },
    { name: 'freshdesk', door: freshdeskReplySender({ domain: 'a.freshdesk.com', apiKey: 'k', timeoutMs, baseUrl: url }), ticket: ticketOf({ source: 'freshdesk' }), method: 'POST', path: /^\/api\/v2\/tickets\/4711\/reply$/ },
    { name: 'intercom', door: intercomReplySender({ accessToken: 't', adminId: '1', timeoutMs, baseUrl: url }), ticket: ticketOf({ source: 'intercom' }), method: 'POST', path: /^\/conversations\/4711\/reply$/ },
    { name: 'front', door: frontReplySender({ apiToken: 't', timeoutMs, baseUrl: url }), ticket: ticketOf({ source: 'front' }), method: 'POST', path: /^\/conversations\/4711\/messages$/ },
  ];
}

test('429 with Retry-After and 500 are transient (the wait kept); 401, 403, 404 and 422 are permanent, naming the helpdesk and what it said', async (t) => {
  const { fake } = t.context;
  for (const { name, door, ticket, method, path } of everyDoor(fake.url)) {
    fake.route(method, path, { status: 429, json: { error: 'slow down' }, headers: { 'retry-after': '17' } }, { status: 503, text: 'upstream down' }, { status: 401, json: { error: 'Couldn\'t authenticate you' } }, { status: 403, json: {} }, { status: 404, json: { error: 'RecordNotFound' } }, { status: 422, json: { description: 'Comment body is required' } });
    const limited = await t.throwsAsync(door.send(ticket, reply), { instanceOf: TransientSendError }, name);
    t.is(limited.retryAfterSeconds, 17, name);
    const down = await t.throwsAsync(door.send(ticket, reply), { instanceOf: TransientSendError }, name);
    t.regex(down.message, new RegExp(`^${name} answered HTTP 503: upstream down`));
    t.is(down.retryAfterSeconds, undefined);
    t.regex((await t.throwsAsync(door.send(ticket, reply), { instanceOf: PermanentSendError }, name)).message, /HTTP 401: Couldn't authenticate you \(the credentials were refused/);
    t.regex((await t.throwsAsync(door.send(ticket, reply), { instanceOf: PermanentSendError }, name)).message, /HTTP 403.*permission/);
    t.regex((await t.throwsAsync(door.send(ticket, reply), { instanceOf: PermanentSendError }, name)).message, /HTTP 404: RecordNotFound \(the ticket or conversation does not exist/);
    t.regex((await t.throwsAsync(door.send(ticket, reply), { instanceOf: PermanentSendError }, name)).message, /HTTP 422: Comment body is required/);
  }
});

test('a refused connection, a dropped one and no answer in time are transient', async (t) => {
  const { fake } = t.context;
  const port = await freePort(); // nothing listens there: connection refused
  for (const { name, door, ticket } of everyDoor(`http://127.0.0.1:${port}`)) {
    t.regex((await t.throwsAsync(door.send(ticket, reply), { instanceOf: TransientSendError }, name)).message, /ECONNREFUSED/, name);
  }
  for (const { name, door, ticket, method, path } of everyDoor(fake.url, 300)) {
    fake.route(method, path, 'drop', 'hang');
    await t.throwsAsync(door.send(ticket, reply), { instanceOf: TransientSendError }, `${name} dropped`);
    const started = Date.now();
    t.regex((await t.throwsAsync(door.send(ticket, reply), { instanceOf: TransientSendError }, `${name} hang`)).message, /no answer within 300 ms/);
    t.true(Date.now() - started < 3000);
  }
});

test('a redirect is not followed (a POST turned GET would send nothing): permanent, naming where it pointed', async (t) => {
  const { fake } = t.context;
  fake.route('PUT', /^\/api\/v2\/tickets\/4711$/, { status: 301, text: '', headers: { location: 'https://elsewhere.example/' } });
  const door = zendeskReplySender({ subdomain: 'a', email: 'e@x.example', token: 't', timeoutMs: 5000, baseUrl: fake.url });
  t.regex((await t.throwsAsync(door.send(ticketOf(), reply), { instanceOf: PermanentSendError })).message, /redirected to https:\/\/elsewhere\.example\//);
  t.is(fake.calls.length, 1);
});

test('Retry-After: seconds or an HTTP date, else X-RateLimit-Reset within the hour; anything else is no hint', (t) => {
  const now = Date.parse('2026-12-01T10:00:00Z');
  t.is(retryAfterSeconds('120', now), 120);
  t.is(retryAfterSeconds('Tue, 01 Dec 2026 10:00:30 GMT', now), 30);
  t.is(retryAfterSeconds('Tue, 01 Dec 2026 09:00:00 GMT', now), 0);
  t.is(retryAfterSeconds('soon', now), undefined);
  t.is(retryAfterSeconds('-5', now), undefined);
  t.is(retryAfterSeconds(null, now), undefined);
  // Intercom says when its window resets instead; a small number there is a window length, not a time.
  t.is(waitAsked(new Headers({ 'x-ratelimit-reset': String(now / 1000 + 42) }), now), 42);
  t.is(waitAsked(new Headers({ 'retry-after': '5', 'x-ratelimit-reset': String(now / 1000 + 42) }), now), 5);
  t.is(waitAsked(new Headers({ 'x-ratelimit-reset': '60' }), now), undefined);
  t.is(waitAsked(new Headers({ 'x-ratelimit-reset': 'soon' }), now), undefined);
  t.is(waitAsked(new Headers(), now), undefined);
});

const BASE_ENV = { NODE_ENV: 'test', PGLITE_DATA_DIR: 'memory://' };

test('helpdeskReplySenders: only the configured helpdesks have a door; REST tickets have none without the outbound webhook', (t) => {
  t.deepEqual(helpdeskReplySenders(loadConfig(BASE_ENV)), []);
  const config = loadConfig({
    ...BASE_ENV,
    ZENDESK_SUBDOMAIN: 'acme', ZENDESK_API_EMAIL: 'a@acme.example', ZENDESK_API_TOKEN: 't',
    FRESHDESK_DOMAIN: 'Acme.Freshdesk.com', FRESHDESK_API_KEY: 'k',
    HELPSCOUT_APP_ID: 'i', HELPSCOUT_APP_SECRET: 's',
    INTERCOM_ACCESS_TOKEN: 't', INTERCOM_ADMIN_ID: '12',
    FRONT_API_TOKEN: 't',
    GENERIC_REPLY_WEBHOOK_URL: 'https://tools.example.com/replies', GENERIC_REPLY_WEBHOOK_SECRET: 's',
  });
  const doors = helpdeskReplySenders(config);
  t.deepEqual(doors.map((d) => d.sources.join()), ['zendesk', 'freshdesk', 'helpscout', 'intercom', 'front', 'generic']);
  t.is(config.replies.freshdesk?.domain, 'acme.freshdesk.com');
  t.is(senderFor(doors, ticketOf({ source: 'api', externalId: null })), undefined, 'REST ticket: no door, no Reply button');
  t.is(senderFor(doors, ticketOf({ source: 'email' })), undefined, 'e-mail is the other helper\'s door');
  t.is(senderFor(doors, ticketOf())?.sources[0], 'zendesk');
  const withApi = helpdeskReplySenders(loadConfig({ ...BASE_ENV, API_REPLY_WEBHOOK_URL: 'http://127.0.0.1:9/replies', API_REPLY_WEBHOOK_SECRET: 's' }));
  t.truthy(senderFor(withApi, ticketOf({ source: 'api', externalId: null })));
});

test('configuration: a helpdesk half configured, a bad subdomain or an insecure webhook URL stops start-up naming each variable', (t) => {
  const error = t.throws(
    () =>
      loadConfig({
        ...BASE_ENV,
        ZENDESK_SUBDOMAIN: 'acme.zendesk.com',
        ZENDESK_API_TOKEN: 't',
        INTERCOM_ACCESS_TOKEN: 't',
        FRONT_AUTHOR_ID: 'tea_1',
        GENERIC_REPLY_WEBHOOK_URL: 'http://tools.example.com/replies',
        API_REPLY_WEBHOOK_SECRET: 's',
        HELPDESK_API_TIMEOUT_MS: '5',
      }),
    { instanceOf: ConfigError },
  );
  const problems = error.problems.join('\n');
  for (const expected of [
    /ZENDESK_SUBDOMAIN: must be the subdomain only/,
    /ZENDESK_API_EMAIL: required with ZENDESK_SUBDOMAIN, ZENDESK_API_TOKEN/,
    /INTERCOM_ADMIN_ID: required with INTERCOM_ACCESS_TOKEN/,
    /FRONT_AUTHOR_ID: needs FRONT_API_TOKEN/,
    /GENERIC_REPLY_WEBHOOK_URL: must be an https/,
    /GENERIC_REPLY_WEBHOOK_SECRET: required/,
    /API_REPLY_WEBHOOK_URL: required with API_REPLY_WEBHOOK_SECRET/,
    /HELPDESK_API_TIMEOUT_MS: must be an integer/,
  ]) t.regex(problems, expected);
});

test('Help Scout: replies sent at once share one token request; a failing token endpoint is transient', async (t) => {
  const { fake } = t.context;
  fake.route('POST', /^\/v2\/oauth2\/token$/, { status: 503, text: 'maintenance' }, { status: 200, json: { access_token: 'shared', token_type: 'bearer', expires_in: 172800 } });
  fake.route('POST', /^\/v2\/conversations\/\d+\/reply$/, { status: 201, text: '', headers: { 'resource-id': '1' } });
  const door = helpScoutReplySender({ appId: 'a', appSecret: 's', timeoutMs: 5000, baseUrl: fake.url });
  const ticket = ticketOf({ source: 'helpscout', externalId: '321' });
  await t.throwsAsync(door.send(ticket, reply), { instanceOf: TransientSendError, message: /helpscout token endpoint/ });
  await Promise.all([1, 2, 3].map((n) => door.send({ ...ticket, externalId: String(n) }, reply)));
  t.is(fake.callsTo('POST', /oauth2\/token/).length, 2, 'the failed request and one shared by the three replies');
  t.deepEqual(fake.callsTo('POST', /reply$/).map((c) => c.headers.authorization), ['Bearer shared', 'Bearer shared', 'Bearer shared']);
});

test('ids that did not come from the helpdesk never reach a URL; 409 (Zendesk: the ticket changed meanwhile) is transient', async (t) => {
  const { fake } = t.context;
  for (const { name, door, ticket } of everyDoor(fake.url)) {
    for (const externalId of ['..', '.', '../../admin', '1/2', '1?x=2', '1#frag', '%2e%2e', '', ' 1', 'x'.repeat(200), '1\u0000']) {
      t.false(door.canReply({ ...ticket, externalId }), `${name} ${JSON.stringify(externalId)}`);
    }
  }
  const hs = helpScoutReplySender({ appId: 'a', appSecret: 's', timeoutMs: 5000, baseUrl: fake.url });
  t.false(hs.canReply(ticketOf({ source: 'helpscout', externalId: '../x' })));
  fake.route('PUT', /^\/api\/v2\/tickets\/4711$/, { status: 409, json: { error: 'ConflictingUpdate' } });
  const zd = zendeskReplySender({ subdomain: 'a', email: 'e@x.example', token: 't', timeoutMs: 5000, baseUrl: fake.url });
  await t.throwsAsync(zd.send(ticketOf(), reply), { instanceOf: TransientSendError, message: /HTTP 409/ });
});
