/**
 * The inbox: fixed tabs with their counts, filters kept in the URL (bookmark or share a view), one page of
 * tickets in keyset order with a "next page" link carrying the cursor. With JavaScript, the tabs and the list reload
 * when a live update says a ticket changed (assets/live.js; every 2 s when it gets no stream); the filters form is left alone.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../db/database.ts';
import { COUNT_CAP, INBOX_TABS, type InboxCursor, type InboxFilter, type InboxRow, type InboxTab, inboxCounts, inboxPage } from '../db/repositories/console-inbox.ts';
import { CATEGORIES, isCategory, isPriority, PRIORITIES, SOURCES, type Source } from '../domain/categories.ts';
import { html, type SafeHtml } from '../lib/html.ts';
import { BULK_LIMIT } from './bulk.ts';
import { age, categoryChip, priorityChip, shown, slaClock } from './format.ts';
import { page } from './layout.ts';
import type { ConsoleState, ConsoleUser } from './session.ts';

export const TAB_LABELS: Record<InboxTab, string> = {
  needs_first_reply: 'Needs first reply',
  mine: 'Mine',
  unassigned: 'Unassigned',
  breaching_soon: 'Breaching soon',
  snoozed: 'Snoozed',
  low_confidence: 'Low confidence',
  waiting: 'Waiting on customer',
  resolved: 'Resolved',
};

const PAGE_SIZE = 50;

/** The view's query: tab, filters and cursor, each read leniently (a bad value is dropped, not an error). */
export interface InboxQuery {
  tab: InboxTab;
  filter: InboxFilter;
  after?: InboxCursor | undefined;
}

const one = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && v.length <= 100 ? v.trim() : undefined);
const day = (v: unknown) => {
  const s = one(v);
  return s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) ? new Date(`${s}T00:00:00Z`) : undefined;
};

export function parseInboxQuery(q: Record<string, unknown>): InboxQuery {
  const tab = (INBOX_TABS as readonly string[]).includes(String(q.tab)) ? (q.tab as InboxTab) : 'needs_first_reply';
  const source = one(q.door);
  const assignee = one(q.assignee);
  const until = day(q.until);
  const filter: InboxFilter = {
    category: isCategory(q.category) ? q.category : undefined,
    priority: isPriority(q.priority) ? q.priority : undefined,
    language: one(q.language)?.toLowerCase(),
    source: source && (SOURCES as readonly string[]).includes(source) ? (source as Source) : undefined,
    assignee: assignee === 'none' ? null : assignee,
    since: day(q.since),
    until: until ? new Date(until.getTime() + 86_400_000) : undefined,
  };
  const cursor = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)_(\d{1,9})$/.exec(one(q.after) ?? '');
  // A date that does not exist (Feb 30) would be an error in PostgreSQL: only a round-tripping one is kept.
  const valid = cursor && new Date(cursor[1]!).toISOString().slice(0, 19) === cursor[1]!.slice(0, 19);
  return { tab, filter, after: valid ? { createdAt: cursor[1]!, id: Number(cursor[2]) } : undefined };
}

/** The URL of the inbox with the current query changed by `change` (undefined drops a parameter). */
function inboxUrl(base: Record<string, unknown>, change: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...base, ...change })) {
    const v = one(value);
    if (v !== undefined) params.set(key, v);
  }
  const s = params.toString();
  return s ? `/console?${s}` : '/console';
}

function row(t: InboxRow, now: Date, pick: boolean): SafeHtml {
  const title = t.subject?.trim() ? t.subject : t.body.slice(0, 80);
  // The box belongs to the bulk form above the list (form=""), and hx-preserve keeps its tick through the polling.
  return html`<tr>
    ${pick ? html`<td class="pick"><input type="checkbox" name="ids" value="${t.id}" form="bulk" id="pick-${t.id}" hx-preserve="true" aria-label="Choose #${t.id}"></td>` : ''}
    <td data-label="SLA">${slaClock(t.dueAt, now)}</td>
    <td class="subject"><a href="/console/tickets/${t.id}">#${t.id} ${shown(title, 200)}</a><div class="excerpt">${shown(t.body, 140)}</div></td>
    <td data-label="Category">${categoryChip(t.category, t.confidence, t.classifier)}</td>
    <td data-label="Priority">${priorityChip(t.priority)}</td>
    <td data-label="Requester">${shown(t.requesterName ?? t.requesterEmail ?? '—', 120)}</td>
    <td data-label="Door">${t.source}</td>
    <td data-label="Assignee">${t.assignee ? shown(t.assigneeName ?? t.assignee, 80) : html`<span class="muted">nobody</span>`}</td>
    <td data-label="Age">${age(t.createdAt, now)}</td>
  </tr>`;
}

/** The bulk actions' form (agents and admins): its checkboxes sit in the list's rows. */
function bulkForm(user: ConsoleUser, back: string): SafeHtml {
  return html`<form class="bulk" id="bulk" method="post" action="/console/bulk">
    <input type="hidden" name="_csrf" value="${user.csrfToken}"><input type="hidden" name="back" value="${back}">
    <span class="muted">With the ticked tickets (at most ${BULK_LIMIT}):</span>
    <!-- Enter in the assignee box presses the first button: Assign. -->
    <label class="inline-label">Assign to<input name="assignee" size="12" placeholder="U…"></label><button class="secondary" name="action" value="assign">Assign</button>
    <button class="secondary" name="action" value="assign_me">Assign to me</button>
    <button class="secondary" name="action" value="unassign">Unassign</button>
    <select name="for" aria-label="Snooze for"><option value="1h">1 hour</option><option value="4h">4 hours</option><option value="1d" selected>1 day</option><option value="3d">3 days</option><option value="7d">7 days</option><option value="answer">until the customer answers</option></select><button class="secondary" name="action" value="snooze">Snooze</button>
    <button name="action" value="resolve">Resolve</button>
  </form>`;
}

function select(name: string, label: string, values: readonly string[], current: string | undefined): SafeHtml {
  return html`<label>${label}<select name="${name}"><option value="">any</option>${values.map((v) => html`<option${v === current ? html` selected` : ''}>${v}</option>`)}</select></label>`;
}

export function inboxView(opts: { user: ConsoleUser; raw: Record<string, unknown>; query: InboxQuery; counts: Record<InboxTab, number>; rows: InboxRow[]; more: boolean; now: Date }): SafeHtml {
  const { raw, query, rows } = opts;
  const base = { ...raw, after: undefined };
  const last = rows.at(-1);
  const f = query.filter;
  const pick = opts.user.role !== 'viewer';
  return page({
    title: TAB_LABELS[query.tab],
    user: opts.user,
    active: 'inbox',
    body: html`
      <nav class="tabs" id="inbox-tabs" aria-label="Inbox tabs">${INBOX_TABS.map((tab) =>
        html`<a href="${inboxUrl(base, { tab })}"${tab === query.tab ? html` aria-current="page"` : ''}>${TAB_LABELS[tab]}<span class="count">${opts.counts[tab] > COUNT_CAP ? `${COUNT_CAP}+` : opts.counts[tab]}</span></a>`)}</nav>
      <form class="filters" method="get" action="/console">
        <input type="hidden" name="tab" value="${query.tab}">
        ${select('category', 'Category', CATEGORIES, f.category)}
        ${select('priority', 'Priority', PRIORITIES, f.priority)}
        <label>Language<input name="language" size="4" value="${f.language ?? ''}" placeholder="en"></label>
        ${select('door', 'Door', SOURCES, f.source)}
        <label>Assignee<input name="assignee" size="12" value="${f.assignee === null ? 'none' : (f.assignee ?? '')}" placeholder="U… or none"></label>
        <label>From<input type="date" name="since" value="${one(raw.since) ?? ''}"></label>
        <label>To<input type="date" name="until" value="${one(raw.until) ?? ''}"></label>
        <button class="secondary">Filter</button>
      </form>
      ${pick ? bulkForm(opts.user, inboxUrl(raw, {})) : ''}
      <div id="inbox-live" data-live="inbox" hx-disinherit="*" hx-get="${inboxUrl(raw, {})}" hx-trigger="console:refresh" hx-select="#inbox-live" hx-select-oob="#inbox-tabs" hx-swap="outerHTML">
      ${rows.length === 0
        ? html`<div class="card empty">No tickets here.</div>`
        : html`<table><thead><tr>${pick ? html`<th><span class="visually-hidden">Choose</span></th>` : ''}<th>SLA</th><th>Ticket</th><th>Category</th><th>Priority</th><th>Requester</th><th>Door</th><th>Assignee</th><th>Age</th></tr></thead>
          <tbody>${rows.map((t) => row(t, opts.now, pick))}</tbody></table>`}
      ${opts.more && last ? html`<div class="pager"><a class="button" href="${inboxUrl(base, { after: `${last.cursor.createdAt}_${last.cursor.id}` })}">Next page</a></div>` : ''}
      </div>`,
  });
}

export function inboxRouter(db: Database): Router {
  const router = new Router({ sensitive: true });
  router.get('/console', async (ctx: Context) => {
    const user = (ctx.state as ConsoleState).user!;
    const raw = ctx.query as Record<string, unknown>;
    const query = parseInboxQuery(raw);
    const [{ rows, more }, counts] = await Promise.all([
      inboxPage(db.sql, { tab: query.tab, me: user.userId, filter: query.filter, after: query.after, limit: PAGE_SIZE }),
      inboxCounts(db.sql, { me: user.userId, filter: query.filter }),
    ]);
    ctx.body = inboxView({ user, raw, query, counts, rows, more, now: new Date() }).value;
  });
  return router;
}
