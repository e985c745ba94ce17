/** The saved replies page: agents create, edit and delete what /api/v1/saved-replies serves; viewers only read. */
import test from 'ava';
import { signedIn } from '../kit/console.ts';
import { api, serveForTest } from '../kit/service.ts';

test('create, edit and delete through the console are what REST sees; bad input and viewers are refused', async (t) => {
  const svc = await serveForTest(t);
  const agent = await signedIn(svc.baseUrl, svc.service, 'agent');
  const viewer = await signedIn(svc.baseUrl, svc.service, 'viewer');
  const listed = async () => (await api(svc.baseUrl, '/api/v1/saved-replies')).json.items as { id: number; title: string; body: string; category: string | null; language: string | null }[];

  const created = await agent.post('/console/saved-replies', { title: 'Refund on its way <b>', body: 'We refunded the double charge.\r\nIt shows within 5 days.', category: 'billing', language: 'en' });
  t.is(created.status, 302);
  const [reply] = await listed();
  t.like(reply, { title: 'Refund on its way <b>', body: 'We refunded the double charge.\nIt shows within 5 days.', category: 'billing', language: 'en' });

  const page = await viewer.get('/console/saved-replies');
  t.is(page.status, 200);
  t.regex(page.text, /Refund on its way &lt;b&gt;/);
  t.notRegex(page.text, /Delete/, 'a viewer is not offered changes');
  t.is((await viewer.post('/console/saved-replies', { title: 'x', body: 'y' })).status, 403);
  t.is((await viewer.post(`/console/saved-replies/${reply!.id}/delete`, {})).status, 403);

  const bad = await agent.post(`/console/saved-replies/${reply!.id}`, { title: ' ', body: 'x'.repeat(3001), category: 'spam', language: 'english!' });
  t.is(bad.status, 422);
  for (const problem of [/Title: 1 to 200/, /Text: 1 to 3000/, /Category: one from the list/, /Language: a tag/]) t.regex(bad.text, problem);
  t.is((await listed())[0]!.title, 'Refund on its way <b>', 'nothing changed');

  t.is((await agent.post(`/console/saved-replies/${reply!.id}`, { title: 'Refund sent', body: 'Refunded.', category: '', language: '' })).status, 302);
  t.like((await listed())[0], { title: 'Refund sent', body: 'Refunded.', category: null, language: null });
  t.is((await agent.get(`/console/saved-replies/${reply!.id}`)).text.includes('value="Refund sent"'), true);

  t.is((await agent.post(`/console/saved-replies/${reply!.id}/delete`, {})).status, 302);
  t.deepEqual(await listed(), []);
  t.is((await agent.post(`/console/saved-replies/${reply!.id}/delete`, {})).status, 404);
  t.is((await agent.get('/console/saved-replies/abc')).status, 404);
});
