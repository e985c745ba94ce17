/**
 * Shared setup for the ops incident tests: the real service wired to a fake Slack with an ops channel, short
 * thresholds (seconds), and webhook deliveries to the generic door signed with the right or a wrong secret.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeMessage, type FakeSlack, startFakeSlack } from '../kit/fake-slack.ts';
import { createTestDatabase } from '../kit/database.ts';
import { startTestService, type TestService, type TestServiceOptions } from '../kit/service.ts';
import { scriptedClassifier } from '../slack/harness.ts';
import { sign, SLACK_SIGNING_SECRET as SIGNING_SECRET } from '../kit/signing.ts';
import { genericBody } from '../webhooks/fixtures.ts';

export const OPS_CHANNEL = 'COPS00001';
export const INCIDENT_EVENT = 'support_ops_incident';

export const OPS_ENV = {
  SLACK_CHANNEL_OPS: OPS_CHANNEL,
  GENERIC_WEBHOOK_SECRET: 'generic-secret',
  OPS_CHECK_INTERVAL_SECONDS: '1',
  OPS_WEBHOOK_REJECTING_SECONDS: '2',
  OPS_MAILBOX_LOGIN_FAILING_SECONDS: '1',
  OPS_MAILBOX_NOT_READ_SECONDS: '600',
} as const;

/** A fake Slack and the service posting incidents to it, both stopped after the test. */
export async function opsRig(t: { teardown(fn: () => Promise<void>): void }): Promise<{ fake: FakeSlack; svc: TestService }> {
  const fake = await startFakeSlack();
  const svc = await startOpsService(fake);
  t.teardown(async () => {
    await svc.stop();
    await fake.close();
  });
  return { fake, svc };
}

export async function startOpsService(fake: FakeSlack, env: Record<string, string> = {}, options: TestServiceOptions = {}): Promise<TestService> {
  return startTestService(
    { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, ...OPS_ENV, ...env },
    { classifier: scriptedClassifier(), ...options },
  );
}

/**
 * A database that outlives a service instance (a restart): a throwaway PostgreSQL database when the run is
 * on PostgreSQL (or `postgres` is asked), else an embedded one in a temporary directory.
 */
export async function durableDatabase(postgres = false): Promise<{ env: Record<string, string>; options: TestServiceOptions; drop(): Promise<void> }> {
  if (process.env.TEST_DATABASE_URL || postgres) {
    const db = await createTestDatabase();
    return { env: {}, options: { databaseUrl: db.url }, drop: () => db.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ops-incidents-'));
  return { env: { PGLITE_DATA_DIR: join(dir, 'pglite') }, options: {}, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

let seq = 0;
/** POSTs a generic delivery signed with `secret` (the configured one is accepted, another one gets 401). */
export async function deliver(svc: TestService, secret: string): Promise<number> {
  const body = JSON.stringify(genericBody({ id: `ops-${Date.now().toString(36)}-${seq++}` }));
  const res = await fetch(`${svc.baseUrl}/webhooks/generic`, { method: 'POST', headers: sign.generic(body, new Date(), secret), body });
  await res.arrayBuffer();
  return res.status;
}

/** Sends wrongly signed deliveries every `everyMs` until stopped. */
export function rejectRepeatedly(targets: TestService[], everyMs = 250): { stop(): Promise<number[]> } {
  const statuses: number[] = [];
  let stopped = false;
  let i = 0;
  const loop = (async () => {
    while (!stopped) {
      statuses.push(await deliver(targets[i++ % targets.length]!, 'rotated-away-secret'));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return statuses;
    },
  };
}

export const incidentMessages = (fake: FakeSlack): FakeMessage[] =>
  fake.channelMessages(OPS_CHANNEL).filter((m) => m.metadata?.event_type === INCIDENT_EVENT);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function incidentRows(svc: TestService): Promise<{ id: number; key: string; resolved_at: Date | null; resolution_posted_at: Date | null }[]> {
  return svc.service.db.sql.query('select id, key, resolved_at, resolution_posted_at from ops_incidents order by id');
}
