/**
 * Erasing a customer whose ticket is on an incident's card: the card is drawn again without their name, the
 * incident's title (their subject) is erased, and the signatures of their words are gone.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { admin, startPrivacyService } from './harness.ts';

const words = (name: string, i: number) => ({
  subject: `Mailbox of ${name} is full`,
  body: `Hello, our shared mailbox stopped receiving messages this morning and every sender gets a bounce saying the quota is exceeded, although we deleted a lot yesterday. Account ${8100 + i}. ${name} [cat=technical conf=0.9]`,
  requester_email: `${name.toLowerCase()}@quota${i}.example`,
  requester_name: `${name} Quota`,
});

test('an erased customer leaves the incident card, its title and its signatures', async (t) => {
  const env = await startPrivacyService({ INCIDENTS_ENABLED: 'true', INCIDENT_MIN_TICKETS: '3' });
  t.teardown(env.stop);
  const names = ['Zora', 'Yann', 'Xavi', 'Wren'];
  const ids: number[] = [];
  for (const [i, name] of names.entries()) ids.push((await api(env.svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: admin, json: words(name, i) })).json.id as number);
  const cards = () => env.fake.messages.filter((m) => m.metadata?.event_type === 'support_incident');
  await waitFor(() => (JSON.stringify(cards()[0]?.blocks ?? []).includes('Incident: 4 customers') ? true : undefined), { timeoutMs: 30_000, what: 'the incident card' });
  // Xavi's ticket opened the incident: the title is Xavi's subject.
  const [incident] = await env.svc.service.db.sql.query<{ title: string }>('select title from incidents');
  t.is(incident!.title, 'Mailbox of Xavi is full');
  t.regex(JSON.stringify(cards()[0]!.blocks), /Xavi Quota/);

  const erased = await api(env.svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { kind: 'email', value: 'xavi@quota2.example', mode: 'anonymise' } });
  t.true(erased.status < 300, erased.text);
  await waitFor(() => (!JSON.stringify(cards()[0]!.blocks).includes('Xavi') ? true : undefined), { timeoutMs: 30_000, what: 'the card without Xavi' });
  const [after] = await env.svc.service.db.sql.query<{ title: string; kept: number }>('select title, jsonb_array_length(minhashes)::int as kept from incidents');
  t.deepEqual(after, { title: '[erased]', kept: 0 });
  t.deepEqual(await env.svc.service.db.sql.query('select ticket_id from ticket_fingerprints where ticket_id = $1', [ids[2]]), []);
  t.is(cards().length, 1);
});
