/**
 * Stats as Block Kit, shared by the slash command (ephemeral) and the digest (channel post). Pure.
 * Input is the /api/v1/stats shape from src/db/repositories/stats.ts.
 */
import type { types } from '@slack/bolt';
import { escapeMrkdwn, BLOCK_KIT_LIMITS, percent, truncate } from './format.ts';

type KnownBlock = types.KnownBlock;

export interface StatsView {
  total_tickets: number;
  period_days: number;
  categories: Array<{ category: string; count: number; percentage?: number }>;
  daily_counts: Record<string, number>;
  average_confidence: number | null;
  pending_classification?: number;
  low_confidence?: number;
  /** SLA attainment per clock and priority (src/db/repositories/slas.ts); empty or absent without SLA. */
  sla?: { first_response: Partial<Record<string, SlaOutcomeView>>; resolution: Partial<Record<string, SlaOutcomeView>> };
  /** Messages kept as spam in the period; null (not shown) with a category filter, as spam has no category. */
  spam?: number | null;
  /** Incidents opened in the period and the tickets they hold (absent or none opened: not shown). */
  incidents?: { opened: number; tickets: number };
  /** Satisfaction scores answered in the period (absent or 0 responses: not shown). */
  csat?: {
    responses: number;
    average: number | null;
    by_category?: Record<string, ScoreView>;
    by_agent?: (ScoreView & { slack_user_id: string })[];
    by_company?: (ScoreView & { name: string })[];
  };
}

interface ScoreView {
  responses: number;
  average: number | null;
}

/** "*Satisfaction by category*: billing 4.50 (2) · technical 1.00 (1)", and by agent (mentions) and company, top five each. */
function csatLines(c: NonNullable<StatsView['csat']>): string[] {
  const score = (s: ScoreView) => `${s.average?.toFixed(2) ?? 'n/a'} (${s.responses})`;
  const line = (title: string, parts: string[]) => (parts.length ? [`*${title}*: ${parts.slice(0, 5).join(' · ')}`] : []);
  return [
    ...line('by category', Object.entries(c.by_category ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, s]) => `${k} ${score(s)}`)),
    ...line('by agent', (c.by_agent ?? []).filter((a) => /^[UW][A-Z0-9]{2,30}$/.test(a.slack_user_id)).map((a) => `<@${a.slack_user_id}> ${score(a)}`)),
    ...line('by company', (c.by_company ?? []).map((co) => `${escapeMrkdwn(truncate(co.name, 60))} ${score(co)}`)),
  ];
}

export interface SlaOutcomeView {
  met: number;
  breached: number;
  pending: number;
  attainment: number | null;
}

const PRIORITY_ORDER = ['urgent', 'high', 'medium', 'low'];

/** "• *urgent*: first response 67% (2 of 3, 1 open) · resolution 50% (1 of 2)", one line per priority. */
function slaLines(sla: NonNullable<StatsView['sla']>): string[] {
  const priorities = PRIORITY_ORDER.filter((p) => sla.first_response[p] || sla.resolution[p]);
  const part = (name: string, o: SlaOutcomeView | undefined) => {
    if (!o) return null;
    const decided = o.met + o.breached;
    const share = o.attainment === null ? 'n/a' : `${Math.round(o.attainment * 100)}%`;
    return `${name} ${share} (${o.met} of ${decided}${o.pending ? `, ${o.pending} running` : ''})`;
  };
  return priorities.map((p) => `• *${p}*: ${[part('first response', sla.first_response[p]), part('resolution', sla.resolution[p])].filter(Boolean).join(' · ')}`);
}

export interface StatsBlocksOptions {
  title: string;
  /** Category filter in effect, shown in the title line. */
  category?: string;
}

/** "2 incidents (14 tickets)". */
const incidentCount = (i: { opened: number; tickets: number }) => `${i.opened} incident${i.opened === 1 ? '' : 's'} (${i.tickets} ticket${i.tickets === 1 ? '' : 's'})`;

export function statsFallbackText(s: StatsView, opts: StatsBlocksOptions): string {
  return `${opts.title}: ${s.total_tickets} tickets${s.incidents?.opened ? `, ${incidentCount(s.incidents)}` : ''}${s.spam ? `, ${s.spam} kept as spam` : ''}`;
}

export function buildStatsBlocks(s: StatsView, opts: StatsBlocksOptions): KnownBlock[] {
  const scope = `last ${s.period_days} day${s.period_days === 1 ? '' : 's'}${opts.category ? ` · ${opts.category} only` : ''}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(opts.title, BLOCK_KIT_LIMITS.headerText) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: scope }] },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Tickets*\n${s.total_tickets}` },
        { type: 'mrkdwn', text: `*Average confidence*\n${percent(s.average_confidence)}` },
        { type: 'mrkdwn', text: `*Waiting for classification*\n${s.pending_classification ?? 0}` },
        { type: 'mrkdwn', text: `*Low confidence*\n${s.low_confidence ?? 0}` },
        ...(s.incidents?.opened ? [{ type: 'mrkdwn' as const, text: `*Incidents opened*\n${incidentCount(s.incidents)}` }] : []),
        ...(typeof s.spam === 'number' ? [{ type: 'mrkdwn' as const, text: `*Kept as spam*\n${s.spam}` }] : []),
        ...(s.csat?.responses ? [{ type: 'mrkdwn' as const, text: `*Satisfaction*\n${s.csat.average?.toFixed(2)} / 5 (${s.csat.responses} answer${s.csat.responses === 1 ? '' : 's'})` }] : []),
      ],
    },
  ];
  const total = s.categories.reduce((n, c) => n + c.count, 0);
  if (s.categories.length > 0) {
    const lines = [...s.categories]
      .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category))
      .map((c) => `• *${c.category}*: ${c.count} (${total === 0 ? 0 : Math.round((c.count / total) * 100)}%)`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*By category*\n${lines.join('\n')}`, BLOCK_KIT_LIMITS.sectionText) } });
  }
  const sla = s.sla ? slaLines(s.sla) : [];
  if (sla.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*SLA attainment* (in time / decided)\n${sla.join('\n')}`, BLOCK_KIT_LIMITS.sectionText) } });
  }
  const csat = s.csat?.responses ? csatLines(s.csat) : [];
  if (csat.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Satisfaction* (average score of 5, answers)\n${csat.join('\n')}`, BLOCK_KIT_LIMITS.sectionText) } });
  }
  const days = Object.entries(s.daily_counts).sort(([a], [b]) => a.localeCompare(b));
  if (days.length > 0) {
    const max = Math.max(1, ...days.map(([, n]) => n));
    const lines = days.map(([day, n]) => `\`${day}\` ${'▇'.repeat(Math.ceil((n / max) * 12)) || '·'} ${n}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Per day*\n${lines.join('\n')}`, BLOCK_KIT_LIMITS.sectionText) } });
  }
  return blocks;
}

export interface StatsArgs {
  days: number;
  category?: string;
}

export const MAX_STATS_DAYS = 90;

/**
 * Parses `/support-stats [days] [category]` (either order). Returns the arguments, or an error message that
 * says what was wrong; the caller adds the usage line.
 */
export function parseStatsArgs(text: string | undefined, categories: readonly string[]): StatsArgs | { error: string } {
  const words = (text ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 1 && /^(help|-h|--help|\?)$/i.test(words[0]!)) return { error: 'Here is how to use it.' };
  if (words.length > 2) return { error: `Too many arguments: "${escapeMrkdwn(truncate(words.join(' '), 80))}".` };
  let days: number | undefined;
  let category: string | undefined;
  for (const w of words) {
    if (/^\d+$/.test(w)) {
      const n = Number(w);
      if (days !== undefined) return { error: 'Give the number of days only once.' };
      if (n < 1 || n > MAX_STATS_DAYS) return { error: `Days must be from 1 to ${MAX_STATS_DAYS}, not ${w}.` };
      days = n;
    } else if (categories.includes(w.toLowerCase())) {
      if (category !== undefined) return { error: 'Give one category only.' };
      category = w.toLowerCase();
    } else {
      return { error: `"${escapeMrkdwn(truncate(w, 40))}" is neither a number of days nor a category (${categories.join(', ')}).` };
    }
  }
  return { days: days ?? 7, ...(category ? { category } : {}) };
}

export function statsUsage(command: string, categories: readonly string[]): string {
  return `Usage: \`${command} [days] [category]\` — days 1–${MAX_STATS_DAYS} (default 7), category one of ${categories.map((c) => `\`${c}\``).join(', ')}. Example: \`${command} 30 billing\`\n\`${command} mine\` — your open tickets (assigned to you, not resolved).`;
}
