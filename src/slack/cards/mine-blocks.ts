/**
 * `/support-stats mine`: the caller's open (not resolved) tickets as Block Kit. Pure: tickets in, blocks out.
 */
import type { types } from '@slack/bolt';
import type { Ticket } from '../../domain/ticket.ts';
import { snoozeUntil } from './alert-blocks.ts';
import { BLOCK_KIT_LIMITS, safeMrkdwn, truncate } from './format.ts';

/** How many tickets the answer lists (the total is always said). */
export const MINE_LIMIT = 20;

export function buildMineAnswer(
  tickets: Array<Pick<Ticket, 'id' | 'subject' | 'body' | 'status' | 'category'> & Partial<Pick<Ticket, 'snooze'>>>,
  total: number,
  link: (ticketId: number) => string | undefined,
): { text: string; blocks: types.KnownBlock[] } {
  if (total === 0) {
    const text = 'No open tickets are assigned to you. Use *Assign to me* on an alert to take one.';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const title = `Your open tickets: ${total}`;
  const lines = tickets.map((t) => {
    const url = link(t.id);
    const id = url ? `<${url}|#${t.id}>` : `#${t.id}`;
    const subject = safeMrkdwn(t.subject ?? t.body, 120, { singleLine: true });
    const snoozed = t.snooze ? ` · :zzz: snoozed ${snoozeUntil(t.snooze.until)}` : '';
    return `• ${id} ${subject} · ${t.status}${t.category ? ` · ${t.category}` : ''}${snoozed}`;
  });
  const more = total > tickets.length ? `\n…and ${total - tickets.length} more (GET /api/v1/requests?assignee=… lists them all).` : '';
  return {
    text: title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`${lines.join('\n')}${more}`, BLOCK_KIT_LIMITS.sectionText) } },
    ],
  };
}
