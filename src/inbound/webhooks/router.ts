/**
 * POST /webhooks/{provider} (WEBHOOK_PROVIDERS in src/domain/categories.ts): read the raw bytes (1 MiB cap), verify
 * them with the provider's secret, interpret, hand the delivery to ingest (durable when it resolves), answer.
 * Every delivery, rejected ones included, goes to ingest, which records its verdict in inbound_events. The app
 * must not run a body parser on /webhooks/*.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../domain/categories.ts';
import type { Delivery, DeliveryContent, DeliveryVerdict } from '../../ingest/delivery.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import { IngestValidationError } from '../../ingest/normalize.ts';
import { type DoorActivity, reasonOfStatus } from '../../lib/door-activity.ts';
import { HttpError, validationError } from '../../lib/http-error.ts';
import { front } from './front.ts';
import { freshdesk } from './freshdesk.ts';
import { generic } from './generic.ts';
import { helpscout } from './helpscout.ts';
import { intercom } from './intercom.ts';
import { readRawBody } from './shared/raw-body.ts';
import type { ProviderModule, WebhookDelivery, WebhookRequest } from './shared/types.ts';
import { zendesk } from './zendesk.ts';

const MODULES = { zendesk, freshdesk, helpscout, intercom, front, generic } satisfies Record<WebhookProvider, ProviderModule>;

/** One module per provider, in the order of WEBHOOK_PROVIDERS (the compiler checks none is missing). */
export const WEBHOOK_PROVIDER_MODULES: readonly ProviderModule[] = WEBHOOK_PROVIDERS.map((name) => MODULES[name]);

export interface WebhookRouterOptions {
  config: Config['webhooks'];
  ingest: Pick<Ingest, 'deliver'>;
  logger: Logger;
  /** The clock for timestamp windows (tests move it). */
  now?: () => Date;
  /** Records each enabled door's accepted / rejected deliveries (/health doors, /metrics). */
  doors?: DoorActivity;
}

/** A webhook provider's door name in /health `doors` and the metrics' `door` label. */
export const webhookDoor = (provider: string) => `webhook:${provider}`;

export function createWebhookRouter(options: WebhookRouterOptions): Router {
  const { config, ingest, logger } = options;
  const now = options.now ?? (() => new Date());
  const router = new Router({ sensitive: true });

  /** A delivery's content: a creation is keyed by the provider's ticket id; an update lives on its thread. */
  const contentOf = (provider: ProviderModule, d: Exclude<WebhookDelivery, { kind: 'ignored' }>): DeliveryContent => {
    const message = { ...d.message, metadata: { ...d.message.metadata, delivery_id: d.deliveryId }, source: provider.name };
    return { message: d.kind === 'ticket' ? { ...message, externalId: d.ticketId } : message };
  };

  const handle = (provider: ProviderModule) => async (ctx: Context) => {
    const secret = config[provider.name];
    if (!secret) throw new HttpError(404, `The ${provider.name} webhook is not enabled on this server`);
    if (ctx.method !== 'POST') {
      if (provider.extraMethods?.includes(ctx.method)) {
        ctx.status = 200;
        return;
      }
      throw new HttpError(405, `Method ${ctx.method} not allowed`, {}, { Allow: ['POST', ...(provider.extraMethods ?? [])].join(', ') });
    }

    let raw: Buffer | null = null;
    let verified = false;
    let deliveryId: string | null = null;
    let eventType: string | null = null;
    let threadKey: string | undefined;
    const delivery = (content: DeliveryContent, metadata: Record<string, unknown> = {}): Delivery => ({
      door: provider.name,
      deliveryId,
      ...(threadKey ? { threadKey } : {}),
      payload: raw ? { raw, verified } : null,
      metadata: { event_type: eventType, content_type: ctx.get('content-type') || null, ...metadata },
      content,
    });

    try {
      raw = await readRawBody(ctx.req);
      const req: WebhookRequest = { headers: ctx.req.headers, raw, now: now() };
      provider.verify(req, secret);
      verified = true;
      const meaning = provider.interpret(req);
      if ('handshake' in meaning) {
        await ingest.deliver(delivery({ ignored: 'handshake' }));
        ctx.status = meaning.handshake.status;
        ctx.set(meaning.handshake.headers ?? {});
        ctx.body = meaning.handshake.body;
        return;
      }
      deliveryId = meaning.deliveryId;
      eventType = meaning.eventType;
      if (meaning.kind === 'update') threadKey = meaning.ticketId;
      const outcome: DeliveryVerdict = await ingest.deliver(delivery(meaning.kind === 'ignored' ? { ignored: meaning.reason } : contentOf(provider, meaning)));
      logger.debug({ provider: provider.name, deliveryId, verdict: outcome.verdict, ticketId: outcome.ticketId }, 'webhook delivery');
      options.doors?.accepted(webhookDoor(provider.name));
      ctx.status = 200;
      ctx.body = { status: outcome.verdict, ticket_id: outcome.ticketId, ...(outcome.verdict === 'ignored' || outcome.verdict === 'suppressed' ? { reason: outcome.reason } : {}) };
    } catch (err) {
      const rejection =
        err instanceof HttpError ? err
        : err instanceof IngestValidationError ? validationError([{ field: err.field, message: err.message, type: 'value_error' }], 'Message cannot be stored')
        : null;
      if (!rejection) {
        await ingest.deliver(delivery({ failed: err instanceof Error ? err.message : String(err) }));
        throw err;
      }
      // Ingest recorded its own refusal; the door records what it refused before handing anything in.
      if (!(err instanceof IngestValidationError)) {
        await ingest.deliver(delivery({ rejected: rejection.detail }, { status: rejection.status, ...(raw ? {} : { size: rejection.extra.size ?? null }) }));
      }
      logger.info({ provider: provider.name, status: rejection.status, reason: rejection.detail }, 'webhook rejected');
      options.doors?.rejected(webhookDoor(provider.name), reasonOfStatus(rejection.status), rejection.detail);
      throw rejection;
    }
  };

  for (const provider of WEBHOOK_PROVIDER_MODULES) {
    if (config[provider.name]) options.doors?.declare(webhookDoor(provider.name));
    router.all(`/webhooks/${provider.name}{/}`, handle(provider));
  }
  return router;
}
