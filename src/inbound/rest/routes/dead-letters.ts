/** /api/v1/dead-letters: what exhausted its retries, and replaying it once the cause is fixed. */
import Router from '@koa/router';
import type { DeadLetter, DeadLetters } from '../../../db/repositories/dead-letters.ts';
import { UnknownQueueError } from '../../../db/repositories/dead-letters.ts';
import { HttpError } from '../../../lib/http-error.ts';
import { deadLettersQuery, replayDeadLettersBody } from '../schemas.ts';
import { parseOr422 } from '../validate.ts';

const view = (d: DeadLetter) => ({ id: d.id, queue: d.queue, data: d.data, error: d.error, dead_since: d.deadSince.toISOString() });

/** An unknown queue is a 404 naming the ones that exist. */
async function known<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UnknownQueueError) throw new HttpError(404, error.message, { queues: error.known });
    throw error;
  }
}

export function deadLettersRouter(deps: { deadLetters: DeadLetters }): Router {
  const router = new Router({ prefix: '/api/v1/dead-letters', sensitive: true });

  router.get('/', async (ctx) => {
    const q = parseOr422(deadLettersQuery, ctx.query);
    const items = await known(() => deps.deadLetters.list(q.queue));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { items: items.map(view), counts: await deps.deadLetters.counts() };
  });

  router.post('/replay', async (ctx) => {
    const body = parseOr422(replayDeadLettersBody, ctx.request.body);
    const moved = await known(() => deps.deadLetters.replay({ ...(body.queue ? { queue: body.queue } : {}), ...(body.ids ? { ids: body.ids } : {}) }));
    ctx.body = { replayed: moved.length, items: moved.map(view) };
  });

  return router;
}
