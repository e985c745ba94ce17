/**
 * Mail from a blocked sender (here a domain, from a subdomain too) through a real Dovecot mailbox: kept as spam
 * (verdict suppressed), flagged \Seen like any mail that is done with, no ticket and no follow-up, even as a reply
 * to a ticket; mail from others in the same batch still becomes tickets.
 */
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { events, folder, mail, openInbox, tickets, useDovecot } from './harness.ts';

const suite = useDovecot();

suite.serial('a blocked sender\'s mail makes no ticket and is kept as spam; the others in the batch make theirs', async (t) => {
  const { svc, box, reader } = await openInbox(t, suite.dovecot);
  t.is((await api(svc.baseUrl, '/api/v1/sender-blocks', { method: 'POST', json: { kind: 'domain', value: 'newsletter-blast.example' } })).status, 201);
  await suite.dovecot.append(box.user, box.password, 'INBOX', [
    mail({ from: 'Promo <promo@mx.newsletter-blast.example>', subject: 'Deals of the week', body: 'Our best deals, this week only.', messageId: '<blast-1@newsletter-blast.example>' }),
    mail({ from: 'Ana <ana@customer.example>', subject: 'Invoice wrong', body: 'Invoice 17 charges me twice.', messageId: '<ana-1@customer.example>' }),
    mail({ from: 'promo@newsletter-blast.example', subject: 'Re: Invoice wrong', body: 'Deals again', messageId: '<blast-2@newsletter-blast.example>', inReplyTo: '<ana-1@customer.example>' }),
  ]);
  reader.start();
  await waitFor(async () => (await folder(suite.dovecot, box)).every((m) => m.seen), { what: 'every mail done with', timeoutMs: 30_000 });
  t.deepEqual((await tickets(svc)).map((r) => r.requester_email), ['ana@customer.example']);
  const [ana] = await tickets(svc);
  t.deepEqual(await svc.service.db.sql.query('select id from ticket_messages where ticket_id = $1', [ana!.id]), [], 'the blocked reply is no follow-up of her ticket');
  const verdicts = (await events(svc)).map((e) => e.verdict).sort();
  t.deepEqual(verdicts, ['accepted', 'suppressed', 'suppressed']);
  const [block] = (await api(svc.baseUrl, '/api/v1/sender-blocks')).json.items as { suppressed: number }[];
  t.is(block!.suppressed, 2);
});
