/**
 * The console's search page: one box for #123, an e-mail address, @domain or free text; hits ranked, paged by
 * keyset ("Next page" carries the last hit's rank and id), no cap on how many and no date cut-off.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../db/database.ts';
import { type SearchCursor, type SearchHit, searchTickets } from '../db/repositories/ticket-search.ts';
import { parseSearchQuery, SEARCH_MAX_LENGTH, type SearchQuery } from '../domain/search-query.ts';
import { html, type SafeHtml } from '../lib/html.ts';
import { categoryChip, priorityChip, shown, STATUS_LABELS, when } from './format.ts';
import { page } from './layout.ts';
import type { ConsoleState, ConsoleUser } from './session.ts';

const PAGE_SIZE = 50;

const KIND_LABELS: Record<SearchQuery['kind'], string> = {
  id: 'Ticket number',
  email: 'Requester address',
  domain: 'Requesters of a domain',
  text: 'Words and text in subjects, bodies and follow-ups',
};

/** "rank_id" as the previous page's last hit left it; anything else starts from the top. */
export function parseSearchCursor(value: unknown): SearchCursor | undefined {
  const m = typeof value === 'string' ? /^(\d{1,6}(?:\.\d{1,20})?(?:e-\d{1,3})?)_(\d{1,9})$/.exec(value) : null;
  const rank = m ? Number(m[1]) : NaN;
  return m && Number.isFinite(rank) ? { rank, id: Number(m[2]) } : undefined;
}

function hitRow(h: SearchHit): SafeHtml {
  const title = h.subject?.trim() ? h.subject : h.body.slice(0, 80);
  return html`<tr>
    <td class="subject"><a href="/console/tickets/${h.id}">#${h.id} ${shown(title, 200)}</a><div class="excerpt">${shown(h.body, 160)}</div></td>
    <td data-label="Requester">${shown(h.requesterName ?? h.requesterEmail ?? '—', 120)}${h.requesterName && h.requesterEmail ? html`<div class="muted">${shown(h.requesterEmail, 120)}</div>` : ''}</td>
    <td data-label="Category">${categoryChip(h.category, null, null)}</td>
    <td data-label="Priority">${priorityChip(h.priority)}</td>
    <td data-label="Status">${STATUS_LABELS[h.status] ?? h.status}</td>
    <td data-label="Door">${h.source}</td>
    <td data-label="Created">${when(h.createdAt)}</td>
  </tr>`;
}

export function searchView(opts: { user: ConsoleUser; text: string; query: SearchQuery | null; hits: SearchHit[]; more: boolean; paged: boolean }): SafeHtml {
  const { query, hits } = opts;
  const last = hits.at(-1);
  const next = last ? `/console/search?${new URLSearchParams({ q: opts.text, after: `${last.rank}_${last.id}` }).toString()}` : '';
  return page({
    title: opts.text ? `Search: ${opts.text.slice(0, 60)}` : 'Search',
    user: opts.user,
    active: 'search',
    body: html`
      <form class="filters search-form" method="get" action="/console/search" role="search">
        <label>Search<input type="search" name="q" value="${opts.text}" maxlength="${SEARCH_MAX_LENGTH}" size="48" placeholder="#123, name@example.com, @example.com or words" autofocus data-search-box></label>
        <button>Search</button>
      </form>
      ${query ? html`<p class="muted">${KIND_LABELS[query.kind]}${opts.paged ? ' · continued' : ''}</p>` : ''}
      ${!query
        ? html`<div class="card empty">Type a ticket number (#123), an e-mail address, @domain or words. Press / anywhere in the console to search.</div>`
        : hits.length === 0
          ? html`<div class="card empty">No tickets match.</div>`
          : html`<table class="search-results"><thead><tr><th>Ticket</th><th>Requester</th><th>Category</th><th>Priority</th><th>Status</th><th>Door</th><th>Created</th></tr></thead>
            <tbody>${hits.map(hitRow)}</tbody></table>`}
      ${opts.more && last ? html`<div class="pager"><a class="button" href="${next}">Next page</a></div>` : ''}`,
  });
}

export function searchRouter(db: Database): Router {
  const router = new Router({ sensitive: true });
  router.get('/console/search', async (ctx: Context) => {
    const user = (ctx.state as ConsoleState).user!;
    const raw = typeof ctx.query.q === 'string' ? ctx.query.q : '';
    const query = parseSearchQuery(raw);
    const after = parseSearchCursor(ctx.query.after);
    const { hits, more } = query ? await searchTickets(db.sql, { query, after, limit: PAGE_SIZE }) : { hits: [], more: false };
    const text = raw.replace(/\u0000/g, '').slice(0, SEARCH_MAX_LENGTH);
    ctx.body = searchView({ user, text, query, hits, more, paged: after !== undefined }).value;
  });
  return router;
}
