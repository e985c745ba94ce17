/**
 * Splitting follow-ups out of a ticket over REST: the oldest chosen message becomes a new ticket (classified like
 * any new one), the rest its follow-ups; the two point at each other; a reply to a split message continues the new
 * ticket. Every follow-up may be split out (the original keeps its own text). Refused: other tickets' messages,
 * messages a merge in force brought, unknown tickets, hostile bodies; nothing changes then.
 */
import test from 'ava';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService();
});
test.after.always(async () => svc?.stop());

let seq = 0;
const create = async (body: string, email: string) => {
  const res = await svc.service.ingest({ source: 'email', externalId: `<t${++seq}@customer.example>`, subject: 'Two problems', body, requesterEmail: email });
  return { id: res.ticketId!, messageId: `<t${seq}@customer.example>` };
};
const followUp = async (ticket: { messageId: string }, body: string, email: string) => {
  const res = await svc.service.ingest({ source: 'email', externalId: `<f${++seq}@customer.example>`, subject: 'Re: Two problems', body, requesterEmail: email, thread: { inReplyTo: ticket.messageId } });
  if (res.outcome !== 'followup') throw new Error(res.outcome);
  return { id: res.messageId!, messageId: `<f${seq}@customer.example>` };
};
const get = async (id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json;
const split = (id: number | string, json: unknown) => api(svc.baseUrl, `/api/v1/requests/${id}/split`, { method: 'POST', json });

test.serial('chosen follow-ups become a new ticket, classified, linked both ways; a reply to them continues it', async (t) => {
  const email = 'mo@customer.example';
  const original = await create('The app crashes on start', email);
  const stays = await followUp(original, 'It crashes on Android 14 only', email);
  const first = await followUp(original, 'Also, my invoice shows the wrong VAT rate', email);
  const second = await followUp(original, 'The VAT should be 19%', email);
  const totalBefore = (await api(svc.baseUrl, '/api/v1/stats?days=1')).json.total_tickets;

  const writtenAt = (await get(original.id)).messages.find((m: any) => m.id === first.id).created_at;
  const res = await split(original.id, { message_ids: [second.id, first.id] });
  t.is(res.status, 201, res.text);
  const made = res.json.ticket_id as number;
  t.is(res.headers.get('location'), `/api/v1/requests/${made}`);
  t.like(res.json, { split_from: original.id, messages: 2 });

  const fresh = await get(made);
  t.is(fresh.body, 'Also, my invoice shows the wrong VAT rate', 'the oldest chosen message is the new text');
  t.is(fresh.requester_email, email);
  t.is(fresh.split_from_id, original.id);
  t.is(fresh.created_at, writtenAt, 'dated when the customer wrote it');
  t.deepEqual(fresh.messages.map((m: any) => m.body), ['The VAT should be 19%']);
  const left = await get(original.id);
  t.deepEqual(left.messages.map((m: any) => m.id), [stays.id]);
  t.deepEqual(left.split_into, [made]);
  await waitFor(async () => ((await get(made)).classification ? true : undefined), { what: 'the new ticket classified' });
  t.is((await api(svc.baseUrl, '/api/v1/stats?days=1')).json.total_tickets, totalBefore + 1);

  const reply = await svc.service.ingest({ source: 'email', externalId: `<r${++seq}@customer.example>`, subject: 'Re: VAT', body: 'Any news on the VAT?', requesterEmail: email, thread: { inReplyTo: first.messageId } });
  t.is(reply.ticketId, made, 'a reply to the split message continues the new ticket');
  const replyToSecond = await svc.service.ingest({ source: 'email', externalId: `<r${++seq}@customer.example>`, subject: 'Re: VAT', body: 'Hello?', requesterEmail: email, thread: { inReplyTo: second.messageId } });
  t.is(replyToSecond.ticketId, made);
  const audit = (await api(svc.baseUrl, `/api/v1/audit?ticket=${original.id}`)).json.items.map((e: any) => e.action);
  t.true(audit.includes('split'));
});

test.serial('every follow-up may be split out: the original keeps its own text', async (t) => {
  const original = await create('Printer jams', 'ned@customer.example');
  const a = await followUp(original, 'And the scanner is slow', 'ned@customer.example');
  const b = await followUp(original, 'Scanner takes a minute per page', 'ned@customer.example');
  const res = await split(original.id, { message_ids: [a.id, b.id, a.id] });
  t.is(res.status, 201, res.text);
  t.is(res.json.messages, 2, 'a repeated id counts once');
  const left = await get(original.id);
  t.is(left.body, 'Printer jams');
  t.deepEqual(left.messages, []);
  t.is((await split(original.id, { message_ids: [a.id] })).status, 422, 'gone from it now');
});

test.serial('refused: another ticket\'s messages, messages a merge brought, unknown tickets, hostile bodies', async (t) => {
  const email = 'ola@customer.example';
  const one = await create('Login loops', email);
  const other = await create('Export broken', email);
  const mine = await followUp(one, 'Still looping', email);
  const theirs = await followUp(other, 'Export still broken', email);

  const foreign = await split(one.id, { message_ids: [mine.id, theirs.id] });
  t.is(foreign.status, 422);
  t.regex(foreign.text, /must name follow-ups of this ticket/);
  t.is((await split(2_000_000_000, { message_ids: [mine.id] })).status, 404);
  for (const body of [{}, { message_ids: [] }, { message_ids: 'all' }, { message_ids: [0] }, { message_ids: [-1] }, { message_ids: ['1 or 1=1'] }, { message_ids: [mine.id], extra: 1 }, { message_ids: Array.from({ length: 101 }, (_, i) => i + 1) }]) {
    t.is((await split(one.id, body)).status, 422, JSON.stringify(body).slice(0, 80));
  }

  t.is((await api(svc.baseUrl, `/api/v1/requests/${other.id}/merge`, { method: 'POST', json: { into: one.id } })).status, 200);
  const brought = (await get(one.id)).messages.filter((m: any) => m.body !== 'Still looping').map((m: any) => m.id);
  t.is(brought.length, 2, "the merged ticket's text and its follow-up");
  for (const id of brought) {
    const res = await split(one.id, { message_ids: [id] });
    t.is(res.status, 409);
    t.regex(res.text, /undo the merge first/);
  }
  t.deepEqual((await get(one.id)).messages.map((m: any) => m.id).sort(), [mine.id, ...brought].sort(), 'nothing moved');
  t.deepEqual((await get(one.id)).split_into, []);
});
