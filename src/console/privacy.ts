/**
 * Privacy for admins (/console/privacy): find a person by address, domain or customer id and see what erasing
 * them would change (the dry run), download everything held on them (export), erase them (anonymise or
 * delete, after typing the subject again), and place or release legal holds. The same commands as
 * /api/v1/privacy and /api/v1/legal-holds, recorded under the admin's console actor. The subject travels in
 * form bodies only, never in a URL (URLs end up in access logs and browser history).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { listHolds } from '../db/repositories/legal-holds.ts';
import { listErasures } from '../db/repositories/erasures.ts';
import { HttpError } from '../lib/http-error.ts';
import { html, type SafeHtml } from '../lib/html.ts';
import { dryRun, erase, ERASURE_MODES, type ErasureMode, exportPerson, parseSubject, type PrivacyDeps, type Subject, SUBJECT_RULE } from '../privacy/erase.ts';
import { holdFor, release } from '../privacy/holds.ts';
import { shown, when } from './format.ts';
import { page } from './layout.ts';
import { type ConsoleState, type ConsoleUser, requireRole } from './session.ts';
import { actorOf } from './ticket.ts';

const PATH = '/console/privacy';
const REASON_MAX = 1000;

const text = (ctx: Context, name: string) => {
  const v = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim() : '';
};

/** The subject of a form, or a problem to show. */
function subjectOf(ctx: Context): Subject | string {
  const kind = text(ctx, 'kind');
  if (kind !== 'email' && kind !== 'domain' && kind !== 'customer') return 'Choose an address, a domain or a customer.';
  try {
    return parseSubject(kind, text(ctx, 'value'));
  } catch {
    return `The subject ${SUBJECT_RULE}.`;
  }
}

const subjectFields = (s: Subject) => html`<input type="hidden" name="kind" value="${s.kind}"><input type="hidden" name="value" value="${s.value}">`;
const csrf = (user: ConsoleUser) => html`<input type="hidden" name="_csrf" value="${user.csrfToken}">`;

function findForm(user: ConsoleUser, problem?: string): SafeHtml {
  return html`<section class="card"><h2>Find a person</h2>
    ${problem ? html`<div class="notice problem" role="alert">${problem}</div>` : ''}
    <form method="post" action="${PATH}/dry-run" class="row">${csrf(user)}
      <label>By <select name="kind"><option value="email">address</option><option value="domain">whole domain</option><option value="customer">customer id</option></select></label>
      <label>Address, domain or customer id <input name="value" maxlength="320" required placeholder="ana@example.com" autocomplete="off"></label>
      <button>Dry run</button>
    </form>
    <p class="muted">The dry run counts what an erasure would change and changes nothing; export and erase follow from it.</p></section>`;
}

async function overview(deps: PrivacyDeps, user: ConsoleUser, o: { problem?: string; holdProblem?: string; notice?: string } = {}): Promise<SafeHtml> {
  const [holds, erasures] = await Promise.all([listHolds(deps.db.sql), listErasures(deps.db.sql, 20)]);
  return page({
    title: 'Privacy',
    user,
    active: 'privacy',
    body: html`<h1>Privacy</h1>
      ${o.notice ? html`<div class="notice" role="status">${o.notice}</div>` : ''}
      ${findForm(user, o.problem)}
      <section class="card"><h2>Legal holds</h2>
        <p class="muted">A held ticket, or every ticket of a held address, is skipped by erasure and retention.</p>
        ${o.holdProblem ? html`<div class="notice problem" role="alert">${o.holdProblem}</div>` : ''}
        ${holds.length === 0 ? html`<div class="empty">No legal holds.</div>` : html`<table><thead><tr><th>Hold</th><th>On</th><th>Reason</th><th>By</th><th>Since</th><th></th></tr></thead><tbody>${holds.map((h) => html`<tr>
          <td>#${String(h.id)}</td>
          <td data-label="On">${h.ticketId === null ? shown(h.email, 320) : html`<a href="/console/tickets/${String(h.ticketId)}">ticket #${String(h.ticketId)}</a>`}</td>
          <td data-label="Reason" class="excerpt">${shown(h.reason, 300)}</td><td data-label="By">${h.createdBy}</td><td>${when(h.createdAt)}</td>
          <td><form method="post" action="${PATH}/holds/${String(h.id)}/release" class="inline">${csrf(user)}<button class="secondary">Release</button></form></td></tr>`)}</tbody></table>`}
        <form method="post" action="${PATH}/holds" class="row">${csrf(user)}
          <label>Ticket <input name="ticket" inputmode="numeric" size="8" placeholder="1234"></label>
          <label>or address <input name="email" maxlength="320" placeholder="ana@example.com" autocomplete="off"></label>
          <label>Reason <input name="reason" maxlength="${REASON_MAX}" placeholder="Case 2026-118"></label>
          <button>Place hold</button>
        </form></section>
      <section class="card"><h2>Erasures</h2>
        ${erasures.length === 0 ? html`<div class="empty">No erasures yet.</div>` : html`<table><thead><tr><th>Erasure</th><th>By</th><th>Mode</th><th>Of</th><th>State</th><th>When</th><th>Tickets</th></tr></thead><tbody>${erasures.map((e) => html`<tr>
          <td>#${String(e.id)}</td><td data-label="By">${e.requestedBy}</td><td data-label="Mode">${e.mode}</td><td data-label="Of">${e.subjectKind === 'domain' ? 'a domain' : e.subjectKind === 'customer' ? 'a customer' : 'an address'}</td>
          <td data-label="State">${e.state}</td><td>${when(e.createdAt)}</td><td data-label="Tickets">${String(e.counts?.tickets ?? 0)}</td></tr>`)}</tbody></table>`}
        <p class="muted">A record names who asked and what was changed, never the person.</p></section>`,
  });
}

export function privacyRouter(deps: PrivacyDeps): Router {
  const router = new Router({ prefix: PATH, sensitive: true });
  const admin = (ctx: Context) => {
    const user = (ctx.state as ConsoleState).user!;
    requireRole(user, 'admin');
    return user;
  };
  const problem = async (ctx: Context, o: { problem?: string; holdProblem?: string }) => {
    ctx.status = 422;
    ctx.body = (await overview(deps, admin(ctx), o)).value;
  };

  router.get('/', async (ctx) => {
    const user = admin(ctx);
    const erasure = typeof ctx.query.erasure === 'string' && /^\d{1,15}$/.test(ctx.query.erasure) ? ctx.query.erasure : undefined;
    ctx.body = (await overview(deps, user, erasure ? { notice: `Erasure #${erasure} is done.` } : {})).value;
  });

  router.post('/dry-run', async (ctx) => {
    const user = admin(ctx);
    const subject = subjectOf(ctx);
    if (typeof subject === 'string') return problem(ctx, { problem: subject });
    const found = await dryRun(deps, subject);
    const places = Object.entries(found.counts).filter(([, n]) => n > 0);
    ctx.body = page({
      title: 'Privacy: dry run',
      user,
      active: 'privacy',
      body: html`<h1>What erasing ${subject.kind === 'customer' ? `customer #${subject.value}` : shown(subject.value, 320)} would change</h1>
        <section class="card"><p><strong>${String(found.tickets)}</strong> tickets, <strong>${String(found.follow_ups_on_other_tickets)}</strong> follow-ups on others' tickets${found.held_tickets ? html`, <strong>${String(found.held_tickets)}</strong> under legal hold (kept)` : ''}.</p>
          ${places.length === 0 ? html`<div class="empty">Nothing is held on this ${subject.kind === 'domain' ? 'domain' : subject.kind === 'customer' ? 'customer' : 'address'}.</div>` : html`<table><thead><tr><th>Place</th><th>Rows</th></tr></thead><tbody>${places.map(([name, n]) => html`<tr><td>${name}</td><td data-label="Rows">${String(n)}</td></tr>`)}</tbody></table>`}
          <p class="muted">Nothing was changed.</p></section>
        <section class="card"><h2>Export</h2>
          <form method="post" action="${PATH}/export" hx-boost="false">${csrf(user)}${subjectFields(subject)}<button class="secondary">Download everything held (JSON)</button></form></section>
        <section class="card"><h2>Erase</h2>
          <form method="post" action="${PATH}/erase" class="stack">${csrf(user)}${subjectFields(subject)}
            <fieldset class="choices"><legend>Mode</legend>
              <label><input type="radio" name="mode" value="anonymise" checked> Anonymise: keep the tickets, categories, timings and stats; drop names, addresses and texts</label>
              <label><input type="radio" name="mode" value="delete"> Delete the tickets</label></fieldset>
            <label><span>Type <strong>${shown(subject.value, 320)}</strong> again to confirm</span><input name="confirm" maxlength="320" required autocomplete="off"></label>
            <div class="row"><button class="danger">Erase</button> <a href="${PATH}">Cancel</a></div>
          </form></section>`,
    }).value;
  });

  router.post('/export', async (ctx) => {
    admin(ctx);
    const subject = subjectOf(ctx);
    if (typeof subject === 'string') return problem(ctx, { problem: subject });
    ctx.type = 'application/json';
    ctx.set('Content-Disposition', `attachment; filename="personal-data-export-${new Date().toISOString().slice(0, 10)}.json"`);
    ctx.body = JSON.stringify(await exportPerson(deps, subject), null, 2);
  });

  router.post('/erase', async (ctx) => {
    const user = admin(ctx);
    const subject = subjectOf(ctx);
    if (typeof subject === 'string') return problem(ctx, { problem: subject });
    const mode = text(ctx, 'mode') as ErasureMode;
    if (!ERASURE_MODES.includes(mode)) return problem(ctx, { problem: 'Choose anonymise or delete.' });
    if (text(ctx, 'confirm').toLowerCase().replace(/^@/, '') !== subject.value.toLowerCase()) {
      return problem(ctx, { problem: 'The confirmation did not match the subject: nothing was erased.' });
    }
    const outcome = await erase(deps, subject, mode, actorOf(user));
    ctx.redirect(`${PATH}?erasure=${outcome.erasure_id}`);
  });

  router.post('/holds', async (ctx) => {
    const user = admin(ctx);
    const ticket = text(ctx, 'ticket');
    const email = text(ctx, 'email');
    const reason = text(ctx, 'reason');
    if ((ticket === '') === (email === '')) return problem(ctx, { holdProblem: 'Give a ticket number or an address (one of them).' });
    if (reason.length > REASON_MAX || /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(reason)) return problem(ctx, { holdProblem: `The reason must be plain text of at most ${REASON_MAX} characters.` });
    let target: { ticketId: number } | { email: string };
    if (ticket !== '') {
      if (!/^\d{1,9}$/.test(ticket) || Number(ticket) < 1) return problem(ctx, { holdProblem: 'The ticket must be a ticket number.' });
      target = { ticketId: Number(ticket) };
    } else {
      try {
        target = { email: parseSubject('email', email).value };
      } catch {
        return problem(ctx, { holdProblem: 'The address must be an e-mail address.' });
      }
    }
    const placed = await holdFor(deps.db, target, reason || null, actorOf(user));
    if (!placed) return problem(ctx, { holdProblem: `There is no ticket #${ticket}.` });
    ctx.redirect(PATH);
  });

  router.post('/holds/:id/release', async (ctx) => {
    const user = admin(ctx);
    if (!/^\d{1,15}$/.test(ctx.params.id ?? '')) throw new HttpError(404, 'No such legal hold.');
    if (!(await release(deps.db, Number(ctx.params.id), actorOf(user)))) throw new HttpError(404, 'No such legal hold.');
    ctx.redirect(PATH);
  });
  return router;
}
