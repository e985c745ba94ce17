/** /api/v1/saved-replies: the canned answers a reply draft starts from (src/outbound/drafts.ts). */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../../../db/database.ts';
import {
  createSavedReply,
  deleteSavedReply,
  getSavedReply,
  listSavedReplies,
  type SavedReply,
  type SavedReplyInput,
  updateSavedReply,
} from '../../../db/repositories/saved-replies.ts';
import { HttpError } from '../../../lib/http-error.ts';
import { savedRepliesQuery, savedReplyBody, ticketId } from '../schemas.ts';
import { parseOr422 } from '../validate.ts';

export const savedReplyJson = (r: SavedReply) => ({
  id: r.id,
  title: r.title,
  body: r.body,
  category: r.category,
  language: r.language,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

function inputOf(ctx: Context): SavedReplyInput {
  const b = parseOr422(savedReplyBody, ctx.request.body);
  return { title: b.title, body: b.body, category: b.category ?? null, language: b.language ?? null };
}

export function savedRepliesRouter(deps: { db: Database }): Router {
  const { db } = deps;
  const router = new Router({ prefix: '/api/v1/saved-replies', sensitive: true });
  const idOf = (ctx: Context) => parseOr422(ticketId, ctx.params.id, 'id');
  const notFound = (id: number) => new HttpError(404, `Saved reply ${id} not found`);

  router.get('/', async (ctx) => {
    const q = parseOr422(savedRepliesQuery, ctx.query);
    ctx.body = { items: (await listSavedReplies(db.sql, q)).map(savedReplyJson) };
  });

  router.post('/', async (ctx) => {
    const created = await createSavedReply(db.sql, inputOf(ctx));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/saved-replies/${created.id}`);
    ctx.body = savedReplyJson(created);
  });

  router.get('/:id', async (ctx) => {
    const id = idOf(ctx);
    const found = await getSavedReply(db.sql, id);
    if (!found) throw notFound(id);
    ctx.body = savedReplyJson(found);
  });

  router.put('/:id', async (ctx) => {
    const id = idOf(ctx);
    const updated = await updateSavedReply(db.sql, id, inputOf(ctx));
    if (!updated) throw notFound(id);
    ctx.body = savedReplyJson(updated);
  });

  router.delete('/:id', async (ctx) => {
    const id = idOf(ctx);
    if (!(await deleteSavedReply(db.sql, id))) throw notFound(id);
    ctx.status = 204;
  });

  return router;
}
