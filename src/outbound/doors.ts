/**
 * Every way back to customers, built from the configuration: the send job and the Slack card look a
 * ticket's door up here (doorFor, reply.ts): e-mail (SMTP per mailbox), the helpdesk APIs and the signed
 * outbound webhooks (helpdesks/), each only when its settings are complete.
 */
import type { Config } from '../config.ts';
import type { Sql } from '../db/sql.ts';
import { createEmailDoor } from './email.ts';
import { helpdeskReplyDoors } from './helpdesks/index.ts';
import type { ReplyDoor } from './reply.ts';

export interface ReplyDoors {
  doors: readonly ReplyDoor[];
  close(): void;
}

export function createReplyDoors(config: Pick<Config, 'mailboxes' | 'replies'>, db: Sql): ReplyDoors {
  const email = config.mailboxes.some((m) => m.smtp) ? createEmailDoor({ mailboxes: config.mailboxes, db }) : undefined;
  const doors: ReplyDoor[] = [...(email ? [email] : []), ...helpdeskReplyDoors(config)];
  return { doors, close: () => email?.close() };
}

/** The domain of our Message-IDs: the first support address's, or a reserved one. */
export function messageIdDomain(config: Pick<Config, 'mailboxes'>): string {
  const address = config.mailboxes.find((m) => m.smtp && m.supportAddress)?.supportAddress ?? config.mailboxes.find((m) => m.supportAddress)?.supportAddress;
  const domain = address?.split('@')[1]?.trim().toLowerCase();
  return domain && /^[a-z0-9.-]+$/.test(domain) ? domain : 'support-triage.local';
}
