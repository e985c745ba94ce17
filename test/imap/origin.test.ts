/**
 * A ticket read from a mailbox says where it came from and what parsing noticed, in its JSON (`origin`, as
 * docs/imap.md promises), and the list filters by mailbox. Through Dovecot, the reader and the real app.
 */
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { fixture, openInbox, tickets, useDovecot } from './harness.ts';

const suite = useDovecot();
const serial = suite.serial;

serial('origin: mailbox, folder, the header the requester came from, parse problems; ?mailbox= lists them', async (t) => {
  const { svc, box, reader } = await openInbox(t, suite.dovecot);
  await suite.dovecot.append(box.user, box.password, 'INBOX', ['plain.eml', 'from-empty-angle.eml', 'from-twice.eml'].map(fixture));
  reader.start();
  const rows = await waitFor(async () => {
    const r = await tickets(svc);
    return r.length === 3 ? r : null;
  }, { what: 'three tickets', timeoutMs: 20_000 });
  const origin = async (externalId: string) => (await api(svc.baseUrl, `/api/v1/requests/${rows.find((r) => r.external_id === externalId)!.id}`)).json.origin;

  const plain = await origin('<plain-0001@customer.example>');
  t.is(typeof plain.mailbox_id, 'string');
  t.deepEqual(plain, { mailbox_id: plain.mailbox_id, folder: 'INBOX', requester_header: 'from', parse_problems: [] });
  t.deepEqual(await origin('<from-empty-0001@customer.example>'), {
    mailbox_id: plain.mailbox_id, folder: 'INBOX', requester_header: 'sender', parse_problems: ['the From header has no usable address; requester taken from Sender'],
  });
  const twice = rows.find((r) => r.external_id === '<from-twice-0001@customer.example>')!;
  t.is(twice.requester_email, 'joerg@customer.example', 'the second From line is the requester');

  // The list: by mailbox; a ticket from another door has an empty origin and is not in a mailbox's list.
  const api1 = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { text: 'a ticket from the API, not from mail' } });
  t.deepEqual((await api(svc.baseUrl, `/api/v1/requests/${api1.json.id}`)).json.origin, { mailbox_id: null, folder: null, requester_header: null, parse_problems: [] });
  const listed = (await api(svc.baseUrl, `/api/v1/requests?mailbox=${plain.mailbox_id}`)).json;
  t.is(listed.total, 3);
  t.true(listed.items.every((i: { source: string; origin: { mailbox_id: string } }) => i.source === 'email' && i.origin.mailbox_id === plain.mailbox_id));
  t.is((await api(svc.baseUrl, '/api/v1/requests?mailbox=another-box')).json.total, 0);
  for (const bad of ['Billing', '', 'a'.repeat(41), 'x y', '%00']) {
    const res = await api(svc.baseUrl, `/api/v1/requests?mailbox=${bad}`);
    t.is(res.status, 422, `mailbox=${bad}`);
    t.is(res.json.errors[0].field, 'mailbox');
  }
});
