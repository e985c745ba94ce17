/**
 * `app_home_opened`: publishes (views.publish) the Home tab of the person who opened it: the console's Mine,
 * Unassigned and Breaching soon lists, from the same queries as the console's inbox
 * (db/repositories/console-inbox.ts), for members with a console role. Bolt acks the event before this runs;
 * a failed query or a Slack outage is logged and the next opening tries again: nothing else depends on it.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Sql } from '../../db/sql.ts';
import { inboxPage, ticketCardPosts, type InboxRow } from '../../db/repositories/console-inbox.ts';
import { isSlackUserId } from '../../domain/agent.ts';
import { buildHomeView, buildNoAccessHomeView, HOME_LIST_LIMIT, type HomeList } from '../cards/home-blocks.ts';

export interface HomeTabDeps {
  sql: Sql;
  logger: Logger;
  publicUrl: string | undefined;
  /** Whether this Slack user may read the queue (a console role); others get a view without tickets. */
  mayRead: (slackUserId: string) => Promise<boolean>;
  report: (error?: unknown) => void;
}

const LISTS = [
  { tab: 'mine', title: 'Mine' },
  { tab: 'unassigned', title: 'Unassigned' },
  { tab: 'breaching_soon', title: 'Breaching soon' },
] as const;

/** The three lists for `userId`, as the console's inbox shows them (no filters, newest first). */
export async function homeLists(sql: Sql, userId: string): Promise<HomeList[]> {
  const pages = await Promise.all(LISTS.map((l) => inboxPage(sql, { tab: l.tab, me: userId, filter: {}, limit: HOME_LIST_LIMIT })));
  const ids = [...new Set(pages.flatMap((p) => p.rows.map((r) => r.id)))];
  const cards = await ticketCardPosts(sql, ids);
  const ticket = (r: InboxRow) => ({ id: r.id, subject: r.subject, body: r.body, priority: r.priority, category: r.category, dueAt: r.dueAt, card: cards.get(r.id) });
  return LISTS.map((l, i) => ({ ...l, tickets: pages[i]!.rows.map(ticket), more: pages[i]!.more }));
}

export function registerHomeTab(app: App, deps: HomeTabDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home' || !isSlackUserId(event.user)) return;
    try {
      const view = (await deps.mayRead(event.user)) ? buildHomeView(await homeLists(deps.sql, event.user), { publicUrl: deps.publicUrl, now: new Date() }) : buildNoAccessHomeView();
      await client.views.publish({ user_id: event.user, view });
      deps.report();
    } catch (error) {
      deps.logger.warn({ err: error, user: event.user }, 'Home tab not published; the next opening tries again');
    }
  });
}
