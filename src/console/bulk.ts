/**
 * Bulk actions from the inbox: the tickets ticked in the list (a plain form, so it works without JavaScript)
 * are assigned, snoozed or resolved one by one through src/ingest/changes.ts, each in its own transaction, like
 * the ticket page's buttons: every Slack card follows. One ticket that cannot change (already resolved, gone)
 * is reported on its line and does not hold back the others. At most BULK_LIMIT tickets per action.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import { assign, changeStatus, snooze } from '../ingest/changes.ts';
import type { TicketWriteDeps } from '../ingest/changes.ts';
import { HttpError } from '../lib/http-error.ts';
import { html } from '../lib/html.ts';
import { page } from './layout.ts';
import { type ConsoleState, type ConsoleUser, requireRole } from './session.ts';
import { actorOf, SNOOZES } from './ticket.ts';

/** The most tickets one bulk action takes: a bigger selection is refused, not cut. */
export const BULK_LIMIT = 100;

export const BULK_ACTIONS = ['assign_me', 'assign', 'unassign', 'snooze', 'resolve'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export type BulkOutcome = { id: number; result: 'done' | 'unchanged' | 'refused' | 'missing' | 'failed'; detail: string };

const field = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);

/** The ticked ids: one value, a list, or (past the form parser's array limit) an object of them. */
export function parseIds(value: unknown): number[] {
  const list = value === undefined ? [] : typeof value === 'string' ? [value] : Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : [value];
  const ids = list.map((v) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : NaN));
  if (ids.some((id) => !Number.isSafeInteger(id) || id < 1)) throw new HttpError(422, 'A chosen ticket is not a ticket number.');
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new HttpError(422, 'Tick at least one ticket first.');
  if (unique.length > BULK_LIMIT) throw new HttpError(422, `At most ${BULK_LIMIT} tickets per bulk action; ${unique.length} were chosen. Nothing was changed.`);
  return unique;
}

/** Only inbox views are returned to (an open redirect otherwise). */
export function backUrl(value: unknown): string {
  return typeof value === 'string' && /^\/console(\?[^\s\\]*)?$/.test(value) && value.length <= 2000 ? value : '/console';
}

type Step = (id: number) => Promise<Omit<BulkOutcome, 'id'>>;

function stepFor(deps: TicketWriteDeps, user: ConsoleUser, action: BulkAction, body: Record<string, unknown>): { label: string; step: Step } {
  const actor = actorOf(user);
  const toAssignee = (to: string | null, label: string) => ({
    label,
    step: async (id: number) => {
      const out = await assign(deps, id, to, actor);
      if (!out.found) return { result: 'missing' as const, detail: 'does not exist (or was deleted)' };
      return out.changed ? { result: 'done' as const, detail: to ? `assigned to ${to}` : 'unassigned' } : { result: 'unchanged' as const, detail: to ? `already assigned to ${to}` : 'already unassigned' };
    },
  });
  switch (action) {
    case 'assign_me':
      return toAssignee(user.userId, 'Assign to me');
    case 'unassign':
      return toAssignee(null, 'Unassign');
    case 'assign': {
      const to = field(body, 'assignee')?.trim() ?? '';
      if (!/^[UW][A-Z0-9]{2,30}$/.test(to)) throw new HttpError(422, 'An assignee is a Slack user id such as U012AB3CD.');
      return toAssignee(to, `Assign to ${to}`);
    }
    case 'snooze': {
      const choice = field(body, 'for') ?? '';
      const span = SNOOZES[choice];
      if (choice !== 'answer' && span === undefined) throw new HttpError(422, 'Choose how long to snooze from the list.');
      // One end for the whole selection, fixed before the first ticket.
      const until = span === undefined ? null : new Date(Date.now() + span);
      return {
        label: `Snooze ${choice === 'answer' ? 'until the customer answers' : `for ${choice}`}`,
        step: async (id) => {
          const out = await snooze(deps, id, until, actor);
          if (out === 'not_found') return { result: 'missing', detail: 'does not exist (or was deleted)' };
          if (out === 'resolved') return { result: 'refused', detail: 'resolved: reopen it first' };
          return out === 'unchanged' ? { result: 'unchanged', detail: 'already snoozed so' } : { result: 'done', detail: 'snoozed' };
        },
      };
    }
    case 'resolve':
      return {
        label: 'Resolve',
        step: async (id) => {
          const out = await changeStatus(deps, id, 'resolved', actor);
          if (out === 'not_found') return { result: 'missing', detail: 'does not exist (or was deleted)' };
          return out === 'unchanged' ? { result: 'unchanged', detail: 'already resolved' } : { result: 'done', detail: 'resolved' };
        },
      };
  }
}

/** Runs `step` on each ticket in turn; a failure is that ticket's line, never the end of the run. */
export async function runBulk(ids: number[], step: Step, logger: Logger): Promise<BulkOutcome[]> {
  const out: BulkOutcome[] = [];
  for (const id of ids) {
    try {
      out.push({ id, ...(await step(id)) });
    } catch (error) {
      logger.error({ err: error, ticketId: id }, 'console bulk action failed on one ticket');
      out.push({ id, result: 'failed', detail: 'failed on our side (logged); try it again' });
    }
  }
  return out;
}

const RESULT_LABELS: Record<BulkOutcome['result'], string> = { done: 'Done', unchanged: 'No change', refused: 'Refused', missing: 'Not found', failed: 'Failed' };

export function bulkRouter(deps: TicketWriteDeps & { logger: Logger }): Router {
  const router = new Router({ sensitive: true });
  router.post('/console/bulk', async (ctx: Context) => {
    const user = (ctx.state as ConsoleState).user!;
    requireRole(user, 'agent');
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const action = field(body, 'action');
    if (!(BULK_ACTIONS as readonly string[]).includes(action ?? '')) throw new HttpError(422, 'Choose an action: assign, snooze or resolve.');
    const ids = parseIds(body.ids);
    const { label, step } = stepFor(deps, user, action as BulkAction, body);
    const outcomes = await runBulk(ids, step, deps.logger);
    const back = backUrl(body.back);
    const changed = outcomes.filter((o) => o.result === 'done').length;
    const problems = outcomes.filter((o) => o.result === 'refused' || o.result === 'missing' || o.result === 'failed').length;
    ctx.body = page({
      title: 'Bulk action',
      user,
      active: 'inbox',
      body: html`<h1>${label}: ${changed} of ${outcomes.length} changed</h1>
        <div class="notice${problems ? ' problem' : ''}" role="status" id="bulk-summary">${changed} changed, ${outcomes.length - changed - problems} already so${problems ? `, ${problems} not changed (see below)` : ''}.</div>
        <table id="bulk-results"><thead><tr><th>Ticket</th><th>Result</th><th>Detail</th></tr></thead><tbody>${outcomes.map((o) =>
          html`<tr data-ticket="${o.id}" data-result="${o.result}"><td><a href="/console/tickets/${o.id}">#${o.id}</a></td><td data-label="Result">${RESULT_LABELS[o.result]}</td><td data-label="Detail">${o.detail}</td></tr>`)}</tbody></table>
        <p><a class="button" href="${back}">Back to the inbox</a></p>`,
    }).value;
  });
  return router;
}
