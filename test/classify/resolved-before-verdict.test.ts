/**
 * A verdict that lands after the ticket was resolved classifies it but leaves its updated_at, the age retention
 * counts a resolved ticket's from (RETENTION_RESOLVED_TICKETS_DAYS): a late classification never postpones it.
 * An open ticket's verdict still moves updated_at.
 */
import test from 'ava';
import { heldClassifier } from '../kit/held-classifier.ts';
import { api, startTestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

test('resolved before its verdict: classified, updated_at kept; an open one moves it', async (t) => {
  const held = heldClassifier();
  const svc = await startTestService({}, { classifier: held.classifier });
  t.teardown(() => svc.stop());
  const create = async (body: string) => (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { body } })).json.id as number;
  const get = async (id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json;
  const resolved = await create('Printer offline [cat=technical conf=0.9] hold-me');
  const open = await create('Printer jams [cat=technical conf=0.9] hold-me too');
  await waitFor(() => (held.seen.length === 2 ? true : undefined), { what: 'the classifier reading both' });
  await api(svc.baseUrl, `/api/v1/requests/${resolved}`, { method: 'PATCH', json: { status: 'resolved' } });
  const before = { resolved: (await get(resolved)).updated_at, open: (await get(open)).updated_at };
  await new Promise((r) => setTimeout(r, 20));
  held.release();
  await waitFor(async () => ((await get(resolved)).classification && (await get(open)).classification ? true : undefined), { what: 'both classified' });
  const after = { resolved: await get(resolved), open: await get(open) };
  t.is(after.resolved.classification.category, 'technical');
  t.is(after.resolved.status, 'resolved');
  t.is(after.resolved.updated_at, before.resolved, 'the resolved ticket keeps its age');
  t.not(after.open.updated_at, before.open, 'an open ticket was changed by its verdict');
});
