/**
 * Incidents (/console/incidents): floods of similar tickets grouped at classification (src/ingest/incident-grouping.ts).
 * The list shows the open ones first, then those closed lately; an incident's page shows its tickets and, for
 * agents while it is open, the Slack card's actions: Reply to all, Resolve all, Close, and Take out per ticket.
 * The actions are ingest's (src/ingest/incident-actions.ts, incident-replies.ts), as for the card; a viewer gets
 * 403. Forms post and redirect back, like the ticket page's. Reply to all carries a nonce made with the page:
 * it keys the request, so a form sent twice (a double click, a resent POST) queues the replies once.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../db/queue.ts';
import { getIncident, incidentCounts, incidentTickets, listIncidents, type IncidentCounts, type IncidentListRow, type IncidentRow, type IncidentTicket } from '../db/repositories/incidents.ts';
import { closeIncident, resolveIncidentTickets, takeOutOfIncident } from '../ingest/incident-actions.ts';
import { requestIncidentReply } from '../ingest/incident-replies.ts';
import { InvalidReplyError } from '../ingest/replies.ts';
import type { TicketEvents } from '../ingest/ticket-events.ts';
import { HttpError } from '../lib/http-error.ts';
import { html, type SafeHtml } from '../lib/html.ts';
import { newToken } from '../lib/secret-token.ts';
import { shown, STATUS_LABELS, when } from './format.ts';
import { page } from './layout.ts';
import { type ConsoleState, type ConsoleUser, requireRole } from './session.ts';
import { actorOf, field } from './ticket.ts';

export interface IncidentDeps {
  db: Database;
  queue: JobQueue;
  ticketEvents: TicketEvents;
  messageIdDomain: string;
}

const PATH = '/console/incidents';
/** Closed incidents listed: those opened in the last RECENT_DAYS, at most RECENT_CLOSED. */
const RECENT_DAYS = 30;
const RECENT_CLOSED = 50;
const OPEN_SHOWN = 200;
/** Tickets listed on an incident's page (its counts cover them all). */
const TICKETS_SHOWN = 500;

const NOTICES: Record<string, string> = {
  replied: 'Reply to all queued: each open ticket gets it through its own door (see each ticket\'s timeline).',
  'replied-already': 'That reply was queued already (the form was sent twice): it goes out once.',
  resolved: 'Every open ticket of the incident was resolved.',
  'resolved-none': 'Every ticket of this incident was resolved already.',
  closed: 'Closed: new similar tickets get their own cards again.',
  'taken-out': 'Taken out: the ticket is a ticket of its own again.',
};

function listTable(label: string, rows: IncidentListRow[], closed: boolean): SafeHtml {
  return html`<table aria-label="${label}"><thead><tr><th>Incident</th><th>Category</th><th>Tickets</th><th>Open</th><th>Since</th>${closed ? html`<th>Closed</th>` : ''}</tr></thead><tbody>${rows.map((i) => html`<tr>
      <td class="subject"><a href="${PATH}/${i.id}">#${i.id}</a> ${shown(i.title, 160)}</td>
      <td data-label="Category"><span class="chip">${i.category}</span></td>
      <td data-label="Tickets">${i.tickets}</td><td data-label="Open">${i.open}</td>
      <td data-label="Since">${when(new Date(i.opened_at))}</td>
      ${closed && i.closed_at ? html`<td data-label="Closed">${when(new Date(i.closed_at))}</td>` : ''}
    </tr>`)}</tbody></table>`;
}

function listPage(user: ConsoleUser, open: IncidentListRow[], closed: IncidentListRow[]): SafeHtml {
  return page({
    title: 'Incidents',
    user,
    active: 'incidents',
    body: html`<h1>Incidents</h1>
      <p class="muted">Many customers writing about one problem at once: similar tickets of one category within minutes are grouped into an incident.</p>
      <h2>Open</h2>
      ${open.length ? listTable('Open incidents', open, false) : html`<div class="card empty">No open incident.</div>`}
      <h2>Closed lately</h2>
      ${closed.length ? listTable('Closed incidents', closed, true) : html`<div class="card empty">None closed in the last ${RECENT_DAYS} days.</div>`}`,
  });
}

interface IncidentStory {
  incident: IncidentRow;
  counts: IncidentCounts;
  tickets: IncidentTicket[];
}

function ticketRows(s: IncidentStory, user: ConsoleUser, csrf: SafeHtml): SafeHtml {
  const act = user.role !== 'viewer' && !s.incident.closed_at;
  const base = `${PATH}/${s.incident.id}`;
  return html`<table aria-label="Tickets of the incident"><thead><tr><th>Ticket</th><th>Customer</th><th>Status</th><th>Created</th>${act ? html`<th></th>` : ''}</tr></thead><tbody>${s.tickets.map((t) => html`<tr>
      <td class="subject"><a href="/console/tickets/${t.id}">#${t.id}</a> ${shown(t.subject ?? '(no subject)', 160)}</td>
      <td data-label="Customer">${shown(t.requester_name ?? t.requester_email ?? '', 120)}</td>
      <td data-label="Status">${STATUS_LABELS[t.status] ?? t.status}</td>
      <td data-label="Created">${when(new Date(t.created_at))}</td>
      ${act ? html`<td><form method="post" action="${base}/take-out" class="inline" hx-confirm="${`Take ticket #${t.id} out of the incident? It becomes a ticket of its own again.`}">${csrf}<input type="hidden" name="ticket" value="${t.id}"><button class="link">Take out</button></form></td>` : ''}
    </tr>`)}</tbody></table>${s.counts.tickets > s.tickets.length ? html`<p class="muted">The latest ${s.tickets.length} of ${s.counts.tickets} tickets.</p>` : ''}`;
}

function actions(s: IncidentStory, user: ConsoleUser, csrf: SafeHtml): SafeHtml {
  const base = `${PATH}/${s.incident.id}`;
  return html`<section class="card actions"><h2>Actions</h2>
    <form method="post" action="${base}/reply" id="reply-all">${csrf}<input type="hidden" name="request" value="${newToken()}">
      <label>Reply to all<textarea name="text" maxlength="20000" required>Hi {name},

</textarea></label>
      <p class="muted">Every open ticket gets it through its own door; {name} becomes each customer's first name.</p>
      <div class="row"><button>Send to all</button></div>
    </form>
    <form method="post" action="${base}/resolve" hx-confirm="${`Resolve the ${s.counts.open} open ticket${s.counts.open === 1 ? '' : 's'} of this incident?`}">${csrf}<div class="row"><button class="secondary">Resolve all</button></div></form>
    <form method="post" action="${base}/close" hx-confirm="Close the incident? Its tickets stay as they are; new similar tickets get their own cards again.">${csrf}<div class="row"><button class="secondary">Close incident</button></div></form>
  </section>`;
}

function incidentPage(s: IncidentStory, user: ConsoleUser, notice: string | undefined): SafeHtml {
  const i = s.incident;
  const csrf = html`<input type="hidden" name="_csrf" value="${user.csrfToken}">`;
  const side = user.role === 'viewer'
    ? html`<p class="muted">You can read this incident; acting needs the agent role.</p>`
    : i.closed_at ? html`<p class="muted">The incident is closed: its tickets are acted on one by one.</p>` : actions(s, user, csrf);
  return page({
    title: `Incident #${i.id}`,
    user,
    active: 'incidents',
    body: html`
      ${notice ? html`<div class="notice" role="status">${notice}</div>` : ''}
      <h1>Incident #${i.id} ${shown(i.title, 300)}</h1>
      <div class="ticket">
        <section id="incident-live" data-live="incident" hx-disinherit="*" hx-get="${PATH}/${i.id}" hx-trigger="console:refresh" hx-select="#incident-live" hx-select-oob="#incident-facts" hx-swap="outerHTML">${ticketRows(s, user, csrf)}</section>
        <aside>
          <section class="card" id="incident-facts"><dl class="facts">
            <dt>State</dt><dd>${i.closed_at ? html`Closed ${when(new Date(i.closed_at))}${i.closed_by ? html` by ${shown(i.closed_by.replace(/^(slack|console):/, ''), 120)}` : ''}` : 'Open'}</dd>
            <dt>Category</dt><dd><span class="chip">${i.category}</span></dd>
            <dt>Since</dt><dd>${when(new Date(i.opened_at))}</dd>
            <dt>Last joined</dt><dd>${when(new Date(i.last_joined_at))}</dd>
            <dt>Tickets</dt><dd>${s.counts.tickets}</dd>
            <dt>Open tickets</dt><dd>${s.counts.open}</dd>
            <dt>Customers</dt><dd>${s.counts.customers}</dd>
          </dl></section>
          ${side}
        </aside>
      </div>`,
  });
}

export function incidentsRouter(deps: IncidentDeps): Router {
  const { db } = deps;
  const router = new Router({ prefix: PATH, sensitive: true });
  const userOf = (ctx: Context) => (ctx.state as ConsoleState).user!;
  const agentOf = (ctx: Context): ConsoleUser => {
    const user = userOf(ctx);
    requireRole(user, 'agent');
    return user;
  };
  const idOf = (ctx: Context) => {
    if (!/^\d{1,9}$/.test(ctx.params.id ?? '') || Number(ctx.params.id) < 1) throw new HttpError(404, 'No such incident.');
    return Number(ctx.params.id);
  };
  const missing = (id: number) => new HttpError(404, `Incident #${id} does not exist.`);
  const done = (ctx: Context, id: number, what: string) => ctx.redirect(`${PATH}/${id}?done=${what}`);

  router.get('/', async (ctx) => {
    const [open, closed] = await Promise.all([
      listIncidents(db.sql, { open: true, limit: OPEN_SHOWN }),
      listIncidents(db.sql, { open: false, since: new Date(Date.now() - RECENT_DAYS * 86_400_000), limit: RECENT_CLOSED }),
    ]);
    ctx.body = listPage(userOf(ctx), open, closed).value;
  });

  router.get('/:id', async (ctx) => {
    const id = idOf(ctx);
    const incident = await getIncident(db.sql, id);
    if (!incident) throw missing(id);
    const [counts, tickets] = await Promise.all([incidentCounts(db.sql, id), incidentTickets(db.sql, id, { latest: TICKETS_SHOWN })]);
    const notice = typeof ctx.query.done === 'string' ? NOTICES[ctx.query.done] : undefined;
    ctx.body = incidentPage({ incident, counts, tickets }, userOf(ctx), notice).value;
  });

  router.post('/:id/reply', async (ctx) => {
    const user = agentOf(ctx);
    const id = idOf(ctx);
    const nonce = field(ctx, 'request') ?? '';
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) throw new HttpError(422, 'The form is incomplete: reload the page and write the reply again.');
    try {
      const out = await requestIncidentReply(deps, {
        incidentId: id, text: field(ctx, 'text') ?? '', agent: { slackUserId: user.userId, name: user.name }, actor: actorOf(user), requestKey: `console:${nonce}`,
      });
      if (!out.found) throw missing(id);
      done(ctx, id, out.queued ? 'replied' : 'replied-already');
    } catch (error) {
      if (error instanceof InvalidReplyError) throw new HttpError(422, error.message);
      throw error;
    }
  });

  router.post('/:id/resolve', async (ctx) => {
    const user = agentOf(ctx);
    const id = idOf(ctx);
    const out = await resolveIncidentTickets(deps, id, actorOf(user));
    if (!out.found) throw missing(id);
    done(ctx, id, out.resolved ? 'resolved' : 'resolved-none');
  });

  router.post('/:id/close', async (ctx) => {
    const user = agentOf(ctx);
    const id = idOf(ctx);
    const out = await closeIncident(deps, id, actorOf(user));
    if (out === 'not_found') throw missing(id);
    if (out === 'unchanged') throw new HttpError(409, `Incident #${id} was closed already.`);
    done(ctx, id, 'closed');
  });

  router.post('/:id/take-out', async (ctx) => {
    const user = agentOf(ctx);
    const id = idOf(ctx);
    const typed = field(ctx, 'ticket') ?? '';
    if (!/^\d{1,9}$/.test(typed) || Number(typed) < 1) throw new HttpError(422, 'Name the ticket to take out by its number.');
    const out = await takeOutOfIncident(deps, id, Number(typed), actorOf(user));
    if (out === 'not_found') throw missing(id);
    if (out === 'not_member') throw new HttpError(409, `Ticket #${typed} is not in incident #${id} (any more): nothing was changed.`);
    done(ctx, id, 'taken-out');
  });

  return router;
}
