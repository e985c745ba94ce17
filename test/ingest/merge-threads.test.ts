/**
 * After a merge, every way a customer continues the merged ticket leads to the ticket it was merged into: a
 * reply to its mail (In-Reply-To), an update of its helpdesk ticket, a "[#id]" reference; a sender who is not
 * the merged ticket's customer still cannot write into it. Attachments move with their messages and come
 * back on undo; the audit has the merge and the undo.
 */
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({}, { classifier: createKeywordClassifier() });
});
test.after.always(async () => svc?.stop());

const merge = (source: number, into: number) => api(svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'POST', json: { into } });
const undo = (source: number) => api(svc.baseUrl, `/api/v1/requests/${source}/merge`, { method: 'DELETE' });
const ticket = async (id: number) => (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json;
const file = (name: string) => ({ filename: name, contentType: 'text/plain', size: 5, content: Buffer.from('hello') });

test('mail: a reply to the merged ticket\'s mail joins the target; a stranger\'s reply does not', async (t) => {
  const source = await svc.service.ingest({ source: 'email', externalId: '<m1@customer.example>', subject: 'VPN down', body: 'The VPN is down', requesterEmail: 'jo@customer.example', attachments: [file('log.txt')] });
  const fu = await svc.service.ingest({ source: 'email', externalId: '<m2@customer.example>', subject: 'Re: VPN down', body: 'Screenshot attached', requesterEmail: 'jo@customer.example', thread: { inReplyTo: '<m1@customer.example>' }, attachments: [file('shot.txt')] });
  t.is(fu.ticketId, source.ticketId);
  const target = await svc.service.ingest({ source: 'email', externalId: '<m3@customer.example>', subject: 'VPN still down', body: 'Nobody answered about the VPN', requesterEmail: 'jo@customer.example' });
  const before = { source: await ticket(source.ticketId!), target: await ticket(target.ticketId!) };
  t.is(before.source.attachments.length, 2);

  t.is((await merge(source.ticketId!, target.ticketId!)).status, 200);
  const merged = await ticket(target.ticketId!);
  t.deepEqual(merged.attachments.map((a: any) => a.filename).sort(), ['log.txt', 'shot.txt'], 'attachments moved with their messages');
  t.deepEqual((await ticket(source.ticketId!)).attachments, []);

  const reply = await svc.service.ingest({ source: 'email', externalId: '<m4@customer.example>', subject: 'Re: VPN down', body: 'Works again, thanks', requesterEmail: 'jo@customer.example', thread: { inReplyTo: '<m1@customer.example>' } });
  t.is(reply.outcome, 'followup');
  t.is(reply.ticketId, target.ticketId);
  const stranger = await svc.service.ingest({ source: 'email', externalId: '<m5@else.example>', subject: 'Re: VPN down', body: 'Me too', requesterEmail: 'kim@else.example', thread: { inReplyTo: '<m1@customer.example>', ticketId: source.ticketId! } });
  t.is(stranger.outcome, 'created', 'not the merged ticket\'s customer: a ticket of their own');

  t.is((await undo(source.ticketId!)).status, 200);
  const back = await ticket(source.ticketId!);
  t.deepEqual(back.attachments, before.source.attachments, 'the same attachments, on the same messages');
  t.deepEqual(back.messages, before.source.messages);
  t.deepEqual((await ticket(target.ticketId!)).attachments, []);

  const audit = (await api(svc.baseUrl, `/api/v1/audit?ticket=${source.ticketId}`)).json.items.map((e: any) => e.action);
  t.deepEqual(audit.filter((a: string) => a === 'merge' || a === 'unmerge'), ['unmerge', 'merge'], 'newest first');
});

test('helpdesk: an update of the merged helpdesk ticket, and a "[#id]" reference, join the target', async (t) => {
  const source = await svc.service.ingest({ source: 'zendesk', externalId: 'zd-merge-1', body: 'Refund missing', requesterEmail: 'lu@customer.example' });
  const target = await svc.service.ingest({ source: 'zendesk', externalId: 'zd-merge-2', body: 'Where is my refund', requesterEmail: 'lu@customer.example' });
  t.is((await merge(source.ticketId!, target.ticketId!)).status, 200);
  const update = await svc.service.ingest({ source: 'zendesk', externalId: 'zd-merge-1:comment:1', body: 'Still no refund', thread: { externalTicketId: 'zd-merge-1' } });
  t.is(update.outcome, 'followup');
  t.is(update.ticketId, target.ticketId);
  const byRef = await svc.service.ingest({ source: 'api', externalId: 'ref-merge-1', body: 'About [#ticket]', requesterEmail: 'lu@customer.example', thread: { ticketId: source.ticketId! } });
  t.is(byRef.ticketId, target.ticketId);
  // A redelivery of the merged ticket's own message is still a duplicate of it, not a new ticket.
  const again = await svc.service.ingest({ source: 'zendesk', externalId: 'zd-merge-1', body: 'Refund missing', requesterEmail: 'lu@customer.example' });
  t.is(again.outcome, 'duplicate');
});
