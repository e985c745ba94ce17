/**
 * The ticket page's markup: facts, who else has it open, the timeline of everything that happened, and the agent's
 * actions. With JavaScript, htmx reloads the timeline, the facts and the viewers when a live update names this
 * ticket (assets/live.js; every 2 s without a stream); the action forms are left alone, so a reply being typed is never lost.
 */
import type { AssignmentRow } from '../db/repositories/agents.ts';
import type { ClassificationRow } from '../db/repositories/classifications.ts';
import type { CustomerContext } from '../db/repositories/customer-context.ts';
import type { MessageRow } from '../db/repositories/messages.ts';
import type { ReplyRow } from '../db/repositories/replies.ts';
import type { Viewer } from '../db/repositories/console-signals.ts';
import type { SavedReply } from '../db/repositories/saved-replies.ts';
import type { StatusChangeRow } from '../db/repositories/status-changes.ts';
import { CATEGORIES, PRIORITIES } from '../domain/categories.ts';
import { emailDomain } from '../domain/company-domain.ts';
import type { Ticket } from '../domain/ticket.ts';
import { html, safeUrl, type SafeHtml } from '../lib/html.ts';
import { categoryChip, priorityChip, shown, STATUS_LABELS, when } from './format.ts';
import { page } from './layout.ts';
import type { ConsoleUser } from './session.ts';

export interface TicketStory {
  ticket: Ticket;
  messages: MessageRow[];
  replies: ReplyRow[];
  classifications: ClassificationRow[];
  assignments: AssignmentRow[];
  statusChanges: StatusChangeRow[];
  slaEvents: { kind: string; dueAt: Date; at: Date }[];
  card: { channel: string; ts: string } | null;
  savedReplies: SavedReply[];
  /** The customer's other tickets (null: the ticket has no customer). */
  context: CustomerContext | null;
  /** Who has the ticket open in a console now (live-update streams, every instance). */
  viewers: Viewer[];
  /** Tickets split out of this one. */
  splitInto: number[];
  /** The incident the ticket is part of (src/console/incidents.ts); null: none. */
  incident: number | null;
}

interface Entry {
  at: Date;
  kind: 'message' | 'reply' | 'classification' | 'assignment' | 'status' | 'sla' | 'snooze';
  body: SafeHtml;
}

/** An actor as the histories store it (slack:U…, console:link, api, snooze) in words. */
const actorName = (actor: string) => shown(actor === 'console:link' ? 'the console (sign-in link)' : actor === 'customer' ? 'the customer' : actor.replace(/^(slack|console):/, ''), 120);

/** What a status change did, in words. */
const statusVerb = (c: StatusChangeRow) =>
  c.to === 'resolved' ? 'Resolved' : c.from === 'resolved' ? 'Reopened' : c.to === 'waiting_on_customer' ? 'Waiting on the customer' : `Status ${STATUS_LABELS[c.to] ?? c.to}`;

const agentName = (a: { slackUserId: string; name: string | null } | null) => (a ? shown(a.name ?? a.slackUserId, 120) : 'nobody');

function timeline(s: TicketStory): Entry[] {
  const t = s.ticket;
  const entries: Entry[] = [
    { at: t.createdAt, kind: 'message', body: html`<strong>${shown(t.requesterName ?? t.requesterEmail ?? 'The requester', 120)}</strong> wrote through ${t.source}${t.subject ? html`: <em>${shown(t.subject, 300)}</em>` : ''}<div class="text">${shown(t.body, 20_000)}</div>` },
  ];
  for (const m of s.messages) {
    const how = m.merged_from === null ? html`followed up` : html`wrote <a href="/console/tickets/${m.merged_from}">#${m.merged_from}</a>, merged into this ticket`;
    entries.push({ at: new Date(m.created_at), kind: 'message', body: html`<strong>${shown(m.author_name ?? m.author_email ?? 'The requester', 120)}</strong> ${how}<div class="text">${shown(m.body, 20_000)}</div>` });
  }
  for (const r of s.replies) {
    const state = r.state === 'sent' ? html`sent` : r.state === 'failed' ? html`<span class="due-late">failed</span>${r.last_error ? html`: ${shown(r.last_error, 300)}` : ''}` : html`queued (attempt ${r.attempts})`;
    entries.push({ at: new Date(r.created_at), kind: 'reply', body: html`<strong>${shown(r.agent_name ?? r.agent_slack_id, 120)}</strong> replied · ${state}<div class="text">${shown(r.body, 20_000)}</div>` });
  }
  for (const c of s.classifications) {
    const who = c.classifier === 'human' ? html`<strong>${actorName(c.created_by ?? 'a person')}</strong> corrected the classification` : html`Classified by ${shown(c.model_name, 120)} (${c.classifier})`;
    entries.push({ at: new Date(c.created_at), kind: 'classification', body: html`${who}: ${categoryChip(c.category, c.confidence, c.classifier)} ${priorityChip(c.priority)}${c.summary ? html`<div class="muted">${shown(c.summary, 500)}</div>` : ''}${c.note ? html`<div>Note: ${shown(c.note, 500)}</div>` : ''}` });
  }
  for (const a of s.assignments) {
    entries.push({ at: a.createdAt, kind: 'assignment', body: html`Assigned to <strong>${agentName(a.to)}</strong> (was ${agentName(a.from)}) by ${actorName(a.actor)}` });
  }
  for (const c of s.statusChanges) {
    entries.push({ at: c.createdAt, kind: 'status', body: html`<strong>${statusVerb(c)}</strong> (was ${STATUS_LABELS[c.from] ?? c.from}) by ${actorName(c.actor)}` });
  }
  for (const e of s.slaEvents) {
    entries.push({ at: e.at, kind: 'sla', body: html`SLA ${e.kind.replaceAll('_', ' ')} (due ${when(e.dueAt)})` });
  }
  if (t.snooze) entries.push({ at: t.snooze.since, kind: 'snooze', body: html`Snoozed ${t.snooze.until ? html`until ${when(t.snooze.until)}` : 'until the customer answers'} by ${actorName(t.snooze.by ?? '')}` });
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Who wrote it, their company, and their other tickets: open count, the last five, the possibly related. */
function customerCard(s: TicketStory): SafeHtml {
  const t = s.ticket;
  if (!t.customer || !s.context) return html``;
  const c = s.context;
  const item = (x: { id: number; subject: string | null; status: string }) =>
    html`<li><a href="/console/tickets/${x.id}">#${x.id}</a> ${shown(x.subject ?? '(no subject)', 120)} <span class="muted">${STATUS_LABELS[x.status] ?? x.status}</span></li>`;
  return html`<section class="card" id="ticket-customer"><h2>Customer</h2><dl class="facts">
      <dt>Customer</dt><dd>${shown(t.customer.name ?? t.requesterEmail ?? `#${t.customer.id}`, 120)}</dd>
      <dt>Company</dt><dd>${t.company ? html`${shown(t.company.name, 120)}${t.company.tier ? html` <span class="chip">${shown(t.company.tier, 64)}</span>` : ''}` : html`<span class="muted">none</span>`}</dd>
      <dt>Open tickets</dt><dd>${c.openTickets}</dd>
    </dl>
    <h3>Last tickets</h3>${c.recent.length ? html`<ul class="recent">${c.recent.map(item)}</ul>` : html`<p class="muted">none before this one</p>`}
    <h3>Possibly related</h3>${c.related.length ? html`<ul class="related">${c.related.map(item)}</ul>` : html`<p class="muted">none</p>`}
  </section>`;
}

const option = (value: string, label: string, current?: string | null) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;

function actions(s: TicketStory, user: ConsoleUser, draft: string): SafeHtml {
  const t = s.ticket;
  const base = `/console/tickets/${t.id}`;
  const csrf = html`<input type="hidden" name="_csrf" value="${user.csrfToken}">`;
  return html`<section class="card actions"><h2>Actions</h2>
    <form method="post" action="${base}/assign">${csrf}
      <label>Assign to<input name="assignee" placeholder="Slack user id, or empty for nobody" value="${t.assignee?.slackUserId ?? ''}"></label>
      <div class="row">${user.userId !== 'link' ? html`<button name="me" value="1" class="secondary">Assign to me</button>` : ''}<button>Assign</button></div>
    </form>
    <form method="get" action="${base}"><label>Start from a saved reply<select name="saved">${option('', 'none')}${s.savedReplies.map((r) => option(String(r.id), r.title))}</select></label><div class="row"><button class="secondary">Use</button></div></form>
    <form method="post" action="${base}/reply" id="reply">${csrf}
      <label>Reply to the customer<textarea name="text" maxlength="20000">${draft}</textarea></label>
      <div class="row"><button>Send reply</button></div>
    </form>
    <form method="post" action="${base}/reclassify">${csrf}
      <div class="row"><label>Category<select name="category">${CATEGORIES.map((c) => option(c, c, t.category))}</select></label>
      <label>Priority<select name="priority">${PRIORITIES.map((p) => option(p, p, t.priority))}</select></label></div>
      <label>Note<input name="note" maxlength="500"></label>
      <div class="row"><button>Reclassify</button></div>
    </form>
    <form method="post" action="${base}/snooze" id="snooze">${csrf}
      <label>Snooze<select name="for">${option('1h', 'for 1 hour')}${option('4h', 'for 4 hours')}${option('1d', 'for 1 day')}${option('3d', 'for 3 days')}${option('7d', 'for 7 days')}${option('answer', 'until the customer answers')}${t.snooze ? option('end', 'end the snooze') : ''}</select></label>
      <div class="row"><button>Snooze</button></div>
    </form>
    <form method="post" action="${base}/status">${csrf}<div class="row">
      ${t.status === 'resolved' ? html`<button name="status" value="open">Reopen</button>` : html`<button name="status" value="resolved">Resolve</button>`}</div>
    </form>
    <form method="post" action="${base}/merge" hx-confirm="Merge this ticket into the one you named? Its messages move there; this ticket's page can undo it.">${csrf}
      <label>Merge into ticket<input name="into" inputmode="numeric" pattern="#?[0-9]{1,9}" placeholder="number, such as 123" required></label>
      <label class="check"><input type="checkbox" name="across" value="1"> different customers: merge anyway</label>
      <div class="row"><button class="secondary">Merge</button></div>
    </form>
    ${splitForm(s, base, csrf)}
    ${t.requesterEmail ? spamForms(base, t.requesterEmail, csrf) : ''}</section>`;
}

/**
 * The Spam action: one form per scope, each with its own hx-confirm (htmx asks the form's question, whichever
 * button was pressed), naming exactly what will be blocked: the address, or its domain as the block stores it.
 */
function spamForms(base: string, email: string, csrf: SafeHtml): SafeHtml {
  const domain = emailDomain(email) ?? email.slice(email.lastIndexOf('@') + 1);
  const after = 'Their next messages will be kept as spam and make no ticket, and this ticket will be resolved.';
  return html`<div class="row spam">
      <form method="post" action="${base}/spam" hx-confirm="${`Block ${email} as spam? ${after}`}">${csrf}<button name="scope" value="email">Spam: block the sender</button></form>
      <form method="post" action="${base}/spam" hx-confirm="${`Block every address at ${domain} as spam? ${after}`}">${csrf}<button name="scope" value="domain" class="secondary">Spam: block their domain</button></form>
    </div>`;
}

/** Tick follow-ups to split them out into a new ticket (those a merge brought are the merge's: not offered). */
function splitForm(s: TicketStory, base: string, csrf: SafeHtml): SafeHtml {
  const followUps = s.messages.filter((m) => m.merged_from === null);
  if (!followUps.length) return html``;
  return html`<form method="post" action="${base}/split" hx-confirm="Split the ticked follow-ups out into a new ticket?">${csrf}
      <fieldset><legend>Split follow-ups into a new ticket</legend>
      ${followUps.map((m) => html`<label class="check"><input type="checkbox" name="message" value="${m.id}"> ${when(new Date(m.created_at))}: ${shown(m.body.slice(0, 80), 80)}</label>`)}
      </fieldset><div class="row"><button class="secondary">Split</button></div>
    </form>`;
}

/** Where a split ticket came from, what was split out of this one, and the incident it is part of. */
function relatedFacts(s: TicketStory): SafeHtml {
  const link = (id: number) => html`<a href="/console/tickets/${id}">#${id}</a>`;
  const from = s.ticket.splitFrom === null ? html`` : html`<dt>Split from</dt><dd>${link(s.ticket.splitFrom)}</dd>`;
  const into = s.splitInto.length ? html`<dt>Split into</dt><dd>${s.splitInto.map((id, i) => html`${i ? ', ' : ''}${link(id)}`)}</dd>` : html``;
  const incident = s.incident === null ? html`` : html`<dt>Incident</dt><dd>Part of <a href="/console/incidents/${s.incident}">incident #${s.incident}</a></dd>`;
  return html`${from}${into}${incident}`;
}

/** A merged ticket's page: where it went, who merged it, its own text, and (for agents) Undo. */
export function mergedPage(t: Ticket, merge: { target_ticket_id: number; merged_by: string; merged_at: Date } | undefined, user: ConsoleUser): SafeHtml {
  const target = t.mergedInto!;
  const undo = user.role === 'viewer'
    ? html``
    : html`<form method="post" action="/console/tickets/${t.id}/unmerge" hx-confirm="Undo the merge? This ticket and its messages come back as they were.">
        <input type="hidden" name="_csrf" value="${user.csrfToken}"><div class="row"><button>Undo the merge</button></div></form>`;
  return page({
    title: `#${t.id}`,
    user,
    active: 'inbox',
    body: html`
      <h1>#${t.id} ${shown(t.subject?.trim() ? t.subject : t.body.slice(0, 80), 300)}</h1>
      <section class="card"><p class="notice" role="status">Merged into <a href="/console/tickets/${target}">ticket #${target}</a>${merge ? html` by ${actorName(merge.merged_by)}, ${when(new Date(merge.merged_at))}` : ''}: its messages are there.</p>
        <div class="text">${shown(t.body, 20_000)}</div>${undo}</section>`,
  });
}

/** Who has the ticket open: everyone with a live stream on it, this viewer marked. */
function presence(viewers: Viewer[], user: ConsoleUser): SafeHtml {
  const others = viewers.filter((v) => v.userId !== user.userId);
  const name = (v: Viewer) => html`<strong>${shown(v.userName ?? v.userId, 120)}</strong>`;
  return html`<p class="presence" id="ticket-presence" aria-live="polite">${others.length === 0
    ? 'Nobody else has this ticket open.'
    : html`Open now: ${others.map((v, i) => html`${i ? ', ' : ''}${name(v)}`)}${viewers.length > others.length ? ' and you' : ''}`}</p>`;
}

export function ticketPage(s: TicketStory, user: ConsoleUser, opts: { notice?: string | undefined; draft: string }): SafeHtml {
  const t = s.ticket;
  const cardUrl = s.card ? safeUrl(`https://slack.com/archives/${encodeURIComponent(s.card.channel)}/p${s.card.ts.replace('.', '')}`) : null;
  const kinds: Record<Entry['kind'], string> = { message: 'message', reply: 'reply', classification: 'classification', assignment: 'assignment', status: 'status', sla: 'sla', snooze: 'snooze' };
  return page({
    title: `#${t.id}`,
    user,
    active: 'inbox',
    body: html`
      ${opts.notice ? html`<div class="notice" role="status">${opts.notice}</div>` : ''}
      <h1>#${t.id} ${shown(t.subject?.trim() ? t.subject : t.body.slice(0, 80), 300)}</h1>
      <div class="ticket">
        <section id="ticket-live" data-live="ticket" hx-disinherit="*" data-live-ticket="${t.id}" hx-get="/console/tickets/${t.id}" hx-trigger="console:refresh" hx-select="#ticket-live" hx-select-oob="#ticket-facts,#ticket-presence" hx-swap="outerHTML">
          <ol class="timeline">${timeline(s).map((e) => html`<li class="${kinds[e.kind]}"><div class="when">${when(e.at)}</div>${e.body}</li>`)}</ol>
        </section>
        <aside>
          ${presence(s.viewers, user)}
          <section class="card" id="ticket-facts"><dl class="facts">
            <dt>Status</dt><dd>${STATUS_LABELS[t.status] ?? t.status}${t.snooze ? ' · snoozed' : ''}</dd>
            <dt>Category</dt><dd>${categoryChip(t.category, t.confidence, t.classifier)}</dd>
            <dt>Priority</dt><dd>${priorityChip(t.priority)}</dd>
            <dt>Language</dt><dd>${t.language ?? '—'}</dd>
            <dt>Requester</dt><dd>${shown(t.requesterName ?? '', 120)} ${t.requesterEmail ? html`<span class="muted">${shown(t.requesterEmail, 320)}</span>` : ''}</dd>
            <dt>Door</dt><dd>${t.source}</dd>
            <dt>Assignee</dt><dd>${agentName(t.assignee ? { slackUserId: t.assignee.slackUserId, name: t.assignee.name } : null)}</dd>
            <dt>Summary</dt><dd>${shown(t.summary ?? '—', 500)}</dd>
            ${relatedFacts(s)}
            <dt>Slack</dt><dd>${cardUrl ? html`<a href="${cardUrl}" rel="noopener noreferrer" target="_blank">Open the card</a>` : html`<span class="muted">no card</span>`}</dd>
          </dl></section>
          ${customerCard(s)}
          ${user.role === 'viewer' ? html`<p class="muted">You can read this ticket; acting needs the agent role.</p>` : actions(s, user, opts.draft)}
        </aside>
      </div>`,
  });
}
