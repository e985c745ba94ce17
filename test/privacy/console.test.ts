/**
 * The console's privacy page (/console/privacy): admins only; a dry run that changes nothing, an export
 * download, an erasure that needs the subject typed again, legal holds placed and released from the page and
 * respected by the erasure; bad input is refused with a message and loses nothing; the person never appears
 * in a URL.
 */
import test from 'ava';
import { signedIn } from '../kit/console.ts';
import { api } from '../kit/service.ts';
import { admin, restTicket, startPrivacyService } from './harness.ts';

const ANA = { email: 'ana.erase@console-privacy.test', name: 'Ana Consolewipe' };

test('an admin finds a person, exports them, holds one ticket, erases the rest, releases the hold', async (t) => {
  const env = await startPrivacyService();
  t.teardown(env.stop);
  const { svc } = env;
  const text = { subject: `Invoice for ${ANA.name}`, body: `Hello, ${ANA.name} here. [cat=billing conf=0.9]` };
  const kept = await restTicket(svc, { ...ANA, ...text });
  const erased = await restTicket(svc, { ...ANA, ...text, key: 'second' });
  const other = await restTicket(svc, { email: 'otto@keep-console.test', name: 'Otto Keep', ...text });
  const ticket = async (id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`, { headers: admin })).json;

  const agent = await signedIn(svc.baseUrl, svc.service, 'agent');
  t.is((await agent.get('/console/privacy')).status, 403);
  t.is((await agent.post('/console/privacy/dry-run', { kind: 'email', value: ANA.email })).status, 403);
  t.false((await agent.get('/console')).text.includes('href="/console/privacy"'), 'agents are not shown the page');

  const boss = await signedIn(svc.baseUrl, svc.service, 'admin');
  const home = await boss.get('/console/privacy');
  t.is(home.status, 200);
  t.true(home.text.includes('href="/console/privacy" aria-current="page"'));

  // Dry run: counts, changes nothing; other spellings of the address find her too.
  const dry = await boss.post('/console/privacy/dry-run', { kind: 'email', value: ` ${ANA.email.toUpperCase()} ` });
  t.is(dry.status, 200, dry.text);
  t.regex(dry.text, /<strong>2<\/strong> tickets/);
  t.is((await ticket(kept)).requester_email, ANA.email);

  // Hostile and empty subjects: a message, nothing run, nothing echoed unescaped.
  for (const value of ['', 'not an address', '<script>alert(1)</script>@x']) {
    const bad = await boss.post('/console/privacy/dry-run', { kind: 'email', value });
    t.is(bad.status, 422, value);
    t.regex(bad.text, /must be an e-mail address/);
    t.false(bad.text.includes('<script>alert'), 'escaped');
  }
  t.is((await boss.post('/console/privacy/dry-run', { kind: 'phone', value: ANA.email })).status, 422);

  // Export: a JSON download with both her tickets, nobody else.
  const exported = await boss.post('/console/privacy/export', { kind: 'email', value: ANA.email });
  t.is(exported.status, 200);
  t.regex(exported.headers.get('content-type') ?? '', /application\/json/);
  t.regex(exported.headers.get('content-disposition') ?? '', /^attachment; filename="personal-data-export-\d{4}-\d{2}-\d{2}\.json"$/);
  const doc = JSON.parse(exported.text);
  t.deepEqual(doc.tickets, [kept, erased]);
  t.false(exported.text.includes('otto@keep-console.test'));

  // A legal hold on one of her tickets, from the page; wrong holds are refused.
  t.is((await boss.post('/console/privacy/holds', { ticket: String(kept), email: ANA.email, reason: '' })).status, 422, 'one of them, not both');
  t.is((await boss.post('/console/privacy/holds', { ticket: '', email: '', reason: '' })).status, 422);
  t.regex((await boss.post('/console/privacy/holds', { ticket: '99999999', email: '', reason: '' })).text, /There is no ticket #99999999/);
  t.is((await boss.post('/console/privacy/holds', { ticket: '', email: 'nope', reason: '' })).status, 422);
  const hold = await boss.post('/console/privacy/holds', { ticket: String(kept), email: '', reason: 'Case 2026-118 <b>open</b>' });
  t.is(hold.status, 302);
  const withHold = await boss.get('/console/privacy');
  t.true(withHold.text.includes(`ticket #${kept}`));
  t.true(withHold.text.includes('Case 2026-118 &lt;b&gt;open&lt;/b&gt;'), 'the reason, escaped');
  t.regex((await boss.post('/console/privacy/dry-run', { kind: 'email', value: ANA.email })).text, /<strong>1<\/strong> under legal hold/);

  // Erase: a confirmation that does not match erases nothing.
  const wrong = await boss.post('/console/privacy/erase', { kind: 'email', value: ANA.email, mode: 'anonymise', confirm: 'someone@else.test' });
  t.is(wrong.status, 422);
  t.regex(wrong.text, /nothing was erased/);
  t.is((await ticket(erased)).requester_email, ANA.email);
  t.is((await boss.post('/console/privacy/erase', { kind: 'email', value: ANA.email, mode: 'shred', confirm: ANA.email })).status, 422);

  const done = await boss.post('/console/privacy/erase', { kind: 'email', value: ANA.email, mode: 'anonymise', confirm: ANA.email.toUpperCase() });
  t.is(done.status, 302, done.text);
  const location = done.headers.get('location') ?? '';
  t.regex(location, /^\/console\/privacy\?erasure=\d+$/, 'the person is not in the URL');
  const after = await boss.get(location);
  t.regex(after.text, /Erasure #\d+ is done/);
  t.regex(after.text, /<td data-label="By">console:[^<]+<\/td><td data-label="Mode">anonymise<\/td>/);
  t.is((await ticket(erased)).requester_email, null, 'erased');
  t.is((await ticket(kept)).requester_email, ANA.email, 'the held ticket is kept');
  t.is((await ticket(other)).requester_email, 'otto@keep-console.test', 'others untouched');

  // Release the hold: gone from the page, in the audit under the admin's console actor.
  const holdId = /holds\/(\d+)\/release/.exec(after.text)?.[1];
  t.truthy(holdId);
  t.is((await boss.post(`/console/privacy/holds/${holdId}/release`, {})).status, 302);
  t.false((await boss.get('/console/privacy')).text.includes(`ticket #${kept}`));
  t.is((await boss.post(`/console/privacy/holds/${holdId}/release`, {})).status, 404, 'released once');
  const audit = (await api(svc.baseUrl, `/api/v1/audit?ticket=${kept}`, { headers: admin })).json.items as Array<{ actor: string; action: string }>;
  t.true(audit.some((e) => e.action === 'legal_hold' && e.actor.startsWith('console:')));
  t.true(audit.some((e) => e.action === 'legal_hold_released' && e.actor.startsWith('console:')));
  t.false(env.logs().toLowerCase().includes(ANA.email), 'the log output never held her address');
});
