/**
 * `/support-stats [days] [category]`: ephemeral stats; `/support-stats mine`: the caller's open tickets.
 * Slack gives 3 s: the answer goes in the ack when the query is quick, otherwise the ack says "working" and
 * the answer follows through response_url.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Sql } from '../../db/sql.ts';
import { getStats } from '../../db/repositories/stats.ts';
import { listTickets } from '../../db/repositories/tickets.ts';
import { isSlackUserId } from '../../domain/agent.ts';
import { CATEGORIES, type Category } from '../../domain/categories.ts';
import { buildMineAnswer, MINE_LIMIT } from '../cards/mine-blocks.ts';
import { buildStatsBlocks, parseStatsArgs, statsFallbackText, statsUsage } from '../cards/stats-blocks.ts';

const ACK_BUDGET_MS = 2000;

export interface StatsCommandDeps {
  sql: Sql;
  command: string;
  logger: Logger;
  /** The ticket's link in `mine` (cards/alert-card.ts ticketLink). */
  link: (ticketId: number) => string | undefined;
}

export function registerStatsCommand(app: App, deps: StatsCommandDeps): void {
  app.command(deps.command, async ({ command, ack, respond }) => {
    const answer = /^\s*mine\s*$/i.test(command.text ?? '') ? mineAnswer(deps, command.user_id) : statsAnswer(deps, command.text);
    if ('error' in answer) {
      await ack({ response_type: 'ephemeral', text: `${answer.error}\n${statsUsage(deps.command, CATEGORIES)}` });
      return;
    }
    const { query } = answer;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ACK_BUDGET_MS); });
    try {
      const quick = await Promise.race([query, late]);
      if (quick) {
        await ack(quick);
        return;
      }
      await ack({ response_type: 'ephemeral', text: 'Counting tickets…' });
      await respond({ ...(await query), replace_original: false });
    } catch (error) {
      deps.logger.error({ err: error }, 'stats command failed');
      const text = 'Sorry, the stats are not available right now. Please try again in a minute.';
      await ack({ response_type: 'ephemeral', text }).catch(() => respond({ response_type: 'ephemeral', text }));
    } finally {
      clearTimeout(timer);
    }
  });
}

type Answer = Promise<{ response_type: 'ephemeral'; text: string; blocks: unknown[] }>;

function statsAnswer(deps: StatsCommandDeps, text: string | undefined): { query: Answer } | { error: string } {
  const args = parseStatsArgs(text, CATEGORIES);
  if ('error' in args) return args;
  const title = `Support stats · last ${args.days} day${args.days === 1 ? '' : 's'}`;
  const query = getStats(deps.sql, { days: args.days, ...(args.category ? { category: args.category as Category } : {}) })
    .then((stats) => ({
      response_type: 'ephemeral' as const,
      text: statsFallbackText(stats, { title }),
      blocks: buildStatsBlocks(stats, { title, ...(args.category ? { category: args.category } : {}) }),
    }));
  return { query };
}

/** `mine`: the caller's tickets that are not resolved. */
function mineAnswer(deps: StatsCommandDeps, userId: string | undefined): { query: Answer } | { error: string } {
  if (!isSlackUserId(userId)) return { error: 'Slack did not say who you are.' };
  const query = listTickets(deps.sql, { assignee: userId, unresolved: true, limit: MINE_LIMIT, offset: 0 })
    .then(({ items, total }) => ({ response_type: 'ephemeral' as const, ...buildMineAnswer(items, total, deps.link) }));
  return { query };
}
