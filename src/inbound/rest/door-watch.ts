/**
 * The REST door's activity (/health `doors.rest`, /metrics): every answer to POST /api/v1/requests, the one
 * intake route, counts as accepted (2xx) or rejected (4xx, with its reason). A 5xx is our failure, not the
 * door refusing: neither. Sits outside the error boundary, so it sees the status and detail actually sent.
 */
import type { Context, Next } from 'koa';
import { type DoorActivity, reasonOfStatus } from '../../lib/door-activity.ts';

export const REST_DOOR = 'rest';
const INTAKE_PATH = '/api/v1/requests';

export function restDoorWatch(doors: DoorActivity) {
  doors.declare(REST_DOOR);
  return async (ctx: Context, next: Next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== INTAKE_PATH) return;
    if (ctx.status >= 200 && ctx.status < 300) doors.accepted(REST_DOOR);
    else if (ctx.status >= 400 && ctx.status < 500) {
      const detail = (ctx.body as { detail?: unknown } | undefined)?.detail;
      doors.rejected(REST_DOOR, reasonOfStatus(ctx.status), typeof detail === 'string' ? detail : `HTTP ${ctx.status}`);
    }
  };
}
