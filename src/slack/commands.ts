/**
 * `/support-stats [days] [category]`: ephemeral stats. Slack gives 3 s: the answer goes in the ack when the
 * query is quick, otherwise the ack says "working" and the stats follow through response_url.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Sql } from '../db/sql.ts';
import { getStats } from '../db/repositories/stats.ts';
import { CATEGORIES, type Category } from '../domain/categories.ts';
import { buildStatsBlocks, parseStatsArgs, statsFallbackText, statsUsage } from './stats-blocks.ts';

const ACK_BUDGET_MS = 2000;

export function registerStatsCommand(app: App, deps: { sql: Sql; command: string; logger: Logger }): void {
  app.command(deps.command, async ({ command, ack, respond }) => {
    const args = parseStatsArgs(command.text, CATEGORIES);
    if ('error' in args) {
      await ack({ response_type: 'ephemeral', text: `${args.error}\n${statsUsage(deps.command, CATEGORIES)}` });
      return;
    }
    const title = `Support stats · last ${args.days} day${args.days === 1 ? '' : 's'}`;
    const query = getStats(deps.sql, { days: args.days, ...(args.category ? { category: args.category as Category } : {}) })
      .then((stats) => ({
        response_type: 'ephemeral' as const,
        text: statsFallbackText(stats, { title }),
        blocks: buildStatsBlocks(stats, { title, ...(args.category ? { category: args.category } : {}) }),
      }));
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
