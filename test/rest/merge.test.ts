/**
 * Merging tickets over REST: the source's text and follow-ups move to the target, the source answers as a
 * pointer and leaves lists, stats and SLA clocks, its thread's next message joins the target; undo brings both
 * tickets back exactly. Refused: into itself, unknown tickets, a merged ticket on either side (so never a
 * cycle, also when two people merge a pair in opposite directions at once), other customers unless said so.
 */
import test from 'ava';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({ SLA_FIRST_RESPONSE_MINUTES: 'urgent=30,high=60,medium=240,low=480', SLA_RESOLUTION_MINUTES: 'urgent=240,high=480,medium=960,low=1920', SLA_BUSINESS_HOURS: '24/7' });
});
test.after.always(async () => {
  await svc?.stop();
});

let seq = 0;
const create = async (body: string, email = `merge-${++seq}@customer.example`) => {
  const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: `Subject ${seq}`, body, requester_email: email } });
  if (res.status !== 201) throw new Error(res.text);
  return res.json.id as number;
};
const get = (id: number) => api(svc.baseUrl, `/api/v1/requests/${id}`);
const merge = (id: number | string, json: unknown) => api(svc.baseUrl, `/api/v1/requests/${id}/merge`, { method: 'POST', json });
const undo = (id: number | string) => api(svc.baseUrl, `/api/v1/requests/${id}/merge`, { method: 'DELETE' });
const followUp = (id: number, body: string, email: string) =>
  svc.service.ingest({ source: 'api', externalId: `fu-${++seq}`, body, requesterEmail: email, thread: { ticketId: id } });
/** Classified (so its clocks run): the worker is done with it and nothing moves under the comparison. */
const classified = (id: number) => waitFor(async () => ((await get(id)).json.status !== 'processing' ? true : undefined), { what: `ticket ${id} classified` });
const stats = async () => (await api(svc.baseUrl, '/api/v1/stats?days=1')).json;
const pendingClocks = (s: any) => Object.values(s.sla.first_response as Record<string, { pending: number }>).reduce((n, o) => n + o.pending, 0);

test.serial('merge moves the text and follow-ups, the source is a pointer out of lists, stats and clocks; undo restores both exactly', async (t) => {
  const email = 'dana@customer.example';
  const source = await create('The invoice PDF is empty since Monday', email);
  const target = await create('Invoices cannot be downloaded', email);
  await followUp(source, 'Here is the invoice number INV-77', email);
  await followUp(target, 'Any news?', email);
  await classified(source);
  await classified(target);
  const before = { source: (await get(source)).json, target: (await get(target)).json, stats: await stats() };
  t.is(before.source.merged_into_id, null);

  const res = await merge(source, { into: target });
  t.is(res.status, 200, res.text);
  t.like(res.json, { source_id: source, target_id: target, messages_moved: 2 });

  const pointer = (await get(source)).json;
  t.is(pointer.merged_into_id, target);
  t.is(pointer.body, before.source.body, 'the pointer keeps its own fields');
  t.deepEqual(pointer.messages, []);
  const merged = (await get(target)).json;
  // In the order they were written: the source's text is dated as the source was.
  t.deepEqual(merged.messages.map((m: any) => m.body), ['The invoice PDF is empty since Monday', 'Here is the invoice number INV-77', 'Any news?']);
  t.is(merged.messages.find((m: any) => m.merged_from === source)?.body, 'The invoice PDF is empty since Monday');
  t.is(merged.messages.filter((m: any) => m.merged_from !== null).length, 1);

  const listed = (await api(svc.baseUrl, `/api/v1/requests?limit=100&q=invoice`)).json.items.map((i: any) => i.id);
  t.false(listed.includes(source), 'the source leaves the list');
  t.true(listed.includes(target));
  const after = await stats();
  t.is(after.total_tickets, before.stats.total_tickets - 1, 'the pair counts once');
  t.is(pendingClocks(after), pendingClocks(before.stats) - 1, "the source's clock no longer counts");

  // The customer answers in the source's thread: it continues the target.
  const late = await followUp(source, 'Still empty today', email);
  t.is(late.outcome, 'followup');
  t.is(late.ticketId, target);

  const undone = await undo(source);
  t.is(undone.status, 200, undone.text);
  t.like(undone.json, { source_id: source, target_id: target });
  const back = { source: (await get(source)).json, target: (await get(target)).json };
  t.deepEqual(back.source, before.source, 'the source exactly as before');
  // The target keeps what came after the merge (the late follow-up, which also moved its updated_at), and nothing else changed.
  const withoutLate = (x: any) => ({ ...x, updated_at: undefined, messages: x.messages.filter((m: any) => m.body !== 'Still empty today') });
  t.deepEqual(withoutLate(back.target), withoutLate(before.target));
  t.is(back.target.messages.at(-1).body, 'Still empty today');
  const restored = await stats();
  t.is(restored.total_tickets, before.stats.total_tickets);
  t.is(pendingClocks(restored), pendingClocks(before.stats));
  t.is((await undo(source)).status, 409, 'undone already');
});

test.serial('refused: into itself, unknown tickets, either side merged already (no cycle), another customer unless said so', async (t) => {
  const a = await create('Login fails', 'eve@customer.example');
  const b = await create('Cannot log in', 'eve@customer.example');
  const c = await create('Password reset mail missing', 'EVE@customer.example');
  const other = await create('Login fails for me too', 'frank@else.example');

  const self = await merge(a, { into: a });
  t.is(self.status, 422);
  t.regex(self.text, /itself/);
  t.is((await merge(a, { into: 2_000_000_000 })).status, 404);
  t.is((await merge(2_000_000_000, { into: a })).status, 404);

  const across = await merge(other, { into: a });
  t.is(across.status, 409);
  t.regex(across.text, /different customers/);
  t.is((await get(other)).json.merged_into_id, null, 'nothing changed');

  t.is((await merge(a, { into: b })).status, 200);
  const cycle = await merge(b, { into: a });
  t.is(cycle.status, 409, 'into a merged ticket');
  t.regex(cycle.text, new RegExp(`merged into ${b}: merge into that one`));
  t.is((await merge(a, { into: c })).status, 409, 'a merged ticket again');
  t.is((await merge(c, { into: b })).status, 200, 'the same address in another case is the same customer');
  t.is((await merge(other, { into: b, across_customers: true })).status, 200, 'across customers on purpose');
  t.deepEqual((await get(b)).json.messages.map((m: any) => m.merged_from).sort(), [a, c, other].sort());

  // Undone in any order: each source comes back with its own text only.
  t.is((await undo(c)).status, 200);
  t.is((await undo(a)).status, 200);
  t.is((await undo(other)).status, 200);
  t.deepEqual((await get(b)).json.messages, []);
  for (const id of [a, c, other]) t.is((await get(id)).json.merged_into_id, null);
  t.is((await undo(b)).status, 409, 'never merged');
  t.is((await undo(2_000_000_000)).status, 404);
});

test.serial('hostile bodies are refused before anything changes', async (t) => {
  const a = await create('Broken export');
  for (const body of [{}, { into: 0 }, { into: -3 }, { into: '1; drop table tickets' }, { into: 1.5 }, { into: 2 ** 31 }, { into: 1, extra: true }, { into: 1, across_customers: 'yes' }, []]) {
    const res = await merge(a, body);
    t.is(res.status, 422, JSON.stringify(body));
  }
  t.is((await merge('abc', { into: a })).status, 422);
  t.is((await get(a)).json.merged_into_id, null);
});

test.serial('two people merge a pair in opposite directions at once: one merge wins, no cycle', async (t) => {
  for (let round = 0; round < 5; round += 1) {
    const x = await create('Checkout hangs', 'gil@customer.example');
    const y = await create('Checkout spins forever', 'gil@customer.example');
    const [one, two] = await Promise.all([merge(x, { into: y }), merge(y, { into: x })]);
    t.deepEqual([one.status, two.status].sort(), [200, 409]);
    const pointers = [(await get(x)).json.merged_into_id, (await get(y)).json.merged_into_id];
    t.is(pointers.filter((p) => p !== null).length, 1);
  }
});
