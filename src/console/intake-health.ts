/**
 * Intake health: what /health reports per part and per door (last accepted, last rejected and why), the open
 * ops incidents, and for admins the dead letters with Replay and Discard buttons (the same replay as
 * `npm run dead-letters -- replay` and POST /api/v1/dead-letters/replay, the same discard as `-- discard`).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../db/database.ts';
import type { DeadLetter, DeadLetters } from '../db/repositories/dead-letters.ts';
import { openIncidents } from '../db/repositories/ops-incidents.ts';
import type { DoorView } from '../lib/door-activity.ts';
import type { HealthRegistry } from '../lib/health.ts';
import { HttpError } from '../lib/http-error.ts';
import { html } from '../lib/html.ts';
import { shown, when } from './format.ts';
import { page } from './layout.ts';
import { type ConsoleState, requireRole } from './session.ts';

export interface IntakeHealthDeps {
  db: Database;
  health: HealthRegistry;
  doors: () => Record<string, DoorView>;
  deadLetters: DeadLetters;
}

const PATH = '/console/health';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GOOD = new Set(['healthy', 'ok', 'connected', 'disabled', 'local-only']);

/** A probe's details as "key: value · …" (nested values as JSON), nulls left out. */
const detailsText = (details: Record<string, unknown>) =>
  shown(Object.entries(details).filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k.replaceAll('_', ' ')}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' · '), 800);

const statusChip = (status: string) => html`<span class="chip ${GOOD.has(status) ? 'ok' : 'bad'}">${status}</span>`;
const maybeWhen = (iso: string | null) => (iso ? when(new Date(iso)) : html`<span class="muted">never</span>`);

export function intakeHealthRouter(deps: IntakeHealthDeps): Router {
  const router = new Router({ prefix: PATH, sensitive: true });

  router.get('/', async (ctx: Context) => {
    const user = (ctx.state as ConsoleState).user!;
    const admin = user.role === 'admin';
    const [report, incidents, dead] = await Promise.all([deps.health.check(), openIncidents(deps.db.sql), admin ? deps.deadLetters.list() : Promise.resolve([] as DeadLetter[])]);
    const doors = Object.entries(deps.doors());
    const replayed = typeof ctx.query.replayed === 'string' && /^\d{1,4}$/.test(ctx.query.replayed) ? Number(ctx.query.replayed) : undefined;
    const discarded = typeof ctx.query.discarded === 'string' && /^\d{1,4}$/.test(ctx.query.discarded) ? Number(ctx.query.discarded) : undefined;
    ctx.body = page({
      title: 'Intake health',
      user,
      active: 'health',
      body: html`<h1>Intake health ${statusChip(report.status)}</h1>
        ${replayed !== undefined ? html`<div class="notice" role="status">${replayed} dead letter${replayed === 1 ? '' : 's'} sent back to ${replayed === 1 ? 'its queue' : 'their queues'}.</div>` : ''}
        ${discarded !== undefined ? html`<div class="notice" role="status">${discarded} dead letter${discarded === 1 ? '' : 's'} discarded.</div>` : ''}
        <h2>Parts</h2>
        <table><thead><tr><th>Part</th><th>Status</th><th>Details</th></tr></thead><tbody>${Object.entries(report.checks).map(([name, check]) => {
          const { status, ...details } = check;
          return html`<tr><td>${name}</td><td data-label="Status">${statusChip(status)}</td><td class="excerpt">${detailsText(details)}</td></tr>`;
        })}</tbody></table>
        <h2>Doors (this instance, since it started)</h2>
        ${doors.length === 0 ? html`<div class="card empty">No door has seen anything yet.</div>` : html`<table><thead><tr><th>Door</th><th>Last accepted</th><th>Last rejected</th><th>Why</th><th>Rejections</th></tr></thead><tbody>${doors.map(([name, d]) => html`<tr>
          <td>${name}</td><td data-label="Last accepted">${maybeWhen(d.last_accepted_at)}</td><td data-label="Last rejected">${maybeWhen(d.last_rejected_at)}</td>
          <td data-label="Why">${d.last_rejection_reason ?? ''}<div class="excerpt">${shown(d.last_rejection_detail ?? '', 300)}</div></td>
          <td data-label="Rejections">${Object.entries(d.rejections).map(([reason, n]) => html`<span class="chip">${reason} ${n}</span> `)}</td></tr>`)}</tbody></table>`}
        <h2>Open incidents</h2>
        ${incidents.length === 0 ? html`<div class="card empty">None.</div>` : html`<ul>${incidents.map((i) => html`<li>${shown(i.key, 200)} since ${when(i.since)}</li>`)}</ul>`}
        ${admin
          ? html`<h2>Dead letters</h2>${dead.length === 0 ? html`<div class="card empty">None: every job finished or is still being retried.</div>` : html`<table><thead><tr><th>Queue</th><th>Since</th><th>Error</th><th>Job</th><th></th></tr></thead><tbody>${dead.map((d) => html`<tr>
              <td>${d.queue}</td><td data-label="Since">${when(d.deadSince)}</td><td class="excerpt">${shown(d.error ?? '', 300)}</td><td class="excerpt">${shown(JSON.stringify(d.data), 300)}</td>
              <td><form method="post" action="${PATH}/dead-letters/replay"><input type="hidden" name="_csrf" value="${user.csrfToken}"><input type="hidden" name="id" value="${d.id}"><input type="hidden" name="queue" value="${d.queue}"><button class="secondary">Replay</button></form>
              <form method="post" action="${PATH}/dead-letters/discard"><input type="hidden" name="_csrf" value="${user.csrfToken}"><input type="hidden" name="id" value="${d.id}"><input type="hidden" name="queue" value="${d.queue}"><button class="secondary danger">Discard</button></form></td></tr>`)}</tbody></table>`}`
          : ''}`,
    }).value;
  });

  // Replay and discard: the one dead letter the form names, through the same code as the CLI.
  for (const [action, done] of [['replay', 'replayed'], ['discard', 'discarded']] as const) {
    router.post(`/dead-letters/${action}`, async (ctx: Context) => {
      requireRole((ctx.state as ConsoleState).user!, 'admin');
      const body = ctx.request.body as Record<string, unknown>;
      const id = typeof body.id === 'string' && UUID.test(body.id) ? body.id : undefined;
      const queue = typeof body.queue === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(body.queue) ? body.queue : undefined;
      if (!id || !queue) throw new HttpError(422, 'Choose a dead letter from the list.');
      let handled: DeadLetter[];
      try {
        handled = await deps.deadLetters[action]({ queue, ids: [id] });
      } catch (error) {
        if (error instanceof Error && error.name === 'UnknownQueueError') throw new HttpError(422, error.message);
        throw error;
      }
      ctx.redirect(`${PATH}?${done}=${handled.length}`);
    });
  }

  return router;
}
