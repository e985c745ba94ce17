/**
 * Every place that holds personal data, as one registry (ERASURE_PLACES): what erasure (src/privacy/erase.ts)
 * counts, anonymises or deletes and what export reads. A new table with personal data adds its place here;
 * test/privacy/places.test.ts fails for a table of ours with text columns that is in neither this list nor
 * NO_PERSONAL_DATA.
 *
 * Two kinds of work: ticket-bound (the person's tickets and their follow-ups on other tickets, by id, in small
 * batches that resume after a crash) and person-bound (rows found by the person's addresses only, such as a
 * rejected delivery's payload or a queue job; done first, in one transaction, since the addresses are not kept).
 */
import type { Sql } from '../sql.ts';

export type ErasureMode = 'anonymise' | 'delete';

/** What an anonymised text reads. */
export const ERASED = '[erased]';

export interface TicketScope {
  ticketIds: number[];
  /** Follow-ups the person wrote on someone else's ticket. */
  messageIds: number[];
}

export interface PersonScope {
  /** Lower-cased addresses (for a domain: every address found on it). */
  emails: string[];
  /** Lower-cased domain for a domain erasure. */
  domain: string | null;
  /** The customer of a customer erasure (with every identity: addresses, Slack and helpdesk ids). */
  customerIds: number[];
}

export interface ErasurePlace {
  name: string;
  countTickets?(sql: Sql, scope: TicketScope): Promise<number>;
  eraseTickets?(sql: Sql, scope: TicketScope, mode: ErasureMode): Promise<number>;
  countPerson?(sql: Sql, person: PersonScope): Promise<number>;
  erasePerson?(sql: Sql, person: PersonScope, mode: ErasureMode): Promise<number>;
  exportTickets?(sql: Sql, scope: TicketScope): Promise<unknown[]>;
  exportPerson?(sql: Sql, person: PersonScope): Promise<unknown[]>;
}

/** Tables of ours with text columns that hold no person's data (or only agents' configuration). */
export const NO_PERSONAL_DATA = [
  'audit_entries', 'erasures', 'erasure_items', 'legal_holds', 'retention_runs', 'digest_runs', 'mailbox_cursors', 'oauth_tokens',
  'ops_incidents', 'ops_signals', 'rate_limit_counts', 'rate_limit_instances', 'saved_replies', 'ticket_assignments',
  'ticket_daily_stats', 'ticket_daily_figures', 'sla_daily_outcomes', 'ticket_slas', 'sla_events', 'console_sign_in_links', 'mikro_orm_migrations',
  // Organisations, not people; who changed a status (agents' ids, like ticket_assignments).
  'companies', 'company_domains', 'ticket_status_changes',
  // Which ticket was merged into which, and who did it (the moved texts are messages of the target).
  'ticket_merges',
  // A score and its link's token per resolution (the ticket's deletion takes them along).
  'csat_surveys',
  // Ticket numbers a channel's waiting-list message named (numbers, priorities and times only, kept a day).
  'slack_waiting_lists',
];

const count = async (sql: Sql, text: string, values: unknown[]) => Number((await sql.query<{ n: string | number }>(text, values))[0]?.n ?? 0);
const affected = async (sql: Sql, text: string, values: unknown[]) => (await sql.query<{ one: number }>(`with changed as (${text} returning 1 as one) select count(*)::int as one from changed`, values))[0]?.one ?? 0;
/** ILIKE patterns for the addresses (their % and _ taken literally). */
const patterns = (emails: string[]) => emails.map((e) => `%${e.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);

/** Queue jobs about these tickets: { ticketId } or { ticketIds: [...] } in the job's data. */
const JOB_ABOUT_TICKETS = `(data->>'ticketId' = any($1::text[]) or (jsonb_typeof(data->'ticketIds') = 'array'
  and exists (select 1 from jsonb_array_elements_text(data->'ticketIds') e where e = any($1::text[]))))`;
/** A job that will not run again: its data is only a record, so an erasure deletes it. */
const JOB_AT_REST = `(state in ('completed', 'failed', 'cancelled') or name like '%.dead')`;

/** The customer erased, or customers with one of the person's addresses (or any address at the domain) among their identities. */
const CUSTOMER_OF_PERSON = `(customers.id = any($3::int[]) or exists (select 1 from customer_identities i where i.customer_id = customers.id and i.kind = 'email'
  and (lower(i.value) = any($1::text[]) or split_part(lower(i.value), '@', 2) = $2)))`;

/** A block of one of the person's addresses, or of the domain erased. */
const BLOCK_OF_PERSON = `((kind = 'email' and value = any($1::text[])) or (kind = 'domain' and value = $2))`;

const ids = (scope: TicketScope) => scope.ticketIds.map(String);

export const ERASURE_PLACES: readonly ErasurePlace[] = [
  {
    name: 'tickets',
    countTickets: (sql, s) => count(sql, 'select count(*) as n from tickets where id = any($1::int[])', [s.ticketIds]),
    eraseTickets: async (sql, s, mode) => {
      if (mode === 'delete') {
        // The tickets' clocks go with them (no personal data, but the dashboard reads clocks without the tickets).
        await sql.query('delete from ticket_slas where ticket_id = any($1::int[])', [s.ticketIds]);
        await sql.query('delete from sla_events where ticket_id = any($1::int[])', [s.ticketIds]);
        return affected(sql, 'delete from tickets where id = any($1::int[])', [s.ticketIds]);
      }
      return affected(sql, `update tickets set subject = null, body = $2, full_body = null, requester_email = null, requester_name = null,
            reply_to = null, participants = null, metadata = null, tags = null, summary = null, external_id = null, snoozed_by = null
            where id = any($1::int[])`, [s.ticketIds, ERASED]);
    },
    exportTickets: (sql, s) => sql.query('select * from tickets where id = any($1::int[]) order by id', [s.ticketIds]),
  },
  {
    name: 'ticket_messages',
    countTickets: (sql, s) => count(sql, 'select count(*) as n from ticket_messages where ticket_id = any($1::int[]) or id = any($2::int[])', [s.ticketIds, s.messageIds]),
    eraseTickets: (sql, s, mode) =>
      mode === 'delete'
        ? affected(sql, 'delete from ticket_messages where ticket_id = any($1::int[]) or id = any($2::int[])', [s.ticketIds, s.messageIds])
        : affected(sql, `update ticket_messages set subject = null, body = $3, full_body = null, author_email = null, author_name = null,
            reply_to = null, metadata = null, external_id = null where ticket_id = any($1::int[]) or id = any($2::int[])`, [s.ticketIds, s.messageIds, ERASED]),
    exportTickets: (sql, s) => sql.query('select * from ticket_messages where ticket_id = any($1::int[]) or id = any($2::int[]) order by id', [s.ticketIds, s.messageIds]),
  },
  {
    name: 'ticket_replies',
    countTickets: (sql, s) => count(sql, 'select count(*) as n from ticket_replies where ticket_id = any($1::int[])', [s.ticketIds]),
    eraseTickets: (sql, s, mode) =>
      mode === 'delete'
        ? affected(sql, 'delete from ticket_replies where ticket_id = any($1::int[])', [s.ticketIds])
        : affected(sql, 'update ticket_replies set body = $2, last_error = null where ticket_id = any($1::int[])', [s.ticketIds, ERASED]),
    exportTickets: (sql, s) => sql.query('select * from ticket_replies where ticket_id = any($1::int[]) order by id', [s.ticketIds]),
  },
  {
    name: 'classifications',
    countTickets: (sql, s) => count(sql, 'select count(*) as n from classifications where ticket_id = any($1::int[])', [s.ticketIds]),
    eraseTickets: (sql, s, mode) =>
      mode === 'delete'
        ? affected(sql, 'delete from classifications where ticket_id = any($1::int[])', [s.ticketIds])
        : affected(sql, 'update classifications set summary = null, note = null where ticket_id = any($1::int[])', [s.ticketIds]),
    exportTickets: (sql, s) => sql.query('select * from classifications where ticket_id = any($1::int[]) order by id', [s.ticketIds]),
  },
  {
    name: 'attachments',
    countTickets: (sql, s) => count(sql, 'select count(*) as n from attachments where ticket_id = any($1::int[]) or message_id = any($2::int[])', [s.ticketIds, s.messageIds]),
    // An attachment is content: anonymising drops it as deleting does.
    eraseTickets: (sql, s) => affected(sql, 'delete from attachments where ticket_id = any($1::int[]) or message_id = any($2::int[])', [s.ticketIds, s.messageIds]),
    exportTickets: (sql, s) =>
      sql.query(`select id, ticket_id, message_id, filename, content_type, size, encode(content, 'base64') as content_base64, created_at
        from attachments where ticket_id = any($1::int[]) or message_id = any($2::int[]) order by id`, [s.ticketIds, s.messageIds]),
  },
  {
    name: 'inbound_events',
    countTickets: (sql, s) => count(sql, 'select count(*) as n from inbound_events where ticket_id = any($1::int[])', [s.ticketIds]),
    eraseTickets: (sql, s, mode) =>
      mode === 'delete'
        ? affected(sql, 'delete from inbound_events where ticket_id = any($1::int[])', [s.ticketIds])
        : affected(sql, 'update inbound_events set payload = null, metadata = null, reason = null, delivery_id = null where ticket_id = any($1::int[])', [s.ticketIds]),
    // Deliveries that reached no ticket (rejected, ignored) but carry the person's address: nothing to keep.
    countPerson: (sql, p) => (p.emails.length ? count(sql, 'select count(*) as n from inbound_events where ticket_id is null and (payload ilike any($1::text[]) or metadata::text ilike any($1::text[]))', [patterns(p.emails)]) : Promise.resolve(0)),
    erasePerson: (sql, p) => (p.emails.length ? affected(sql, 'delete from inbound_events where ticket_id is null and (payload ilike any($1::text[]) or metadata::text ilike any($1::text[]))', [patterns(p.emails)]) : Promise.resolve(0)),
    exportTickets: (sql, s) => sql.query('select * from inbound_events where ticket_id = any($1::int[]) order by id', [s.ticketIds]),
    exportPerson: (sql, p) => (p.emails.length ? sql.query('select * from inbound_events where ticket_id is null and (payload ilike any($1::text[]) or metadata::text ilike any($1::text[])) order by id', [patterns(p.emails)]) : Promise.resolve([])),
  },
  {
    name: 'idempotency_keys',
    countTickets: (sql, s) => count(sql, 'select count(*) as n from idempotency_keys where ticket_id = any($1::int[])', [s.ticketIds]),
    // A client's key may spell anything (an address, a name): no use once the ticket is erased.
    eraseTickets: (sql, s) => affected(sql, 'delete from idempotency_keys where ticket_id = any($1::int[])', [s.ticketIds]),
  },
  {
    name: 'queue_jobs',
    countTickets: (sql, s) => count(sql, `select count(*) as n from pgboss.job where ${JOB_ABOUT_TICKETS} and (${JOB_AT_REST} or data ? 'change')`, [ids(s)]),
    async eraseTickets(sql, s) {
      // Jobs still to run carry ids only, except a change note's free text, which goes.
      const rest = await affected(sql, `delete from pgboss.job where ${JOB_ABOUT_TICKETS} and ${JOB_AT_REST}`, [ids(s)]);
      const pending = await affected(sql, `update pgboss.job set data = data #- '{change,note}' where ${JOB_ABOUT_TICKETS} and data ? 'change'`, [ids(s)]);
      return rest + pending;
    },
    countPerson: (sql, p) => (p.emails.length ? count(sql, 'select count(*) as n from pgboss.job where data::text ilike any($1::text[]) or output::text ilike any($1::text[])', [patterns(p.emails)]) : Promise.resolve(0)),
    erasePerson: (sql, p) => (p.emails.length ? affected(sql, 'delete from pgboss.job where data::text ilike any($1::text[]) or output::text ilike any($1::text[])', [patterns(p.emails)]) : Promise.resolve(0)),
  },
  {
    name: 'slack_posts',
    countTickets: (sql, s) => count(sql, `select count(*) as n from slack_posts where ticket_id = any($1::int[]) and ts <> ''`, [s.ticketIds]),
    // The messages themselves are edited or deleted in Slack by the redaction jobs (src/privacy/erase.ts).
    eraseTickets: (sql, s, mode) => (mode === 'delete' ? affected(sql, 'delete from slack_posts where ticket_id = any($1::int[])', [s.ticketIds]) : countPosted(sql, s)),
    exportTickets: (sql, s) => sql.query(`select key, channel, ts, thread_ts, created_at from slack_posts where ticket_id = any($1::int[]) and ts <> '' order by key`, [s.ticketIds]),
  },
  {
    name: 'sender_blocks',
    // A block names the person's address (or the domain erased): it goes; their spam goes with inbound_events.
    countPerson: (sql, p) => count(sql, `select count(*) as n from sender_blocks where ${BLOCK_OF_PERSON}`, [p.emails, p.domain ?? '']),
    erasePerson: (sql, p) => affected(sql, `delete from sender_blocks where ${BLOCK_OF_PERSON}`, [p.emails, p.domain ?? '']),
    exportPerson: (sql, p) => sql.query(`select * from sender_blocks where ${BLOCK_OF_PERSON} order by id`, [p.emails, p.domain ?? '']),
  },
  {
    name: 'customers',
    // The person as a customer, found by their addresses. Anonymised, the customer stays as a nameless row its
    // tickets still point at (counts per customer keep); deleted, it goes with its identities.
    countPerson: (sql, p) => count(sql, `select count(*) as n from customers where ${CUSTOMER_OF_PERSON}`, [p.emails, p.domain ?? '', p.customerIds]),
    erasePerson: (sql, p, mode) =>
      mode === 'delete'
        ? affected(sql, `delete from customers where ${CUSTOMER_OF_PERSON}`, [p.emails, p.domain ?? '', p.customerIds])
        : affected(sql, `update customers set name = null, updated_at = now() where ${CUSTOMER_OF_PERSON}`, [p.emails, p.domain ?? '', p.customerIds]),
    exportPerson: (sql, p) => sql.query(`select * from customers where ${CUSTOMER_OF_PERSON} order by id`, [p.emails, p.domain ?? '', p.customerIds]),
  },
  {
    name: 'customer_identities',
    // After customers: every identity of those customers (addresses, helpdesk and Slack ids) goes.
    countPerson: (sql, p) => count(sql, `select count(*) as n from customer_identities where customer_id in (select id from customers where ${CUSTOMER_OF_PERSON})`, [p.emails, p.domain ?? '', p.customerIds]),
    erasePerson: (sql, p) => affected(sql, `delete from customer_identities where customer_id in (select id from customers where ${CUSTOMER_OF_PERSON})`, [p.emails, p.domain ?? '', p.customerIds]),
    exportPerson: (sql, p) => sql.query(`select * from customer_identities where customer_id in (select id from customers where ${CUSTOMER_OF_PERSON}) order by id`, [p.emails, p.domain ?? '', p.customerIds]),
  },
  {
    name: 'slack_card_refreshes',
    // A card's pending activity lines; the card itself is redacted through slack_posts.
    countTickets: (sql, s) => count(sql, 'select count(*) as n from slack_card_refreshes where ticket_id = any($1::int[])', [s.ticketIds]),
    eraseTickets: (sql, s) => affected(sql, 'delete from slack_card_refreshes where ticket_id = any($1::int[])', [s.ticketIds]),
  },
  {
    name: 'ticket_fingerprints',
    // A signature of the ticket's words (incident grouping): it goes, in both modes.
    countTickets: (sql, s) => count(sql, 'select count(*) as n from ticket_fingerprints where ticket_id = any($1::int[])', [s.ticketIds]),
    eraseTickets: (sql, s) => affected(sql, 'delete from ticket_fingerprints where ticket_id = any($1::int[])', [s.ticketIds]),
  },
  {
    name: 'incidents',
    // The title is one ticket's subject; the kept signatures cannot be told apart, so an incident holding an
    // erased ticket forgets them all (it is then joined only within the grouping window).
    countTickets: (sql, s) => count(sql, `select count(*) as n from incidents i where i.title_ticket_id = any($1::int[])
      or (jsonb_array_length(i.minhashes) > 0 and exists (select 1 from tickets t where t.incident_id = i.id and t.id = any($1::int[])))`, [s.ticketIds]),
    eraseTickets: async (sql, s) => {
      const titles = await affected(sql, 'update incidents set title = $2, title_ticket_id = null where title_ticket_id = any($1::int[])', [s.ticketIds, ERASED]);
      const kept = await affected(sql, `update incidents i set minhashes = '[]'::jsonb where jsonb_array_length(i.minhashes) > 0
        and exists (select 1 from tickets t where t.incident_id = i.id and t.id = any($1::int[]))`, [s.ticketIds]);
      return titles + kept;
    },
    exportTickets: (sql, s) => sql.query('select id, category, title, opened_at, closed_at from incidents where title_ticket_id = any($1::int[]) order by id', [s.ticketIds]),
  },
  {
    name: 'console_presence',
    // Open ticket pages of an agent being erased name them: their rows go (the streams' next heartbeat ends them).
    countPerson: (sql, p) => count(sql, `select count(*) as n from console_presence where user_id in (select slack_user_id from agents where lower(email) = any($1::text[]) or split_part(lower(email), '@', 2) = $2)`, [p.emails, p.domain ?? '']),
    erasePerson: (sql, p) => affected(sql, `delete from console_presence where user_id in (select slack_user_id from agents where lower(email) = any($1::text[]) or split_part(lower(email), '@', 2) = $2)`, [p.emails, p.domain ?? '']),
  },
  {
    name: 'console_sessions',
    // Sessions of an agent being erased hold their name: signed out.
    countPerson: (sql, p) => count(sql, `select count(*) as n from console_sessions where user_id in (select slack_user_id from agents where lower(email) = any($1::text[]) or split_part(lower(email), '@', 2) = $2)`, [p.emails, p.domain ?? '']),
    erasePerson: (sql, p) => affected(sql, `delete from console_sessions where user_id in (select slack_user_id from agents where lower(email) = any($1::text[]) or split_part(lower(email), '@', 2) = $2)`, [p.emails, p.domain ?? '']),
  },
  {
    name: 'agents',
    // Last: the places above find an agent's sessions and presence by this row's address.
    // The person is one of our agents: their name and address cached from Slack (looked up again when needed).
    countPerson: (sql, p) => count(sql, `select count(*) as n from agents where lower(email) = any($1::text[]) or split_part(lower(email), '@', 2) = $2`, [p.emails, p.domain ?? '']),
    erasePerson: (sql, p) => affected(sql, `update agents set name = null, email = null, looked_up_at = null where lower(email) = any($1::text[]) or split_part(lower(email), '@', 2) = $2`, [p.emails, p.domain ?? '']),
    exportPerson: (sql, p) => sql.query(`select * from agents where lower(email) = any($1::text[]) or split_part(lower(email), '@', 2) = $2`, [p.emails, p.domain ?? '']),
  },
];

function countPosted(sql: Sql, s: TicketScope): Promise<number> {
  return count(sql, `select count(*) as n from slack_posts where ticket_id = any($1::int[]) and ts <> ''`, [s.ticketIds]);
}

/**
 * Holds these tickets' rows until the erasure's transaction ends, taken before their posts are listed: a Slack
 * post being recorded meanwhile (slack-posts.ts completePost reads its ticket FOR SHARE) waits and then sees the
 * erasure, or was recorded first and is listed.
 */
export async function lockTickets(sql: Sql, ticketIds: number[]): Promise<void> {
  await sql.query('select id from tickets where id = any($1::int[]) order by id for update', [ticketIds]);
}

/** The Slack messages posted about these tickets (cards, thread notes), for the redaction jobs. */
export async function postsOfTickets(sql: Sql, ticketIds: number[]): Promise<{ channel: string; ts: string; card: boolean }[]> {
  const rows = await sql.query<{ key: string; channel: string; ts: string }>(`select key, channel, ts from slack_posts where ticket_id = any($1::int[]) and ts <> '' order by key`, [ticketIds]);
  return rows.map((r) => ({ channel: r.channel, ts: r.ts, card: r.key.startsWith('alert:') }));
}

export interface SubjectMatch {
  emails: string[];
  ticketIds: number[];
  messageIds: number[];
  /** Tickets left alone because of a legal hold. */
  heldTicketIds: number[];
}

/**
 * The person's tickets (they requested them), their follow-ups on other tickets, and every address they are
 * known by (for a domain: every address on it); tickets under a legal hold are set apart.
 */
export async function findSubject(sql: Sql, subject: { kind: 'email' | 'domain' | 'customer'; value: string }): Promise<SubjectMatch> {
  // A customer is their tickets and every address among their identities (their follow-ups elsewhere too).
  const customerId = subject.kind === 'customer' ? Number(subject.value) : null;
  const customerEmails = customerId === null ? [] : (await sql.query<{ email: string }>(
    `select lower(value) as email from customer_identities where customer_id = $1 and kind = 'email'`, [customerId],
  )).map((r) => r.email);
  const by = subject.kind === 'email' ? { where: (col: string) => `lower(${col}) = $1`, value: subject.value as unknown }
    : subject.kind === 'domain' ? { where: (col: string) => `split_part(lower(${col}), '@', 2) = $1`, value: subject.value as unknown }
    : { where: (col: string) => `lower(${col}) = any($1::text[])`, value: customerEmails as unknown };
  const tickets = await sql.query<{ id: number; email: string | null; held: boolean }>(
    `select t.id, lower(t.requester_email) as email,
            exists (select 1 from legal_holds h where h.ticket_id = t.id or h.email = lower(t.requester_email)) as held
       from tickets t where ${by.where('t.requester_email')} or t.customer_id = $2::int order by t.id`,
    [by.value, customerId],
  );
  const heldTicketIds = tickets.filter((t) => t.held).map((t) => t.id);
  const messages = await sql.query<{ id: number; email: string | null }>(
    `select m.id, lower(m.author_email) as email from ticket_messages m
      where ${by.where('m.author_email')} and m.ticket_id <> all($2::int[])
        and not exists (select 1 from legal_holds h where h.ticket_id = m.ticket_id)`,
    [by.value, tickets.map((t) => t.id)],
  );
  const emails = new Set<string>(subject.kind === 'email' ? [subject.value] : customerEmails);
  for (const row of [...tickets, ...messages]) if (row.email) emails.add(row.email);
  if (subject.kind === 'domain') {
    const agents = await sql.query<{ email: string }>(`select lower(email) as email from agents where split_part(lower(email), '@', 2) = $1`, [subject.value]);
    for (const a of agents) emails.add(a.email);
  }
  return {
    emails: [...emails].sort(),
    ticketIds: tickets.filter((t) => !t.held).map((t) => t.id),
    messageIds: messages.map((m) => m.id),
    heldTicketIds,
  };
}

/** Whether a legal hold covers the address (a customer hold). */
export async function customerHeld(sql: Sql, emails: string[]): Promise<boolean> {
  return (await count(sql, 'select count(*) as n from legal_holds where email = any($1::text[])', [emails])) > 0;
}
