/**
 * Every reply sender (a way back to customers), built from the configuration: the send job and the Slack
 * card look a ticket's sender up among them (senderFor, src/domain/reply.ts): e-mail (SMTP per mailbox), the
 * helpdesk APIs and the signed outbound webhooks (helpdesks/), each only when its settings are complete.
 */
import type { Config } from '../config.ts';
import type { Sql } from '../db/sql.ts';
import { createEmailSender } from './email.ts';
import { helpdeskReplySenders } from './helpdesks/index.ts';
import type { ReplySender } from '../domain/reply.ts';

export interface ReplySenders {
  senders: readonly ReplySender[];
  close(): void;
}

export function createReplySenders(config: Pick<Config, 'mailboxes' | 'replies'>, db: Sql): ReplySenders {
  const email = config.mailboxes.some((m) => m.smtp) ? createEmailSender({ mailboxes: config.mailboxes, db }) : undefined;
  const senders: ReplySender[] = [...(email ? [email] : []), ...helpdeskReplySenders(config)];
  return { senders, close: () => email?.close() };
}

/** The domain of our Message-IDs: the first support address's, or a reserved one. */
export function messageIdDomain(config: Pick<Config, 'mailboxes'>): string {
  const address = config.mailboxes.find((m) => m.smtp && m.supportAddress)?.supportAddress ?? config.mailboxes.find((m) => m.supportAddress)?.supportAddress;
  const domain = address?.split('@')[1]?.trim().toLowerCase();
  return domain && /^[a-z0-9.-]+$/.test(domain) ? domain : 'support-triage.local';
}
