/**
 * The audit of people's actions for admins (/console/audit): newest first, filtered by ticket and by person
 * (the actor: slack:<id>, console:<id>, api-key:<fingerprint>), paged by keyset like GET /api/v1/audit.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../db/database.ts';
import { listAudit } from '../db/repositories/audit-entries.ts';
import { html } from '../lib/html.ts';
import { when } from './format.ts';
import { page } from './layout.ts';
import { type ConsoleState, requireRole } from './session.ts';

const PAGE = 50;
const positive = (v: unknown) => (typeof v === 'string' && /^\d{1,15}$/.test(v) && Number(v) > 0 ? Number(v) : undefined);
const actorOf = (v: unknown) => (typeof v === 'string' && /^[\x21-\x7e]{1,255}$/.test(v.trim()) ? v.trim() : undefined);
const change = (v: Record<string, unknown> | null) => (v ? Object.entries(v).map(([k, x]) => `${k}: ${x === null ? '—' : typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(', ') : '');

export function auditRouter(db: Database): Router {
  const router = new Router({ prefix: '/console/audit', sensitive: true });
  router.get('/', async (ctx: Context) => {
    const user = (ctx.state as ConsoleState).user!;
    requireRole(user, 'admin');
    const ticket = positive(ctx.query.ticket);
    const actor = actorOf(ctx.query.actor);
    const before = positive(ctx.query.before);
    const { items, next } = await listAudit(db.sql, { limit: PAGE, ...(ticket ? { ticketId: ticket } : {}), ...(actor ? { actor } : {}), ...(before ? { before } : {}) });
    const query = (extra: Record<string, string>) => new URLSearchParams({ ...(ticket ? { ticket: String(ticket) } : {}), ...(actor ? { actor } : {}), ...extra }).toString();
    ctx.body = page({
      title: 'Audit',
      user,
      active: 'audit',
      body: html`<h1>Audit of people's actions</h1>
        <form method="get" action="/console/audit" class="filters">
          <label>Ticket <input name="ticket" inputmode="numeric" value="${ticket ? String(ticket) : ''}"></label>
          <label>Person <input name="actor" placeholder="slack:U0123ABCD" value="${actor ?? ''}"></label>
          <button type="submit">Filter</button>
        </form>
        ${items.length === 0 ? html`<div class="card empty">Nothing recorded${ticket || actor ? ' for this filter' : ''}.</div>` : html`<table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Ticket</th><th>Before</th><th>After</th></tr></thead><tbody>${items.map((e) => html`<tr>
          <td>${when(e.createdAt)}</td><td data-label="Who"><a href="/console/audit?${new URLSearchParams({ actor: e.actor }).toString()}">${e.actor}</a></td><td data-label="What">${e.action}</td>
          <td data-label="Ticket">${e.ticketId === null ? '' : html`<a href="/console/tickets/${String(e.ticketId)}">#${String(e.ticketId)}</a>`}</td>
          <td class="excerpt">${change(e.before)}</td><td class="excerpt">${change(e.after)}</td></tr>`)}</tbody></table>`}
        ${next ? html`<p><a href="/console/audit?${query({ before: String(next) })}">Older</a></p>` : ''}`,
    }).value;
  });
  return router;
}
