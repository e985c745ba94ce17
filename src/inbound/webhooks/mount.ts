import type { Mount } from '../../http/mount.ts';
import type { WebhookRouter } from './router.ts';

/**
 * The webhooks as a mount of the HTTP host: every route is `signed`, each handler verifying its provider's
 * signature on the raw bytes, so no guard and no body parser runs before them.
 */
export function webhookMount(router: WebhookRouter): Mount {
  return { name: 'webhooks', prefix: '/webhooks', routers: [router], accessOf: () => 'signed' };
}
