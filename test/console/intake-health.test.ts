/**
 * The intake health page: parts and doors as /health reports them, and for admins the dead letters, which
 * Replay sends back through the normal handler and Discard deletes for good; agents and viewers see no dead
 * letters and can do neither.
 */
import test from 'ava';
import type { Classifier } from '../../src/domain/classification.ts';
import { signedIn } from '../kit/console.ts';
import { api, serveForTest } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

/** Throws while `broken` (a model outage), so the classification ends as a dead letter. */
const classifier: Classifier & { broken: boolean } = {
  name: 'breakable',
  broken: true,
  async classify() {
    if (this.broken) throw new Error('model unavailable: <simulated>');
    return { category: 'billing', confidence: 0.9, priority: 'medium', language: 'en', summary: 's', modelName: 'm', classifier: 'local', processingTimeMs: 1 };
  },
};

test.serial('admins see parts, doors and dead letters and replay one; others do not', async (t) => {
  const svc = await serveForTest(t, {}, { classifier });
  await svc.service.queue.boss.updateQueue('classify', { retryLimit: 1, retryDelay: 1, retryBackoff: false });
  const created = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'Please refund the double charge on my card.' } });
  t.is(created.status, 201);
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/dead-letters?queue=classify')).json.items.length === 1, { timeoutMs: 60_000, what: 'the dead letter' });
  // A rejected request, so the REST door has something to show.
  await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: '' } });

  const admin = await signedIn(svc.baseUrl, svc.service, 'admin');
  const page = await admin.get('/console/health');
  t.is(page.status, 200);
  t.regex(page.text, /<td>database<\/td><td data-label="Status"><span class="chip ok">healthy/);
  t.regex(page.text, /<td>rest<\/td>/);
  t.regex(page.text, /invalid/);
  t.regex(page.text, /model unavailable: &lt;simulated&gt;/);
  const id = /name="id" value="([0-9a-f-]{36})"/.exec(page.text)![1]!;

  const agent = await signedIn(svc.baseUrl, svc.service, 'agent');
  const agentPage = await agent.get('/console/health');
  t.is(agentPage.status, 200);
  t.notRegex(agentPage.text, /Dead letters|model unavailable/);
  t.is((await agent.post('/console/health/dead-letters/replay', { id, queue: 'classify' })).status, 403);
  t.is((await admin.post('/console/health/dead-letters/replay', { id: 'not-a-uuid', queue: 'classify' })).status, 422);
  t.is((await admin.post('/console/health/dead-letters/replay', { id, queue: 'nope' })).status, 422);

  classifier.broken = false;
  const replay = await admin.post('/console/health/dead-letters/replay', { id, queue: 'classify' });
  t.is(replay.status, 302);
  t.is(replay.headers.get('location'), '/console/health?replayed=1');
  await waitFor(async () => (await api(svc.baseUrl, `/api/v1/requests/${created.json.id}`)).json.status === 'open', { what: 'the replayed classification' });
  t.is((await admin.post('/console/health/dead-letters/replay', { id, queue: 'classify' })).headers.get('location'), '/console/health?replayed=0', 'replayed once');
  t.regex((await admin.get('/console/health?replayed=1')).text, /1 dead letter sent back to its queue/);
});

test.serial('an admin discards a dead letter for good; agents cannot, and a second discard finds nothing', async (t) => {
  const svc = await serveForTest(t, {}, { classifier });
  classifier.broken = true;
  await svc.service.queue.boss.updateQueue('classify', { retryLimit: 1, retryDelay: 1, retryBackoff: false });
  const created = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'Please cancel my subscription today.' } });
  await waitFor(async () => (await api(svc.baseUrl, '/api/v1/dead-letters?queue=classify')).json.items.length === 1, { timeoutMs: 60_000, what: 'the dead letter' });
  const admin = await signedIn(svc.baseUrl, svc.service, 'admin');
  const page = (await admin.get('/console/health')).text;
  t.regex(page, /action="\/console\/health\/dead-letters\/discard"/);
  t.regex(page, /<button class="secondary danger">Discard<\/button>/);
  const id = /name="id" value="([0-9a-f-]{36})"/.exec(page)![1]!;

  const agent = await signedIn(svc.baseUrl, svc.service, 'agent');
  t.is((await agent.post('/console/health/dead-letters/discard', { id, queue: 'classify' })).status, 403);
  t.is((await admin.post('/console/health/dead-letters/discard', { id, queue: 'classify' }, { csrf: false })).status, 403);
  t.is((await admin.post('/console/health/dead-letters/discard', { id: 'not-a-uuid', queue: 'classify' })).status, 422);
  t.is((await admin.post('/console/health/dead-letters/discard', { id, queue: 'nope' })).status, 422);
  t.is((await api(svc.baseUrl, '/api/v1/dead-letters?queue=classify')).json.items.length, 1, 'refused discards changed nothing');

  const discard = await admin.post('/console/health/dead-letters/discard', { id, queue: 'classify' });
  t.is(discard.headers.get('location'), '/console/health?discarded=1');
  t.is((await api(svc.baseUrl, '/api/v1/dead-letters?queue=classify')).json.items.length, 0);
  t.regex((await admin.get('/console/health?discarded=1')).text, /1 dead letter discarded\./);
  t.is((await admin.post('/console/health/dead-letters/discard', { id, queue: 'classify' })).headers.get('location'), '/console/health?discarded=0');
  t.is((await admin.post('/console/health/dead-letters/replay', { id, queue: 'classify' })).headers.get('location'), '/console/health?replayed=0', 'a discarded letter cannot be replayed');
  classifier.broken = false;
  await new Promise((r) => setTimeout(r, 1_500));
  t.is((await api(svc.baseUrl, `/api/v1/requests/${created.json.id}`)).json.status, 'processing');
});
