/**
 * The app's Home tab in Slack: the console's Mine, Unassigned and Breaching soon lists for the person who
 * opened it, each ticket linked to its console page and its Slack card. Pure: rows in, a Home view out.
 */
import type { types } from '@slack/bolt';
import { BLOCK_KIT_LIMITS, safeMrkdwn, safePlain, truncate } from './format.ts';

export interface HomeTicket {
  id: number;
  subject: string | null;
  body: string;
  priority: string | null;
  category: string | null;
  dueAt: Date | null;
  /** The ticket's alert card, when one was posted. */
  card?: { channel: string; ts: string } | undefined;
}

export interface HomeList {
  /** The console's tab (its URL parameter). */
  tab: 'mine' | 'unassigned' | 'breaching_soon';
  title: string;
  tickets: HomeTicket[];
  /** More tickets than shown wait in the console. */
  more: boolean;
}

/** Tickets per list: the Home tab is a glance; the console has the rest. */
export const HOME_LIST_LIMIT = 10;

export const cardUrl = (card: { channel: string; ts: string }) => `https://slack.com/archives/${encodeURIComponent(card.channel)}/p${card.ts.replace('.', '')}`;

function consoleBase(publicUrl: string | undefined): string | undefined {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/console` : undefined;
}

function line(t: HomeTicket, base: string | undefined, now: Date): string {
  const id = base ? `<${base}/tickets/${t.id}|#${t.id}>` : `#${t.id}`;
  const subject = safeMrkdwn(t.subject?.trim() ? t.subject : t.body, 100, { singleLine: true });
  const due = t.dueAt ? ` · ${t.dueAt.getTime() < now.getTime() ? ':red_circle: overdue' : `due <!date^${Math.floor(t.dueAt.getTime() / 1000)}^{time}|${t.dueAt.toISOString().slice(11, 16)} UTC>`}` : '';
  const card = t.card ? ` · <${cardUrl(t.card)}|card>` : '';
  return `• ${id} ${subject}${t.priority ? ` · ${t.priority}` : ''}${t.category ? ` · ${t.category}` : ''}${due}${card}`;
}

export function buildHomeView(lists: HomeList[], opts: { publicUrl: string | undefined; now: Date }): types.HomeView {
  const base = consoleBase(opts.publicUrl);
  const blocks: types.KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'Support Triage' } }];
  if (base) {
    blocks.push({ type: 'actions', block_id: 'home_console', elements: [{ type: 'button', action_id: 'home_open_console', text: { type: 'plain_text', text: 'Open the console' }, url: base }] });
  }
  for (const list of lists) {
    blocks.push({ type: 'divider' });
    const title = safePlain(`${list.title} (${list.tickets.length}${list.more ? '+' : ''})`, BLOCK_KIT_LIMITS.headerText, list.title);
    blocks.push({ type: 'header', block_id: `home_${list.tab}_title`, text: { type: 'plain_text', text: title } });
    const lines = list.tickets.map((t) => line(t, base, opts.now));
    const more = list.more ? (base ? `\n<${base}?tab=${list.tab}|All of them in the console>` : '\nMore in the console.') : '';
    const text = lines.length ? `${lines.join('\n')}${more}` : '_None._';
    blocks.push({ type: 'section', block_id: `home_${list.tab}`, text: { type: 'mrkdwn', text: truncate(text, BLOCK_KIT_LIMITS.sectionText) } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `As of ${opts.now.toISOString().slice(0, 16).replace('T', ' ')} UTC; opening the tab again refreshes it.` }] });
  return { type: 'home', blocks };
}

/** For someone without a console role: no tickets, and what to ask for. */
export function buildNoAccessHomeView(): types.HomeView {
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Support Triage' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Your Slack account has no console role, so the ticket lists are not shown here. Ask an admin to add you to CONSOLE_AGENTS or CONSOLE_VIEWERS.' } },
    ],
  };
}
