/**
 * Saved replies: the canned answers a reply starts from. Listed for everyone; agents create, edit and delete
 * them with the same repository functions /api/v1/saved-replies uses.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../db/database.ts';
import { createSavedReply, deleteSavedReply, getSavedReply, listSavedReplies, type SavedReply, updateSavedReply } from '../db/repositories/saved-replies.ts';
import { CATEGORIES } from '../domain/categories.ts';
import { checkSavedReply, SAVED_REPLY_MAX, SAVED_REPLY_TITLE_MAX } from '../domain/saved-reply.ts';
import { HttpError } from '../lib/http-error.ts';
import { html, type SafeHtml } from '../lib/html.ts';
import { shown } from './format.ts';
import { page } from './layout.ts';
import { type ConsoleState, type ConsoleUser, requireRole } from './session.ts';

const PATH = '/console/saved-replies';

function form(user: ConsoleUser, reply: Partial<SavedReply> | undefined, problems: string[]): SafeHtml {
  const action = reply?.id ? `${PATH}/${reply.id}` : PATH;
  return html`<section class="card"><h2>${reply?.id ? 'Edit' : 'New saved reply'}</h2>
    ${problems.length ? html`<div class="notice problem" role="alert">${problems.map((p) => html`<div>${p}</div>`)}</div>` : ''}
    <form method="post" action="${action}" class="stack"><input type="hidden" name="_csrf" value="${user.csrfToken}">
      <label>Title<input name="title" maxlength="${SAVED_REPLY_TITLE_MAX}" value="${reply?.title ?? ''}" required></label>
      <label>Text<textarea name="body" maxlength="${SAVED_REPLY_MAX}" required>${reply?.body ?? ''}</textarea></label>
      <div class="row"><label>Category<select name="category"><option value="">any</option>${CATEGORIES.map((c) => html`<option${c === reply?.category ? html` selected` : ''}>${c}</option>`)}</select></label>
      <label>Language<input name="language" size="6" value="${reply?.language ?? ''}" placeholder="any"></label></div>
      <div class="row"><button>Save</button></div>
    </form></section>`;
}

function view(user: ConsoleUser, replies: SavedReply[], editing: Partial<SavedReply> | undefined, problems: string[] = []): SafeHtml {
  const agent = user.role !== 'viewer';
  return page({
    title: 'Saved replies',
    user,
    active: 'saved-replies',
    body: html`<h1>Saved replies</h1>
      <div class="ticket">
        <section>${replies.length === 0
          ? html`<div class="card empty">No saved replies yet.</div>`
          : html`<table><thead><tr><th>Title</th><th>Category</th><th>Language</th>${agent ? html`<th></th>` : ''}</tr></thead><tbody>${replies.map((r) => html`<tr>
              <td class="subject"><strong>${shown(r.title, 200)}</strong><div class="excerpt">${shown(r.body, 200)}</div></td>
              <td data-label="Category">${r.category ?? 'any'}</td><td data-label="Language">${r.language ?? 'any'}</td>
              ${agent ? html`<td><a href="${PATH}/${r.id}">Edit</a>
                <form method="post" action="${PATH}/${r.id}/delete" class="inline"><input type="hidden" name="_csrf" value="${user.csrfToken}"><button class="link">Delete</button></form></td>` : ''}
            </tr>`)}</tbody></table>`}</section>
        <aside>${agent ? form(user, editing, problems) : html`<p class="muted">Adding saved replies needs the agent role.</p>`}</aside>
      </div>`,
  });
}

export function savedRepliesRouter(db: Database): Router {
  const router = new Router({ prefix: PATH, sensitive: true });
  const userOf = (ctx: Context) => (ctx.state as ConsoleState).user!;
  const idOf = (ctx: Context) => {
    if (!/^\d{1,9}$/.test(ctx.params.id ?? '') || Number(ctx.params.id) < 1) throw new HttpError(404, 'No such saved reply.');
    return Number(ctx.params.id);
  };
  const render = async (ctx: Context, editing?: Partial<SavedReply>, problems: string[] = []) => {
    ctx.status = problems.length ? 422 : 200;
    ctx.body = view(userOf(ctx), await listSavedReplies(db.sql), editing, problems).value;
  };

  router.get('/', (ctx) => render(ctx));
  router.get('/:id', async (ctx) => {
    const found = await getSavedReply(db.sql, idOf(ctx));
    if (!found) throw new HttpError(404, 'No such saved reply.');
    await render(ctx, found);
  });
  router.post('/', async (ctx) => {
    requireRole(userOf(ctx), 'agent');
    const checked = checkSavedReply(ctx.request.body as Record<string, unknown>);
    if ('problems' in checked) return render(ctx, ctx.request.body as Partial<SavedReply>, checked.problems);
    await createSavedReply(db.sql, checked.ok);
    ctx.redirect(PATH);
  });
  router.post('/:id', async (ctx) => {
    requireRole(userOf(ctx), 'agent');
    const id = idOf(ctx);
    const checked = checkSavedReply(ctx.request.body as Record<string, unknown>);
    if ('problems' in checked) return render(ctx, { ...(ctx.request.body as Partial<SavedReply>), id }, checked.problems);
    if (!(await updateSavedReply(db.sql, id, checked.ok))) throw new HttpError(404, 'No such saved reply.');
    ctx.redirect(PATH);
  });
  router.post('/:id/delete', async (ctx) => {
    requireRole(userOf(ctx), 'agent');
    if (!(await deleteSavedReply(db.sql, idOf(ctx)))) throw new HttpError(404, 'No such saved reply.');
    ctx.redirect(PATH);
  });
  return router;
}
