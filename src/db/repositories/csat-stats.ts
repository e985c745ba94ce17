/**
 * Satisfaction scores answered in a period (csat_surveys by answered_at, read through their partial index), in
 * all and per category, agent (the ticket's assignee now) and company: /api/v1/stats, /support-stats, the digest
 * and the dashboard. One statement with grouping sets; answers are few next to tickets.
 */
import type { Category } from '../../domain/categories.ts';
import type { Sql } from '../sql.ts';

export interface ScoreSummary {
  responses: number;
  /** Mean score, 1 to 5, two decimals; null without responses. */
  average: number | null;
}

export interface CsatStats extends ScoreSummary {
  /** Responses per score, "1" to "5". */
  distribution: Record<string, number>;
  by_category: Record<string, ScoreSummary>;
  by_agent: (ScoreSummary & { slack_user_id: string })[];
  by_company: (ScoreSummary & { id: number; name: string })[];
}

interface Row {
  g: number;
  score: number | null;
  category: string | null;
  agent: string | null;
  company_id: number | null;
  company_name: string | null;
  n: string;
  avg: number | null;
}

export async function csatStats(db: Sql, q: { start: Date; end: Date; category?: Category }): Promise<CsatStats> {
  const params: unknown[] = [q.start, q.end];
  if (q.category) params.push(q.category);
  // grouping() bits, high to low: score, category, agent, company.
  const rows = await db.query<Row>(
    `select grouping(s.score, t.category, t.assignee_slack_user_id, co.id) as g, s.score, t.category, t.assignee_slack_user_id as agent,
            co.id as company_id, min(co.name) as company_name, count(*) as n, round(avg(s.score), 2)::float8 as avg
       from csat_surveys s
       join tickets t on t.id = s.ticket_id
       left join customers c on c.id = t.customer_id
       left join companies co on co.id = c.company_id
      where s.answered_at is not null and s.answered_at >= $1 and s.answered_at < $2 ${q.category ? 'and t.category = $3' : ''}
      group by grouping sets ((), (s.score), (t.category), (t.assignee_slack_user_id), (co.id))`,
    params,
  );
  const out: CsatStats = { responses: 0, average: null, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, by_category: {}, by_agent: [], by_company: [] };
  for (const r of rows) {
    const summary = { responses: Number(r.n), average: r.avg };
    if (r.g === 0b1111) Object.assign(out, summary);
    else if (r.g === 0b0111 && r.score !== null) out.distribution[String(r.score)] = summary.responses;
    else if (r.g === 0b1011 && r.category !== null) out.by_category[r.category] = summary;
    else if (r.g === 0b1101 && r.agent !== null) out.by_agent.push({ slack_user_id: r.agent, ...summary });
    else if (r.g === 0b1110 && r.company_id !== null) out.by_company.push({ id: r.company_id, name: r.company_name ?? '', ...summary });
  }
  out.by_agent.sort((a, b) => b.responses - a.responses || a.slack_user_id.localeCompare(b.slack_user_id));
  out.by_company.sort((a, b) => b.responses - a.responses || a.id - b.id);
  return out;
}
