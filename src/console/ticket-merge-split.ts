/**
 * The ticket page's Merge, Undo merge and Split (src/ingest/merges.ts and splits.ts have the rules, as for REST
 * and the card). Merging asks for the other ticket's number; two different customers need the box ticked.
 * Splitting takes the ticked follow-ups. The refusals say what to do.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { mergeTickets, undoMerge } from '../ingest/merges.ts';
import { type SplitDeps, splitTicket } from '../ingest/splits.ts';
import { HttpError } from '../lib/http-error.ts';
import type { ConsoleUser } from './session.ts';

interface MergeRouteDeps {
  deps: SplitDeps;
  idOf: (ctx: Context) => number;
  agentOf: (ctx: Context) => ConsoleUser;
  actorOf: (user: ConsoleUser) => string;
  missing: (id: number) => HttpError;
}

export function mergeSplitActions(router: Router, r: MergeRouteDeps): void {
  router.post('/:id/merge', async (ctx) => {
    const user = r.agentOf(ctx);
    const id = r.idOf(ctx);
    const body = ctx.request.body as Record<string, unknown> | undefined;
    const typed = typeof body?.into === 'string' ? body.into.trim().replace(/^#/, '') : '';
    if (!/^\d{1,9}$/.test(typed) || Number(typed) < 1) throw new HttpError(422, 'Name the ticket to merge into by its number, such as 123.');
    const out = await mergeTickets(r.deps, { sourceId: id, targetId: Number(typed), actor: r.actorOf(user), acrossCustomers: body?.across === '1' });
    if ('refused' in out) {
      if (out.refused === 'not_found') throw out.id === id ? r.missing(id) : new HttpError(422, `Ticket #${out.id} does not exist (or was deleted).`);
      if (out.refused === 'other_customer') throw new HttpError(409, 'The tickets are from different customers: tick "different customers" to merge them anyway.');
      throw new HttpError(out.refused === 'same' ? 422 : 409, `Not merged: ${out.message.replace(/Request (\d+)/g, 'ticket #$1')}.`);
    }
    ctx.redirect(`/console/tickets/${out.targetId}?done=merged`);
  });

  router.post('/:id/unmerge', async (ctx) => {
    const user = r.agentOf(ctx);
    const id = r.idOf(ctx);
    const out = await undoMerge(r.deps, id, r.actorOf(user));
    if (!out.undone) throw new HttpError(409, `Ticket #${id} is not merged into another (the merge was undone already, or it never was).`);
    ctx.redirect(`/console/tickets/${id}?done=unmerged`);
  });

  router.post('/:id/split', async (ctx) => {
    const user = r.agentOf(ctx);
    const id = r.idOf(ctx);
    const raw = (ctx.request.body as Record<string, unknown> | undefined)?.message;
    const picked = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    if (!picked.length || picked.length > 100 || !picked.every((v) => /^\d{1,9}$/.test(v) && Number(v) > 0)) throw new HttpError(422, 'Tick the follow-ups to split out (1 to 100).');
    const out = await splitTicket(r.deps, { ticketId: id, messageIds: picked.map(Number), actor: r.actorOf(user) });
    if ('refused' in out) {
      if (out.refused === 'not_found') throw r.missing(id);
      if (out.refused === 'in_merge') throw new HttpError(409, `Not split: ${out.message}.`);
      throw new HttpError(422, 'Not split: a ticked message is no longer a follow-up of this ticket (reload the page).');
    }
    ctx.redirect(`/console/tickets/${out.ticketId}?done=split`);
  });
}
