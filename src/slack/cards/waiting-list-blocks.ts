/**
 * A waiting list: the tickets of a channel whose own cards wait behind a long line (Slack takes about one
 * message a second per channel), one line each, so the team sees within seconds that they came. A line shows
 * what needs no update and names no one: the ticket's number (a link when PUBLIC_URL is set), its priority,
 * category and arrival time. The cards follow in order; the list is never edited.
 */
import type { WaitingLine } from '../../db/repositories/waiting-lists.ts';
import { BLOCK_KIT_LIMITS, slackDate, truncate } from './format.ts';

export const WAITING_LIST_EVENT_TYPE = 'support_waiting_list';
/** Lines per section block, well within a section's 3,000 characters. */
const LINES_PER_SECTION = 10;

export function waitingListMessage(lines: WaitingLine[], link: (ticketId: number) => string | undefined): { text: string; blocks: unknown[] } {
  const n = lines.length;
  const head = `:hourglass_flowing_sand: *${n} more ticket${n === 1 ? '' : 's'} came in here*: ${n === 1 ? 'its card follows' : 'their cards follow'} in order (Slack takes about a message a second per channel).`;
  const line = (l: WaitingLine) => {
    const url = link(l.id);
    const number = url ? `<${url}|#${l.id}>` : `#${l.id}`;
    return `• ${[number, l.priority, l.category, slackDate(l.createdAt)].filter(Boolean).join(' · ')}`;
  };
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: head } }];
  for (let i = 0; i < n; i += LINES_PER_SECTION) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.slice(i, i + LINES_PER_SECTION).map(line).join('\n'), BLOCK_KIT_LIMITS.sectionText) } });
  }
  const text = truncate(`${n} more ticket${n === 1 ? '' : 's'} came in: ${lines.map((l) => `#${l.id}`).join(', ')}`, BLOCK_KIT_LIMITS.fallbackText);
  return { text, blocks };
}
