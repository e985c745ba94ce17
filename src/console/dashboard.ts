/**
 * The dashboard: how the team is doing over the last 7, 30 or 90 days (the picker is in the URL). Every chart
 * is also an HTML table (screen readers, no JavaScript) and a CSV download (`?format=csv&table=NAME`). The
 * charts are drawn by uPlot, served by the app, from the numbers in a data-chart attribute read by
 * dashboard-charts.js: no inline script, and labels reach the canvas as text, never as markup.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../db/database.ts';
import { type DailySeries, type Dashboard, dashboardFigures } from '../db/repositories/dashboard.ts';
import { HttpError } from '../lib/http-error.ts';
import { html, type SafeHtml } from '../lib/html.ts';
import { ASSET_PREFIX } from './assets.ts';
import { page } from './layout.ts';
import type { ConsoleState } from './session.ts';

export const PERIODS = [7, 30, 90] as const;
const PRIORITY_ORDER = ['urgent', 'high', 'medium', 'low'];

type Table = { head: string[]; rows: (string | number)[][] };

/** Every table of the page by its CSV name: what the page shows is exactly what the CSV holds. */
export function dashboardTables(d: Dashboard): Record<string, { title: string; table: Table }> {
  const daily = (s: DailySeries): Table => {
    const keys = Object.keys(s.series).sort();
    return { head: ['day', ...keys, 'total'], rows: s.days.map((day, i) => [day, ...keys.map((k) => s.series[k]![i]!), keys.reduce((a, k) => a + s.series[k]![i]!, 0)]) };
  };
  const priorities = [...new Set([...Object.keys(d.sla.first_response), ...Object.keys(d.sla.resolution)])]
    .sort((a, b) => PRIORITY_ORDER.indexOf(a) - PRIORITY_ORDER.indexOf(b));
  const pct = (n: number | null) => (n === null ? '' : `${(n * 100).toFixed(1)}%`);
  const minutes = (n: number | null) => (n === null ? '' : n);
  const c = d.classifier;
  return {
    'daily-category': { title: 'Tickets per day by category', table: daily(d.byCategory) },
    'daily-door': { title: 'Tickets per day by door', table: daily(d.bySource) },
    'daily-spam': { title: 'Messages kept as spam per day by door (blocked senders, no ticket)', table: daily(d.spam) },
    incidents: {
      title: 'Incidents opened (floods of similar tickets grouped into one)',
      table: { head: ['incidents opened', 'tickets in them'], rows: [[d.incidents.opened, d.incidents.tickets]] },
    },
    sla: {
      title: 'SLA met and breached per priority',
      table: {
        head: ['priority', 'first response met', 'first response breached', 'first response attainment', 'resolution met', 'resolution breached', 'resolution attainment'],
        rows: priorities.map((p) => {
          const fr = d.sla.first_response[p];
          const res = d.sla.resolution[p];
          return [p, fr?.met ?? 0, fr?.breached ?? 0, pct(fr?.attainment ?? null), res?.met ?? 0, res?.breached ?? 0, pct(res?.attainment ?? null)];
        }),
      },
    },
    times: {
      title: 'First response and resolution times (minutes the SLA clock ran: business hours, pauses left out)',
      table: {
        head: ['clock', 'p50 minutes', 'p90 minutes', 'tickets'],
        rows: [
          ['first response', minutes(d.times.firstResponse.p50), minutes(d.times.firstResponse.p90), d.times.firstResponse.n],
          ['resolution', minutes(d.times.resolution.p50), minutes(d.times.resolution.p90), d.times.resolution.n],
        ],
      },
    },
    csat: {
      title: 'Satisfaction scores answered (1 to 5)',
      table: {
        head: ['by', 'who', 'responses', 'average score'],
        rows: [
          ['all', '', d.csat.responses, d.csat.average ?? ''],
          ...Object.entries(d.csat.by_category).sort(([a], [b]) => a.localeCompare(b)).map(([category, s]) => ['category', category, s.responses, s.average ?? '']),
          ...d.csat.by_agent.map((s) => ['agent', s.slack_user_id, s.responses, s.average ?? '']),
          ...d.csat.by_company.map((s) => ['company', s.name, s.responses, s.average ?? '']),
        ],
      },
    },
    backlog: { title: 'Open backlog by age', table: { head: ['age', 'open tickets'], rows: d.backlog.map((b) => [b.bucket, b.tickets]) } },
    classifier: {
      title: 'Classifier record',
      table: {
        head: ['classified tickets', 'corrected by people', 'share corrected', 'corrections keeping the machine\'s category', 'accuracy against corrections'],
        rows: [[c.classified, c.corrected, c.classified ? pct(c.corrected / c.classified) : '', c.agreed, c.corrected ? pct(c.agreed / c.corrected) : '']],
      },
    },
    confidence: {
      title: 'Confidence of machine verdicts',
      table: { head: ['confidence', 'tickets'], rows: c.histogram.map((n, i) => [`${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`, n]) },
    },
  };
}

/** RFC 4180 CSV; a cell starting with = + - @ is prefixed with ' so a spreadsheet never runs it as a formula. */
export function toCsv(t: Table): string {
  const cell = (v: string | number) => {
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [t.head, ...t.rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

function tableHtml(name: string, title: string, t: Table, days: number): SafeHtml {
  return html`<table aria-label="${title}"><thead><tr>${t.head.map((h) => html`<th>${h}</th>`)}</tr></thead>
    <tbody>${t.rows.map((r) => html`<tr>${r.map((v, i) => html`<td${i ? html` data-label="${t.head[i]!}"` : ''}>${v}</td>`)}</tr>`)}</tbody></table>
    <p class="muted"><a href="/console/dashboard?days=${days}&format=csv&table=${name}" download>CSV</a></p>`;
}

/** A chart's figure: its numbers and labels as JSON in an attribute, escaped by html`` like any other text. */
export function chart(title: string, s: DailySeries): SafeHtml {
  const data = JSON.stringify({ title, days: s.days, series: s.series });
  return html`<figure class="chart" data-chart="${data}" aria-hidden="true"></figure>`;
}

function section(name: string, t: { title: string; table: Table }, days: number, figure?: SafeHtml): SafeHtml {
  return html`<section class="card dash" id="${name}"><h2>${t.title}</h2>${figure ?? ''}
    ${figure ? html`<details><summary>Table</summary>${tableHtml(name, t.title, t.table, days)}</details>` : tableHtml(name, t.title, t.table, days)}</section>`;
}

export function dashboardRouter(db: Database): Router {
  const router = new Router({ sensitive: true });
  router.get('/console/dashboard', async (ctx: Context) => {
    const user = (ctx.state as ConsoleState).user!;
    const days = (PERIODS as readonly number[]).includes(Number(ctx.query.days)) ? Number(ctx.query.days) : 30;
    const figures = await dashboardFigures(db.sql, { days });
    const tables = dashboardTables(figures);
    if (ctx.query.format === 'csv') {
      const name = String(ctx.query.table);
      const chosen = Object.hasOwn(tables, name) ? tables[name]! : undefined;
      if (!chosen) throw new HttpError(404, `No table "${name.slice(0, 40)}"; there are ${Object.keys(tables).join(', ')}.`);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="support-triage-${name}-${days}d.csv"`);
      ctx.body = toCsv(chosen.table);
      return;
    }
    const s = (name: string, figure?: SafeHtml) => section(name, tables[name]!, days, figure);
    ctx.body = page({
      title: 'Dashboard',
      user,
      active: 'dashboard',
      body: html`<link rel="stylesheet" href="${ASSET_PREFIX}/uPlot.min.css">
        <script src="${ASSET_PREFIX}/uPlot.iife.min.js" defer></script><script src="${ASSET_PREFIX}/dashboard-charts.js" defer></script>
        <div class="dash-head"><h1>Dashboard</h1><nav class="tabs" aria-label="Period">${PERIODS.map((p) =>
          html`<a href="/console/dashboard?days=${p}" hx-boost="false"${p === days ? html` aria-current="page"` : ''}>${p} days</a>`)}</nav></div>
        <p class="muted">Tickets created from ${figures.start.toISOString().slice(0, 10)} to ${new Date(figures.end.getTime() - 1).toISOString().slice(0, 10)} (UTC days); backlog as of now.</p>
        <div class="dash-grid">
          ${s('daily-category', chart('Tickets per day by category', figures.byCategory))}
          ${s('daily-door', chart('Tickets per day by door', figures.bySource))}
          ${s('daily-spam')}
          ${s('incidents')}
          ${s('sla')}${s('times')}${s('csat')}${s('backlog')}${s('classifier')}${s('confidence')}
        </div>`,
    }).value;
  });
  return router;
}
