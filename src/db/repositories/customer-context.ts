/**
 * What an agent sees of a ticket's customer where they look (the console's ticket page): open tickets, the last
 * five, and possibly related ones. Related means the same customer (never another person's tickets: a company
 * shares a domain, not a conversation), within `days`, with a subject like this one (pg_trgm similarity).
 * Each query reads one customer's tickets through tickets_customer_open_idx or tickets_customer_created_at_idx.
 */
import { sql } from 'kysely';
import type { TicketStatus } from '../../domain/categories.ts';
import { type Sql, ticketNotDeleted } from '../sql.ts';

export interface ContextTicket {
  id: number;
  subject: string | null;
  status: TicketStatus;
  createdAt: Date;
}

export interface CustomerContext {
  openTickets: number;
  recent: ContextTicket[];
  related: (ContextTicket & { similarity: number })[];
}

/** Subjects at least this alike (pg_trgm similarity, 0..1) make a ticket possibly related. */
export const RELATED_SIMILARITY = 0.3;
/**
 * Related tickets are looked for among the customer's newest this many of the window: an integration sending
 * thousands a month would otherwise cost a similarity per ticket on every card (bench/customer-context.ts).
 */
export const RELATED_WINDOW = 500;

export async function customerContext(db: Sql, ticket: { id: number; customerId: number; subject: string | null }, days: number): Promise<CustomerContext> {
  const mine = db.kysely.selectFrom('tickets').where('customer_id', '=', ticket.customerId).where(ticketNotDeleted).where('id', '<>', ticket.id);
  const [open, recent, related] = await Promise.all([
    db.kysely
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('customer_id', '=', ticket.customerId)
      .where(ticketNotDeleted)
      .where('status', '<>', 'resolved')
      .executeTakeFirstOrThrow(),
    mine.select(['id', 'subject', 'status', 'created_at']).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(5).execute(),
    ticket.subject
      ? db.kysely
          .selectFrom(
            mine.select(['id', 'subject', 'status', 'created_at'])
              .where('created_at', '>=', sql<Date>`now() - make_interval(days => ${days})`)
              .orderBy('created_at', 'desc')
              .limit(RELATED_WINDOW)
              .as('latest'),
          )
          .select(['id', 'subject', 'status', 'created_at', sql<number>`similarity(subject, ${ticket.subject})`.as('similarity')])
          .where(sql<boolean>`similarity(subject, ${ticket.subject}) >= ${RELATED_SIMILARITY}`)
          .orderBy('similarity', 'desc')
          .orderBy('id', 'desc')
          .limit(5)
          .execute()
      : Promise.resolve([]),
  ]);
  const row = (r: { id: number; subject: string | null; status: TicketStatus; created_at: Date | string }) => ({ id: r.id, subject: r.subject, status: r.status, createdAt: new Date(r.created_at) });
  return { openTickets: Number(open.n), recent: recent.map(row), related: related.map((r) => ({ ...row(r), similarity: Number(r.similarity) })) };
}
