/**
 * The card's customer lines: who wrote (and their company and tier), how many of their tickets are open, their
 * last five tickets with status, and possibly related ones (src/db/repositories/customer-context.ts), each
 * linking to the console's ticket page when PUBLIC_URL is set.
 */
import type { Database } from '../../db/database.ts';
import { customerContext } from '../../db/repositories/customer-context.ts';
import type { Ticket } from '../../domain/ticket.ts';
import { safeMrkdwn } from './format.ts';

export async function cardCustomerLines(db: Database, t: Pick<Ticket, 'id' | 'subject' | 'customer' | 'company' | 'requesterEmail'>, opts: { publicUrl: string | undefined; relatedDays: number }): Promise<string[]> {
  if (!t.customer) return [];
  const c = await customerContext(db.sql, { id: t.id, customerId: t.customer.id, subject: t.subject }, opts.relatedDays);
  const base = opts.publicUrl?.replace(/\/+$/, '');
  const ref = (x: { id: number; subject: string | null; status: string }) => {
    const subject = safeMrkdwn(x.subject ?? '(no subject)', 60, { singleLine: true });
    return `${base ? `<${base}/console/tickets/${x.id}|#${x.id}>` : `#${x.id}`} ${subject} (${x.status})`;
  };
  const who = safeMrkdwn(t.customer.name ?? t.requesterEmail ?? `customer ${t.customer.id}`, 80, { singleLine: true });
  const company = t.company ? ` · ${safeMrkdwn(t.company.name, 80, { singleLine: true })}${t.company.tier ? ` (${safeMrkdwn(t.company.tier, 40, { singleLine: true })})` : ''}` : '';
  const lines = [`:bust_in_silhouette: *${who}*${company} · ${c.openTickets} open`];
  if (c.recent.length) lines.push(`Last: ${c.recent.map(ref).join(' · ')}`);
  if (c.related.length) lines.push(`Possibly related: ${c.related.map(ref).join(' · ')}`);
  return lines;
}
