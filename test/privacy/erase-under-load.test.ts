/**
 * An erasure while the doors are busy: REST and signed webhooks keep creating other people's tickets before,
 * during and after a person's tickets are deleted. Every ticket the doors accepted for someone else is there
 * afterwards, whole; every ticket of the person is gone.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { admin, restTicket, startPrivacyService, webhookTicket } from './harness.ts';

test('erasing a domain under REST and webhook load loses no other ticket', async (t) => {
  t.timeout(300_000);
  const env = await startPrivacyService();
  t.teardown(env.stop);
  const { svc } = env;
  const text = { subject: 'Order question', body: 'Where is my order? [cat=general conf=0.9]' };
  const theirs: number[] = [];
  for (let i = 0; i < 40; i += 1) theirs.push(await restTicket(svc, { email: `p${i}@under-load.test`, name: `Pia Loadwise ${i}`, ...text }));

  let stop = false;
  const accepted: string[] = [];
  const refused: string[] = [];
  const loop = async (door: 'rest' | 'webhook', lane: number) => {
    for (let n = 0; !stop; n += 1) {
      const email = `${door}${lane}-${n}@keep-load.test`;
      if (door === 'rest') {
        const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: admin, json: { ...text, requester_email: email, requester_name: 'Kim Keep' } });
        (res.status === 201 ? accepted : refused).push(`${email} ${res.status}`);
      } else {
        const res = await webhookTicket(svc, { id: `load-${lane}-${n}`, email, name: 'Kim Keep', ...text });
        (res.status === 200 ? accepted : refused).push(`${email} ${res.status}`);
      }
    }
  };
  const load = Promise.all([loop('rest', 1), loop('rest', 2), loop('webhook', 1), loop('webhook', 2)]);
  await new Promise((r) => setTimeout(r, 1500));
  const erased = await api(svc.baseUrl, '/api/v1/privacy/erasures', { method: 'POST', headers: admin, json: { kind: 'domain', value: 'under-load.test', mode: 'delete' } });
  await new Promise((r) => setTimeout(r, 1500));
  stop = true;
  await load;

  t.is(erased.status, 201, erased.text);
  t.is(erased.json.tickets, theirs.length);
  t.deepEqual(refused, [], 'the doors refused nothing meanwhile');
  t.true(accepted.length >= 20, `load ran: ${accepted.length} tickets accepted`);
  const kept = await svc.service.db.sql.query<{ requester_email: string; body: string }>(
    `select requester_email, body from tickets where requester_email like '%@keep-load.test' and deleted_at is null`,
  );
  t.deepEqual(kept.map((r) => r.requester_email).sort(), accepted.map((a) => a.split(' ')[0]!).sort(), 'every accepted ticket is there');
  t.true(kept.every((r) => r.body === text.body), 'and whole');
  for (const id of theirs) t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`, { headers: admin })).status, 404);
});
