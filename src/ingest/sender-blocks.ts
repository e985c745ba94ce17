/**
 * Blocked senders: the list ingest checks every message against, and people's changes to it. A message from
 * a blocked address or domain is kept as spam (its delivery's audit row, verdict `suppressed`, with sender,
 * subject and an excerpt for the console's Spam view; retention and erasure treat it as any delivery) and makes
 * no ticket, no follow-up, no alert, no clock and no reply (keep-spam.ts writes that row and counts it on the
 * block, in one transaction). The list is read from the database at most every `refreshMs` (5 s) per instance,
 * at once after a change made here: another instance's block applies within that time. Audit entries say who
 * blocked what kind of subject, never the address.
 */
import type { Database } from '../db/database.ts';
import { appendAudit } from '../db/repositories/audit-entries.ts';
import { activeBlocks, endBlock, insertBlock, type SenderBlockRow } from '../db/repositories/sender-blocks.ts';
import { getTicket } from '../db/repositories/tickets.ts';
import { emailDomain } from '../domain/company-domain.ts';
import { type ActiveBlock, blockOf, type BlockSubject, parseBlockSubject } from '../domain/sender-block.ts';
import { changeStatus, type TicketWriteDeps } from './changes.ts';

export interface SenderBlocks {
  /** The block in force against `email`, if any. */
  match(email: string | null | undefined): Promise<ActiveBlock | undefined>;
  /** Checks and stores a block (BlockRefused when it may not be blocked); an existing block is returned as it is. */
  block(kind: string, value: string, actor: string, ticketId?: number | null): Promise<{ block: SenderBlockRow; created: boolean }>;
  /** Ends a block; false when there is none such in force. */
  unblock(id: number, actor: string): Promise<boolean>;
}

export function createSenderBlocks(db: Database, options: { own: () => readonly string[]; freeMail: ReadonlySet<string>; refreshMs?: number }): SenderBlocks {
  const refreshMs = options.refreshMs ?? 5_000;
  let list: ActiveBlock[] = [];
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  const current = async () => {
    if (Date.now() - readAt < refreshMs) return list;
    reading ??= activeBlocks(db.sql)
      .then((rows) => {
        list = rows;
        readAt = Date.now();
      })
      .finally(() => {
        reading = undefined;
      });
    await reading;
    return list;
  };
  const stale = () => {
    readAt = Number.NEGATIVE_INFINITY;
  };
  return {
    async match(email) {
      if (!email) return undefined;
      return blockOf(email, await current());
    },
    async block(kind, value, actor, ticketId = null) {
      const subject: BlockSubject = parseBlockSubject(kind, value, { own: options.own(), freeMail: options.freeMail });
      const outcome = await db.transaction(async (tx) => {
        const made = await insertBlock(tx, subject, actor, ticketId);
        if (made.created) await appendAudit(tx, { actor, action: 'block_sender', ticketId, after: { block_id: made.block.id, kind: subject.kind } });
        return made;
      });
      stale();
      return outcome;
    },
    async unblock(id, actor) {
      const ended = await db.transaction(async (tx) => {
        if (!(await endBlock(tx, id, actor))) return false;
        await appendAudit(tx, { actor, action: 'unblock_sender', ticketId: null, after: { block_id: id } });
        return true;
      });
      stale();
      return ended;
    },
  };
}

export type SpamOutcome = { found: false } | { found: true; noSender: true } | { found: true; block: SenderBlockRow; created: boolean; resolved: boolean };

/**
 * The Spam action on a ticket (card, console, REST): blocks its requester's address (or, with `domain`, their
 * whole domain) and resolves the ticket, in the open: the ticket's history says who did it.
 */
export async function markSpam(deps: TicketWriteDeps & { blocks: SenderBlocks }, ticketId: number, actor: string, options: { domain?: boolean } = {}): Promise<SpamOutcome> {
  const ticket = await getTicket(deps.db.sql, ticketId);
  if (!ticket) return { found: false };
  const email = ticket.requesterEmail;
  if (!email) return { found: true, noSender: true };
  const subject = options.domain ? emailDomain(email) ?? email : email;
  const made = await deps.blocks.block(options.domain ? 'domain' : 'email', subject, actor, ticketId);
  const resolved = (await changeStatus(deps, ticketId, 'resolved', actor)) === 'changed';
  return { found: true, ...made, resolved };
}
