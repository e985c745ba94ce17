import type { Mount } from '../../http/mount.ts';
import type Router from '@koa/router';

/**
 * The webhooks as a mount of the HTTP host: every route is `signed`, each handler verifying its provider's
 * signature on the raw bytes, so no guard and no body parser runs before them.
 */
export function webhookMount(router: Router): Mount {
  return { name: 'webhooks', prefix: '/webhooks', routers: [router], accessOf: () => 'signed' };
}
