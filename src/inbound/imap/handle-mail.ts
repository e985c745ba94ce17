/**
 * One mail's delivery to ingest: noise is handed in as ignored (a bounce naming the mail it returns), a mail
 * that is not one as failed, everything else as a message; ingest decides and records the verdict. Errors that
 * are about this mail (unparseable, refused by ingest) become a `failed` outcome so the loop moves on; anything
 * else (database down) is thrown and the mail is retried.
 */
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import type { InboundMessage } from '../../domain/inbound-message.ts';
import type { Delivery, DeliveryContent } from '../../ingest/delivery.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import { IngestValidationError } from '../../ingest/normalize.ts';
import { classifyNoise } from './noise.ts';
import type { ParsedEmail } from './parse-mail.ts';
import { toInboundMessage, type MailContext } from './to-inbound.ts';

export type MailOutcome =
  | { kind: 'created' | 'followup' | 'duplicate'; ticketId: number }
  | { kind: 'ignored'; reason: string; ticketId: number | null }
  | { kind: 'failed'; reason: string };

export interface HandleDeps {
  db: Database;
  ingest: Pick<Ingest, 'deliver'>;
  logger: Logger;
}

/** A mailbox is read again after a restart: what it sets aside is recorded once per mail. */
function mailDelivery(deliveryId: string, ctx: MailContext, content: DeliveryContent, extra: { size?: number; payload?: string | null; metadata?: Record<string, unknown> } = {}): Delivery {
  return {
    door: 'email',
    deliveryId,
    recordOnce: true,
    ...(extra.size !== undefined ? { size: extra.size } : {}),
    payload: extra.payload ? { raw: extra.payload, verified: true } : null,
    metadata: { ...extra.metadata, mailbox: ctx.mailbox, mailbox_id: ctx.source?.mailboxId, uid: ctx.uid },
    content,
  };
}

/** A mail that could not be parsed at all: recorded, never retried forever. */
export async function recordUnparseable(deps: HandleDeps, ctx: MailContext, error: unknown, raw: Buffer | null): Promise<MailOutcome> {
  const reason = `unparseable: ${error instanceof Error ? error.message : String(error)}`;
  deps.logger.warn({ uid: ctx.uid, mailbox: ctx.mailbox, reason }, 'mail could not be parsed');
  await deps.ingest.deliver(mailDelivery(`uid:${ctx.uidValidity}:${ctx.uid}`, ctx, { failed: reason }, {
    size: raw?.length ?? 0,
    payload: raw ? raw.subarray(0, 64 * 1024).toString('latin1') : null,
  }));
  return { kind: 'failed', reason };
}

/** Readable characters, not control codes or undecodable bytes. */
function readable(text: string): boolean {
  const visible = text.replace(/\s/g, '');
  if (!visible) return false;
  const bad = visible.match(/[\p{Cc}\p{Cs}\p{Co}\p{Cn}\uFFFD]/gu)?.length ?? 0;
  return bad / visible.length < 0.3;
}

/**
 * What to do with a parsed mail, to be run later in mailbox order. `ordered` plans need every earlier mail
 * stored first (a reply must find the mail it answers, a bounce the ticket it concerns); the others may run
 * together, which lets ingest group-commit them.
 */
export interface MailPlan {
  ordered: boolean;
  run(): Promise<MailOutcome>;
}

export function planMail(deps: HandleDeps, mail: ParsedEmail, ctx: MailContext): MailPlan {
  if (!mail.from && !mail.replyTo.length && !mail.subject && !mail.attachments.length && !readable(mail.text)) {
    // Nothing a human could act on or answer: bytes that are not a mail.
    return {
      ordered: false,
      async run() {
        const reason = 'unparseable: no sender, no subject and no readable text';
        deps.logger.warn({ uid: ctx.uid, mailbox: ctx.mailbox }, 'mail could not be parsed');
        await deps.ingest.deliver(mailDelivery(`uid:${ctx.uidValidity}:${ctx.uid}`, ctx, { failed: reason }, { size: mail.size }));
        return { kind: 'failed', reason };
      },
    };
  }
  const noise = classifyNoise(mail, { supportAddresses: ctx.supportAddresses });
  const msg = toInboundMessage(mail, ctx);
  if (!noise) return { ordered: !!msg.thread, run: () => ingestMail(deps, msg, ctx) };
  return {
    ordered: true,
    async run() {
      const mentions = noise.kind === 'bounce' || noise.kind === 'delay' ? [...mail.mentionedMessageIds, ...(mail.inReplyTo ? [mail.inReplyTo] : []), ...mail.references] : [];
      const reason = `${noise.kind}: ${noise.reason}`;
      const { ticketId } = await deps.ingest.deliver(mailDelivery(msg.externalId!, ctx, { ignored: reason, mentions }, {
        size: mail.size,
        metadata: { kind: noise.kind, from: mail.from?.address ?? null, subject: mail.subject },
      }));
      deps.logger.info({ uid: ctx.uid, from: mail.from?.address, subject: mail.subject, reason, ticketId }, 'mail ignored');
      return { kind: 'ignored', reason, ticketId };
    },
  };
}

/** Hands a normalized mail to ingest, which stores it (or skips a duplicate) and records the verdict. */
export async function ingestMail(deps: HandleDeps, msg: InboundMessage, ctx: MailContext): Promise<MailOutcome> {
  try {
    const result = await deps.ingest.deliver(mailDelivery(msg.externalId!, ctx, { message: msg }, { metadata: { from: msg.requesterEmail ?? null } }));
    if (result.verdict === 'duplicate') deps.logger.info({ uid: ctx.uid, externalId: msg.externalId, ticketId: result.ticketId }, 'duplicate mail skipped');
    // A blocked sender's mail is kept as spam: done with, like noise.
    if (result.verdict === 'suppressed') return { kind: 'ignored', reason: result.reason ?? 'sender blocked', ticketId: null };
    return { kind: result.verdict === 'accepted' ? 'created' : (result.verdict as 'followup' | 'duplicate'), ticketId: result.ticketId! };
  } catch (error) {
    if (!(error instanceof IngestValidationError)) throw error;
    deps.logger.warn({ uid: ctx.uid, err: error.message }, 'mail refused by ingest');
    return { kind: 'failed', reason: error.message };
  }
}
