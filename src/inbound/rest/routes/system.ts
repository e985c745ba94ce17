/** The service's own surface: identity, health, metrics, statistics. */
import Router from '@koa/router';
import type { Database } from '../../../db/database.ts';
import { getStats } from '../../../db/repositories/stats.ts';
import type { HealthRegistry } from '../../../lib/health.ts';
import type { Metrics } from '../../../lib/metrics.ts';
import { statsQuery } from '../schemas.ts';
import { parseOr422 } from '../validate.ts';

export interface SystemDeps {
  db: Database;
  health: HealthRegistry;
  metrics: Metrics;
  app: { name: string; version: string; environment: string };
  /** Each door's last accepted / rejected (with why), shown as /health `doors`. */
  doors?: () => Record<string, unknown>;
  /** Refreshes gauges (queue backlog) right before a scrape. */
  beforeScrape?: () => Promise<void>;
}

export function systemRouter(deps: SystemDeps): Router {
  const router = new Router({ sensitive: true });

  router.get('/', (ctx) => {
    ctx.body = { status: 'healthy', app: deps.app.name, version: deps.app.version, environment: deps.app.environment };
  });

  router.get('/health', async (ctx) => {
    const report = await deps.health.check();
    ctx.status = report.status === 'unhealthy' ? 503 : 200;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = deps.doors ? { ...report, doors: deps.doors() } : report;
  });

  router.get('/metrics', async (ctx) => {
    await deps.beforeScrape?.().catch(() => undefined);
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });

  router.get('/api/v1/stats', async (ctx) => {
    const q = parseOr422(statsQuery, ctx.query);
    ctx.body = await getStats(deps.db.sql, { days: q.days, category: q.category });
  });

  return router;
}
