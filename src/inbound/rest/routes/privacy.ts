/**
 * /api/v1/privacy (admin): a dry run of erasing a person, the erasure itself (anonymise or delete), the
 * erasure records, and export of everything held on a person. The subject travels in the body, never in the
 * URL (URLs end up in access logs).
 */
import Router from '@koa/router';
import { listErasures, type ErasureRow } from '../../../db/repositories/erasures.ts';
import { validationError } from '../../../lib/http-error.ts';
import { dryRun, erase, exportPerson, InvalidSubjectError, parseSubject, type PrivacyDeps, type Subject } from '../../../privacy/erase.ts';
import { requireAdmin } from '../access.ts';
import { erasureBody, subjectBody } from '../privacy-schemas.ts';
import { parseOr422 } from '../validate.ts';

const recordJson = (e: ErasureRow) => ({
  id: e.id,
  requested_by: e.requestedBy,
  mode: e.mode,
  subject_kind: e.subjectKind,
  state: e.state,
  counts: e.counts,
  created_at: e.createdAt.toISOString(),
  finished_at: e.finishedAt?.toISOString() ?? null,
});

function subjectOf(body: { kind: string; value: string }): Subject {
  try {
    return parseSubject(body.kind, body.value);
  } catch (error) {
    if (error instanceof InvalidSubjectError) throw validationError([{ field: 'value', message: error.message, type: 'invalid' }]);
    throw error;
  }
}

export function privacyRouter(deps: { privacy: PrivacyDeps }): Router {
  const router = new Router({ prefix: '/api/v1/privacy', sensitive: true });
  router.use(async (ctx, next) => {
    requireAdmin(ctx);
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.post('/dry-run', async (ctx) => {
    ctx.body = await dryRun(deps.privacy, subjectOf(parseOr422(subjectBody, ctx.request.body)));
  });

  router.post('/erasures', async (ctx) => {
    const body = parseOr422(erasureBody, ctx.request.body);
    const outcome = await erase(deps.privacy, subjectOf(body), body.mode, ctx.state.actor ?? 'api');
    ctx.status = 201;
    ctx.body = outcome;
  });

  router.get('/erasures', async (ctx) => {
    ctx.body = { items: (await listErasures(deps.privacy.db.sql)).map(recordJson) };
  });

  router.post('/export', async (ctx) => {
    ctx.body = await exportPerson(deps.privacy, subjectOf(parseOr422(subjectBody, ctx.request.body)));
  });

  return router;
}
