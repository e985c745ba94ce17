/**
 * The ticket's assignee over REST: read (`assignee` on every ticket), set and clear (PATCH), filter
 * (?assignee=<id> / none), the history (/assignments), and what is refused (422) before it reaches the database.
 */
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({}, { classifier: createKeywordClassifier() });
});
test.after.always(async () => {
  await svc?.stop();
});

const create = async (text: string) => {
  const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text } });
  if (res.status !== 201) throw new Error(res.text);
  return res.json.id as number;
};
const patch = (id: number | string, json: unknown) => api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json });
const list = async (query: string) => (await api(svc.baseUrl, `/api/v1/requests?${query}`)).json.items.map((t: any) => t.id) as number[];

test('a new ticket has no assignee; PATCH sets, reassigns and clears it, each change in the history', async (t) => {
  const id = await create('My invoice shows the wrong amount for March');
  const before = (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json;
  t.is(before.assignee, null);

  const set = await patch(id, { assignee: 'UANN00001' });
  t.is(set.status, 200);
  t.deepEqual(set.json.assignee, { slack_user_id: 'UANN00001', name: null, email: null });
  t.true(['processing', 'open'].includes(set.json.status), 'the status is untouched (the classifier may have run meanwhile)');

  t.is((await patch(id, { assignee: 'UANN00001' })).status, 200, 'the same assignee again');
  t.is((await patch(id, { assignee: 'WBOB00001' })).json.assignee.slack_user_id, 'WBOB00001');
  const cleared = await patch(id, { assignee: null });
  t.is(cleared.json.assignee, null);

  const history = await api(svc.baseUrl, `/api/v1/requests/${id}/assignments`);
  t.is(history.status, 200);
  t.is(history.json.ticket_id, id);
  t.deepEqual(
    history.json.items.map((a: any) => [a.from?.slack_user_id ?? null, a.to?.slack_user_id ?? null, a.actor]),
    [[null, 'UANN00001', 'api'], ['UANN00001', 'WBOB00001', 'api'], ['WBOB00001', null, 'api']],
    'repeating the assignee added nothing',
  );
  t.is(history.json.total, 3);
  t.true(history.json.items.every((a: any) => !Number.isNaN(Date.parse(a.created_at))));
});

test('PATCH status alone still works as before; status and assignee together change both', async (t) => {
  const id = await create('The app crashes with an error when I upload a file');
  const status = await patch(id, { status: 'acknowledged' });
  t.is(status.status, 200);
  t.is(status.json.status, 'acknowledged');
  t.is(status.json.assignee, null);
  const both = await patch(id, { status: 'resolved', assignee: 'UCAROL001' });
  t.is(both.json.status, 'resolved');
  t.is(both.json.assignee.slack_user_id, 'UCAROL001');
});

test('?assignee=<id> and ?assignee=none filter the list, combined with the other filters', async (t) => {
  const a = await create('Refund for the duplicate charge on my card please');
  const b = await create('Where do I change my billing address for invoices');
  const c = await create('Password reset mail never arrives in my inbox');
  await patch(a, { assignee: 'UFILTER01' });
  await patch(b, { assignee: 'UFILTER01', status: 'resolved' });
  await patch(c, { assignee: 'UFILTER02' });

  t.deepEqual((await list('assignee=UFILTER01')).sort(), [a, b].sort());
  t.deepEqual(await list('assignee=UFILTER01&status=resolved'), [b]);
  t.deepEqual(await list('assignee=UFILTER02'), [c]);
  t.deepEqual(await list('assignee=UNOBODY01'), []);
  const none = await list('assignee=none&limit=1000');
  t.false(none.includes(a) || none.includes(b) || none.includes(c));
  const unassigned = await create('Nobody takes this one about my account settings');
  t.true((await list('assignee=none&limit=1000')).includes(unassigned));
});

test('hostile assignee values are refused with 422 and change nothing', async (t) => {
  const id = await create('Please check my subscription renewal date');
  await patch(id, { assignee: 'UKEEP0001' });
  const bad: unknown[] = [
    'not-a-user', 'u12345', 'U', 'UANN\u0000001', `U${'A'.repeat(10_000)}`, 'UANN 0001', '<@UANN0001>', 'UANN0001\n', 42, true, {}, ['UANN0001'], '',
  ];
  for (const value of bad) {
    const res = await patch(id, { assignee: value });
    t.is(res.status, 422, JSON.stringify(value).slice(0, 40));
    t.is(res.json.errors?.[0]?.field, 'assignee');
  }
  t.is((await patch(id, {})).status, 422, 'nothing to change');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`)).json.assignee.slack_user_id, 'UKEEP0001');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}/assignments`)).json.total, 1);

  for (const q of ['assignee=not-a-user', `assignee=U${'A'.repeat(10_000)}`, 'assignee=U%00ABC', 'assignee=NONE', 'assignee=UA&assignee=UB']) {
    t.is((await api(svc.baseUrl, `/api/v1/requests?${q}`)).status, 422, q.slice(0, 40));
  }
});

test('an unknown or deleted ticket answers 404 for PATCH assignee and for its history', async (t) => {
  t.is((await patch(2_000_000_000, { assignee: 'UANN00001' })).status, 404);
  t.is((await api(svc.baseUrl, '/api/v1/requests/2000000000/assignments')).status, 404);
  const id = await create('Delete me later, a question about invoices');
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'DELETE' })).status, 204);
  t.is((await patch(id, { assignee: 'UANN00001' })).status, 404);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}/assignments`)).status, 404);
});
