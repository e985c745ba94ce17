/**
 * The survey page, a door of its own (public: the link's token is the only key): GET (and HEAD, a mail scanner's
 * or a browser's prefetch) shows the question and records nothing; only the page's own form, a POST with a score,
 * records one, through src/ingest/surveys.ts. A token that is malformed or unknown is a 404, as any other path.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { surveyByToken } from '../../db/repositories/surveys.ts';
import type { Database } from '../../db/database.ts';
import { answerSurvey, type ScoreDeps } from '../../ingest/surveys.ts';
import { HttpError } from '../../lib/http-error.ts';
import { closedPage, questionPage, thanksPage } from './page.ts';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function surveyRouter(deps: ScoreDeps & { db: Database }): Router {
  const router = new Router({ prefix: '/survey', sensitive: true });
  const tokenOf = (ctx: Context) => {
    const token = ctx.params.token ?? '';
    if (!TOKEN.test(token)) throw new HttpError(404, 'No such survey.');
    return token;
  };
  const html = (ctx: Context, status: number, body: { value: string }) => {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    // Personal links: never kept by a proxy or the browser's cache.
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body.value;
  };

  router.get('/:token', async (ctx) => {
    const survey = await surveyByToken(deps.db.sql, tokenOf(ctx));
    if (!survey || survey.state === 'pending') throw new HttpError(404, 'No such survey.');
    html(ctx, 200, survey.state === 'sent' ? questionPage(survey.ticket_id, ctx.path) : closedPage());
  });

  router.post('/:token', async (ctx) => {
    const token = tokenOf(ctx);
    const raw = (ctx.request.body as Record<string, unknown> | undefined)?.score;
    const score = typeof raw === 'string' && /^[1-5]$/.test(raw) ? Number(raw) : NaN;
    if (Number.isNaN(score)) throw new HttpError(422, 'Choose a score from 1 to 5.');
    if (!(await surveyByToken(deps.db.sql, token))) throw new HttpError(404, 'No such survey.');
    html(ctx, 200, (await answerSurvey(deps, token, score)) === 'recorded' ? thanksPage() : closedPage());
  });
  return router;
}
