/**
 * The REST API as a mount of the HTTP host (src/http/): its routers, its access rules (API keys, the
 * metrics token, rate limits, JSON bodies: access.ts) and the REST door's activity watch.
 */
import type Router from '@koa/router';
import type { Config } from '../../config.ts';
import type { Mount } from '../../http/mount.ts';
import type { DoorActivity } from '../../lib/door-activity.ts';
import { accessGuard, accessOfTemplate } from './access.ts';
import { restDoorWatch } from './door-watch.ts';
import { jsonBody } from './json-body.ts';
import type { RateLimits } from './rate-limit.ts';

export interface RestMountParts {
  /** Every router must be created with `sensitive: true`. */
  routers: Router[];
  api: Config['api'];
  metricsToken: string | undefined;
  limits: RateLimits;
  /** Records the REST door's accepted / rejected requests (/health doors, /metrics). */
  doors?: DoorActivity;
}

export function restMount(parts: RestMountParts): Mount {
  return {
    name: 'rest',
    routers: parts.routers,
    accessOf: accessOfTemplate,
    guard: accessGuard({ routers: parts.routers, api: parts.api, metricsToken: parts.metricsToken, limits: parts.limits, apiBody: jsonBody() }),
    ...(parts.doors ? { observe: restDoorWatch(parts.doors) } : {}),
  };
}
