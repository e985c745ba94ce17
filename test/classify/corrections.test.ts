import test from 'ava';
import { loadCorrections, mergeCorrections } from '../../src/classify/local/corrections.ts';
import { type Example, isHeldOut } from '../../src/classify/local/dataset.ts';
import { api, startTestService } from '../kit/service.ts';

const ex = (subject: string, body: string, category: Example['category'], priority?: Example['priority']): Example => ({ subject, body, category, priority, language: 'en' });

test('corrections replace the label of the same ticket text and add new tickets', (t) => {
  const base = [ex('a', 'first body', 'general', 'low'), ex('b', 'second body', 'technical', 'high')];
  const merged = mergeCorrections(base, [ex('a', 'first body', 'billing', undefined), ex('c', 'third body', 'technical', 'urgent')]);
  t.deepEqual(merged.map((e) => [e.subject, e.category, e.priority]), [
    ['a', 'billing', 'low'],
    ['b', 'technical', 'high'],
    ['c', 'technical', 'urgent'],
  ]);
});

test('the latest human classification of each ticket is a training example; automatic ones and held-out texts are not', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const post = async (subject: string, body: string) => (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body } })).json.id as number;
  const put = (id: number, json: unknown) => api(svc.baseUrl, `/api/v1/requests/${id}/classification`, { method: 'PUT', json });

  // find texts on each side of the held-out split (the split is by text hash)
  const texts = Array.from({ length: 40 }, (_, i) => ({ subject: `Ticket ${i}`, body: `The export to CSV fails with a timeout, case ${i}.` }));
  const trainText = texts.find((x) => !isHeldOut(x))!;
  const heldOutText = texts.find((x) => isHeldOut(x))!;
  const corrected = await post(trainText.subject, trainText.body);
  const heldOut = await post(heldOutText.subject, heldOutText.body);
  await post('Not corrected', 'Nobody looked at this ticket yet, it only has an automatic result.');

  t.is((await put(corrected, { category: 'general' })).status, 200);
  t.is((await put(corrected, { category: 'billing', priority: 'urgent', note: 'second thought' })).status, 200);
  t.is((await put(heldOut, { category: 'billing' })).status, 200);

  const { examples, skippedHeldOut } = await loadCorrections(svc.service.db.sql);
  t.is(skippedHeldOut, 1);
  t.deepEqual(examples, [{ subject: trainText.subject, body: trainText.body, category: 'billing', priority: 'urgent', language: examples[0]?.language }]);
});
