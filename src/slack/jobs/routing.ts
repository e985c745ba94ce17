/**
 * Which channel an alert goes to: its mailbox's channel when it has one; else the category's, or triage
 * below the confidence threshold or without one, except when the category is the mailbox's own (the
 * classifier was unsure and the mailbox decided: its category's channel).
 */
import type { Config } from '../../config.ts';
import { isLowConfidence, type Ticket } from '../../domain/ticket.ts';

type SlackConfig = NonNullable<Config['slack']>;

export function alertChannel(
  channels: SlackConfig['channels'],
  minConfidence: number,
  t: Pick<Ticket, 'category' | 'confidence' | 'classifier'> & { mailbox_channel?: string | null; mailbox_category?: string | null },
): string | undefined {
  if (t.mailbox_channel) return t.mailbox_channel;
  const mailboxDecided = !!t.category && t.category === t.mailbox_category;
  if (!t.category || (isLowConfidence(t, minConfidence) && !mailboxDecided)) return channels.triage;
  const byCategory = (channels as Record<string, string | undefined>)[t.category];
  return byCategory ?? channels.triage;
}
