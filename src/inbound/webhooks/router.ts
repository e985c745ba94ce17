/**
 * POST /webhooks/{provider} (WEBHOOK_PROVIDERS in src/domain/categories.ts): read the raw bytes (1 MiB cap), verify
 * them with the provider's secret, interpret, ingest (durable when it resolves), answer. Every delivery,
 * rejected ones included, is written to inbound_events. The app must not run a body parser on /webhooks/*.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../domain/categories.ts';
import type { InboundMessage } from '../../domain/inbound-message.ts';
import { type Ingest, IngestValidationError } from '../../ingest/ingest.ts';
import { textProblem } from '../../ingest/normalize.ts';
import { type DoorActivity, reasonOfStatus } from '../../lib/door-activity.ts';
import { HttpError, validationError } from '../../lib/http-error.ts';
import { front } from './front.ts';
import { freshdesk } from './freshdesk.ts';
import { generic } from './generic.ts';
import { helpscout } from './helpscout.ts';
import { intercom } from './intercom.ts';
import { type AuditVerdict, createDeliveryAudit } from './shared/audit.ts';
import { findStoredDelivery, findTicketByExternalId } from './shared/dedupe.ts';
import { readRawBody } from './shared/raw-body.ts';
import type { ProviderModule, WebhookDelivery, WebhookRequest } from './shared/types.ts';
import { zendesk } from './zendesk.ts';

const MODULES = { zendesk, freshdesk, helpscout, intercom, front, generic } satisfies Record<WebhookProvider, ProviderModule>;

/** One module per provider, in the order of WEBHOOK_PROVIDERS (the compiler checks none is missing). */
export const WEBHOOK_PROVIDER_MODULES: readonly ProviderModule[] = WEBHOOK_PROVIDERS.map((name) => MODULES[name]);

export interface WebhookRouterOptions {
  config: Config['webhooks'];
  ingest: Ingest;
  db: Pick<Database, 'sql' | 'kind'>;
  logger: Logger;
  /** The clock for timestamp windows (tests move it). */
  now?: () => Date;
  /** Records each enabled door's accepted / rejected deliveries (/health doors, /metrics). */
  doors?: DoorActivity;
}

/** A webhook provider's door name in /health `doors` and the metrics' `door` label. */
export const webhookDoor = (provider: string) => `webhook:${provider}`;

type Outcome = { verdict: AuditVerdict; ticketId: number | null; reason?: string };

/** The router, plus `drain()`: resolves when every audit row handed in so far is written (call before closing the db). */
export type WebhookRouter = Router & { drain(): Promise<void> };

export function createWebhookRouter(options: WebhookRouterOptions): WebhookRouter {
  const { config, ingest, db, logger } = options;
  const now = options.now ?? (() => new Date());
  const router = new Router({ sensitive: true });
  // PGlite is one connection; on PostgreSQL two audit groups may be written at once.
  const audit = createDeliveryAudit(db.sql, logger, { maxInFlight: db.kind === 'pglite' ? 1 : 2 });

  /** Decides follow-up vs new ticket for `update` deliveries, then ingests. */
  const deliver = async (provider: ProviderModule, d: Exclude<WebhookDelivery, { kind: 'ignored' }>): Promise<Outcome> => {
    requireStorableIds(d);
    const source = provider.name;
    const metadata = { ...d.message.metadata, delivery_id: d.deliveryId };
    let msg: InboundMessage = { ...d.message, metadata, source, externalId: d.ticketId };
    const asFollowup: InboundMessage = { ...msg, externalId: d.deliveryId, thread: { externalTicketId: d.ticketId } };
    if (d.kind === 'update') {
      const earlier = await findStoredDelivery(db.sql, source, d.deliveryId);
      if (earlier !== undefined) return { verdict: 'duplicate', ticketId: earlier };
      if ((await findTicketByExternalId(db.sql, source, d.ticketId)) !== undefined) msg = asFollowup;
    }
    let result = await ingest(msg);
    // Two updates of a new ticket raced: the other one opened it, so this one is its follow-up.
    if (d.kind === 'update' && msg !== asFollowup && result.outcome === 'duplicate' && (await findTicketByExternalId(db.sql, source, d.ticketId)) !== undefined) {
      result = await ingest(asFollowup);
    }
    return { verdict: result.outcome === 'created' ? 'accepted' : result.outcome, ticketId: result.ticketId };
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
    const record = (verdict: AuditVerdict, extra: { reason?: string; ticketId?: number | null; metadata?: Record<string, unknown> }) =>
      audit.record({
        source: provider.name,
        deliveryId,
        verdict,
        reason: extra.reason ?? null,
        ticketId: extra.ticketId ?? null,
        raw,
        verified,
        metadata: { event_type: eventType, content_type: ctx.get('content-type') || null, ...extra.metadata },
      });

    try {
      raw = await readRawBody(ctx.req);
      const req: WebhookRequest = { headers: ctx.req.headers, raw, now: now() };
      provider.verify(req, secret);
      verified = true;
      const meaning = provider.interpret(req);
      if ('handshake' in meaning) {
        await record('ignored', { reason: 'handshake' });
        ctx.status = meaning.handshake.status;
        ctx.set(meaning.handshake.headers ?? {});
        ctx.body = meaning.handshake.body;
        return;
      }
      deliveryId = meaning.deliveryId;
      eventType = meaning.eventType;
      const outcome: Outcome =
        meaning.kind === 'ignored' ? { verdict: 'ignored', ticketId: null, reason: meaning.reason } : await deliver(provider, meaning);
      // A creation's row is not awaited: the ticket is durable already (and dedupes on the ticket id), and a
      // second commit on the answer's path would double its latency; rows are group-written right after and
      // drain() flushes them at shutdown. An update's row is awaited: the next copy's dedupe reads it.
      const written = record(outcome.verdict, { reason: outcome.reason, ticketId: outcome.ticketId });
      if (meaning.kind === 'update') await written;
      logger.debug({ provider: provider.name, deliveryId, verdict: outcome.verdict, ticketId: outcome.ticketId }, 'webhook delivery');
      options.doors?.accepted(webhookDoor(provider.name));
      ctx.status = 200;
      ctx.body = { status: outcome.verdict, ticket_id: outcome.ticketId, ...(outcome.reason ? { reason: outcome.reason } : {}) };
    } catch (err) {
      const rejection =
        err instanceof HttpError ? err
        : err instanceof IngestValidationError ? validationError([{ field: err.field, message: err.message, type: 'value_error' }], 'Message cannot be stored')
        : null;
      if (!rejection) {
        await record('failed', { reason: err instanceof Error ? err.message : String(err) });
        throw err;
      }
      await record('rejected', { reason: rejection.detail, metadata: { status: rejection.status, ...(raw ? {} : { size: rejection.extra.size ?? null }) } });
      logger.info({ provider: provider.name, status: rejection.status, reason: rejection.detail }, 'webhook rejected');
      options.doors?.rejected(webhookDoor(provider.name), reasonOfStatus(rejection.status), rejection.detail);
      throw rejection;
    }
  };

  for (const provider of WEBHOOK_PROVIDER_MODULES) {
    if (config[provider.name]) options.doors?.declare(webhookDoor(provider.name));
    router.all(`/webhooks/${provider.name}{/}`, handle(provider));
  }
  return Object.assign(router, { drain: () => audit.drain() });
}

/**
 * The ids are dedupe keys, looked up before ingest: one PostgreSQL cannot store (NUL, lone surrogate) is a
 * permanent 422, not a 500 the provider would retry forever. Providers' own schemas refuse most of them.
 */
function requireStorableIds(d: { ticketId: string; deliveryId: string }): void {
  const errors = [
    ['ticket_id', textProblem(d.ticketId)],
    ['delivery_id', textProblem(d.deliveryId)],
  ].flatMap(([field, problem]) => (problem ? [{ field: field!, message: problem, type: 'value_error' }] : []));
  if (errors.length) throw validationError(errors, 'Message cannot be stored');
}
