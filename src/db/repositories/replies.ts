/**
 * Agents' replies to customers (ticket_replies): stored with their send job, then marked sent or failed by
 * the send job. A reply's state row is what lets a retried job skip a reply already sent.
 */
import { sql } from 'kysely';
import type { ReplyState } from '../entities/ticket-reply.ts';
import type { Sql } from '../sql.ts';

export interface NewReply {
  ticketId: number;
  agentSlackId: string;
  agentName: string | null;
  body: string;
  draftOrigin: 'ai' | 'saved_reply' | 'none';
  savedReplyId: number | null;
  messageId: string;
  requestKey: string | null;
}

/** Returns the new reply's id, or null when a reply with this request key is stored already. */
export async function insertReply(tx: Sql, r: NewReply): Promise<number | null> {
  const row = await tx.kysely
    .insertInto('ticket_replies')
    .values({
      ticket_id: r.ticketId,
      agent_slack_id: r.agentSlackId,
      agent_name: r.agentName,
      body: r.body,
      draft_origin: r.draftOrigin,
      saved_reply_id: r.savedReplyId,
      message_id: r.messageId,
      request_key: r.requestKey,
    })
    .onConflict((oc) => oc.column('request_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function findReplyByRequestKey(db: Sql, requestKey: string): Promise<{ id: number; message_id: string } | null> {
  return (await db.kysely.selectFrom('ticket_replies').select(['id', 'message_id']).where('request_key', '=', requestKey).executeTakeFirst()) ?? null;
}

const columns = [
  'id', 'ticket_id', 'agent_slack_id', 'agent_name', 'body', 'draft_origin', 'saved_reply_id', 'state', 'message_id',
  'external_id', 'attempts', 'last_error', 'created_at', 'sent_at',
] as const;

export async function getReply(db: Sql, id: number) {
  return (await db.kysely.selectFrom('ticket_replies').select(columns).where('id', '=', id).executeTakeFirst()) ?? null;
}

export type ReplyRow = NonNullable<Awaited<ReturnType<typeof getReply>>>;

export async function listReplies(db: Sql, ticketId: number): Promise<ReplyRow[]> {
  return db.kysely.selectFrom('ticket_replies').select(columns).where('ticket_id', '=', ticketId).orderBy('id').execute();
}

/** The newest reply of a ticket (what the card shows when it failed). */
export async function latestReply(db: Sql, ticketId: number): Promise<ReplyRow | null> {
  return (await db.kysely.selectFrom('ticket_replies').select(columns).where('ticket_id', '=', ticketId).orderBy('id', 'desc').limit(1).executeTakeFirst()) ?? null;
}

/** Counts an attempt before the door is called (so a crash mid-send still shows it was tried). */
export async function recordAttempt(db: Sql, id: number): Promise<void> {
  await db.kysely.updateTable('ticket_replies').set({ attempts: sql<number>`attempts + 1` }).where('id', '=', id).where('state', '=', 'queued').execute();
}

export async function recordTransientError(db: Sql, id: number, error: string): Promise<void> {
  await db.kysely.updateTable('ticket_replies').set({ last_error: error.slice(0, 2000) }).where('id', '=', id).where('state', '=', 'queued').execute();
}

/** queued -> sent or failed; returns false when it was not queued any more (someone else finished it). */
export async function finishReply(tx: Sql, id: number, state: Exclude<ReplyState, 'queued'>, detail: { externalId?: string | null; error?: string | null }): Promise<boolean> {
  const row = await tx.kysely
    .updateTable('ticket_replies')
    .set({
      state,
      ...(state === 'sent' ? { sent_at: sql<Date>`now()`, external_id: detail.externalId?.slice(0, 255) ?? null, last_error: null } : { last_error: (detail.error ?? 'failed').slice(0, 2000) }),
    })
    .where('id', '=', id)
    .where('state', '=', 'queued')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** failed -> queued for an agent's Retry; false when it is not failed (already retried, or sent). */
/** Queues a failed reply again; its ticket's id, or false when it was not failed. */
export async function requeueFailedReply(tx: Sql, id: number): Promise<number | false> {
  const row = await tx.kysely
    .updateTable('ticket_replies')
    .set({ state: 'queued', last_error: null })
    .where('id', '=', id)
    .where('state', '=', 'failed')
    .returning('ticket_id')
    .executeTakeFirst();
  return row === undefined ? false : row.ticket_id;
}

/**
 * What an e-mail reply threads on: the mailbox the ticket came to, and the customer's Message-IDs, oldest
 * first (the ticket's own mail, then each e-mail follow-up). Our own replies' Message-IDs are added too, so
 * References carries the whole conversation. `parentReferences`: the References the customer's last mail
 * carried (else its In-Reply-To), the chain a reply to it continues (RFC 5322 3.6.4).
 */
export async function emailThreadOf(
  db: Sql,
  ticketId: number,
): Promise<{ mailboxId: string | null; messageIds: string[]; lastCustomerMessageId: string | null; parentReferences: string[] }> {
  const { rows } = await sql<{ kind: string; id: string | null; mailbox_id: string | null; refs: unknown; in_reply_to: string | null }>`
    select * from (
      select 'ticket' as kind, external_id as id, metadata->>'mailbox_id' as mailbox_id, metadata->'references' as refs, metadata->>'in_reply_to' as in_reply_to, created_at, 0 as n
        from tickets where id = ${ticketId} and source = 'email'
      union all
      select 'customer', external_id, null, metadata->'references', metadata->>'in_reply_to', created_at, id from ticket_messages where ticket_id = ${ticketId} and source = 'email'
      union all
      select 'ours', message_id, null, null, null, created_at, id from ticket_replies where ticket_id = ${ticketId} and state = 'sent'
    ) t order by created_at, n`.execute(db.kysely);
  const real = (id: string | null): id is string => !!id && !id.includes('@support-triage.invalid');
  const customer = rows.filter((r) => r.kind !== 'ours' && real(r.id));
  const parent = customer.at(-1);
  const storedRefs = Array.isArray(parent?.refs) ? parent.refs.filter((id): id is string => typeof id === 'string') : [];
  return {
    mailboxId: rows.find((r) => r.kind === 'ticket')?.mailbox_id ?? null,
    messageIds: rows.map((r) => r.id).filter(real),
    lastCustomerMessageId: parent?.id ?? null,
    parentReferences: storedRefs.length ? storedRefs : parent?.in_reply_to ? [parent.in_reply_to] : [],
  };
}

/**
 * A reply a teammate wrote outside the service (in the customer's Slack thread): stored as sent at once.
 * Returns its id, or null when this request key (the Slack message) is stored already.
 */
export async function insertSentReply(tx: Sql, r: Omit<NewReply, 'draftOrigin' | 'savedReplyId'> & { externalId: string; sentAt: Date }): Promise<number | null> {
  const row = await tx.kysely
    .insertInto('ticket_replies')
    .values({
      ticket_id: r.ticketId, agent_slack_id: r.agentSlackId, agent_name: r.agentName, body: r.body, draft_origin: 'none', saved_reply_id: null,
      message_id: r.messageId, request_key: r.requestKey, state: 'sent', external_id: r.externalId, sent_at: r.sentAt,
    })
    .onConflict((oc) => oc.column('request_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}
