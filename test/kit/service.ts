/**
 * Boots the whole service exactly as production does (createService), on 127.0.0.1 and a free port, with a
 * fresh database: PGlite in memory, or a throwaway PostgreSQL database when TEST_DATABASE_URL is set.
 */
import { loadConfig, type Config } from '../../src/config.ts';
import type { Classifier } from '../../src/domain/classification.ts';
import { createService, type Service } from '../../src/service.ts';
import { createTestDatabase, type Teardown, type TestDatabase } from './database.ts';
import { assertConforms } from './openapi.ts';
import { pgliteImage } from './pglite-image.ts';

export interface TestService {
  baseUrl: string;
  service: Service;
  config: Config;
  /** The PostgreSQL URL when the service runs on PostgreSQL (share it with a second instance). */
  databaseUrl: string | undefined;
  /** Stops the service and drops its own database; runs once however often it is called. */
  stop(): Promise<void>;
}

export interface TestServiceOptions {
  /** 'postgres' forces PostgreSQL even in a PGlite run (several instances on one database need it). */
  database?: 'default' | 'postgres';
  /** Join an existing PostgreSQL database (a second instance) instead of creating one. */
  databaseUrl?: string;
  classifier?: Classifier;
  /** The reply send job's retries (the SMTP outage tests shorten them). */
  replyRetry?: { retryLimit?: number; retryDelay?: number };
  /** The service's logger (a test that reads the whole log output passes one writing to memory). */
  logger?: import('pino').Logger;
  /** Slack's rate budgets run this many ms to a second (100: ten times faster; a Tier 1 reconnect in 6 s). */
  slackPaceMs?: number;
}

export async function startTestService(env: Record<string, string> = {}, options: TestServiceOptions = {}): Promise<TestService> {
  let owned: TestDatabase | undefined;
  let databaseUrl = options.databaseUrl ?? env.DATABASE_URL;
  if (!databaseUrl && (process.env.TEST_DATABASE_URL || options.database === 'postgres')) {
    owned = await createTestDatabase();
    databaseUrl = owned.url;
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    PGLITE_DATA_DIR: 'memory://',
    // Tests fire many requests from one address; the rate-limit tests set their own limits.
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
    // Several services run at once against one PostgreSQL (max_connections 100): production's 20 + 10 each
    // ran it out of connections ("too many clients", then a 503) when five started together.
    DATABASE_POOL_MAX: '8',
    QUEUE_POOL_MAX: '4',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  // On the embedded database the service starts from the suite's migrated image (./pglite-image.ts).
  const image = config.database.url || config.database.pgliteDataDir !== 'memory://' ? undefined : await pgliteImage();
  let service: Service;
  try {
    service = await createService(config, {
      ...(image ? { pgliteImage: image } : {}), classifier: options.classifier, ...(options.logger ? { logger: options.logger } : {}), ...(options.replyRetry ? { replyRetry: options.replyRetry } : {}),
      ...(options.slackPaceMs !== undefined ? { slackPaceMs: options.slackPaceMs } : {}) });
  } catch (error) {
    await owned?.drop();
    throw error;
  }
  const address = await service.start();
  let stopped: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    service,
    config,
    databaseUrl,
    stop() {
      stopped ??= (async () => {
        await service.stop();
        await owned?.drop();
      })();
      return stopped;
    },
  };
}

/** startTestService, stopped when the test ends (t.teardown), also when the test stopped it itself earlier. */
export async function serveForTest(t: Teardown, env: Record<string, string> = {}, options: TestServiceOptions = {}): Promise<TestService> {
  const svc = await startTestService(env, options);
  t.teardown(() => svc.stop());
  return svc;
}

/**
 * JSON over real HTTP. Every response of a route in the OpenAPI document is checked against it (status listed,
 * body valid): a response that drifts from the document fails the test that saw it.
 */
export async function api(baseUrl: string, path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const res = await fetch(`${baseUrl}${path}`, { ...init, headers, body });
  const text = await res.text();
  assertConforms({ method: init.method ?? 'GET', path, status: res.status, contentType: res.headers.get('content-type'), text });
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
