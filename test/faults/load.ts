/**
 * Mixed load for the fault tests and bench/faults.ts: REST creations with an Idempotency-Key and signed
 * generic webhook deliveries, each retried as real clients retry (connection error or 5xx: wait, honour
 * Retry-After up to a cap, send the SAME request again, same key / same delivery id) until acknowledged.
 * Also the checks that follow a fault: every acknowledged ticket stored once, classified, alerted once.
 */
import pg from 'pg';
import type { ExecutionContext } from 'ava';
import { createTestDatabase, type TestDatabase } from '../kit/database.ts';
import { startFakeSlack, type FakeSlack } from '../kit/fake-slack.ts';
import { serviceGroup, type spawnService } from '../kit/process.ts';
import { sign, SECRETS } from '../kit/signing.ts';

export const GENERIC_SECRET = SECRETS.GENERIC_WEBHOOK_SECRET;

/** The environment of a service under fault tests: Slack (fake), every category routed, the generic webhook on. */
/** A fake Slack and a fresh PostgreSQL database for one fault test, torn down (services killed first) after it. */
export async function faultRig(t: ExecutionContext): Promise<{ slack: FakeSlack; db: TestDatabase; env: Record<string, string>; spawn: typeof spawnService }> {
  const slack = await startFakeSlack();
  const db = await createTestDatabase();
  const services = serviceGroup();
  t.teardown(async () => {
    await services.kill();
    await slack.close();
    await db.drop();
  });
  return { slack, db, env: faultEnv(slack, db.url), spawn: services.spawn };
}

export function faultEnv(slack: FakeSlack, databaseUrl: string | undefined): Record<string, string> {
  return {
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    GENERIC_WEBHOOK_SECRET: GENERIC_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-fault-test',
    SLACK_SIGNING_SECRET: 'fault-test-signing-secret',
    SLACK_API_URL: slack.apiUrl,
    SLACK_CHANNEL_TECHNICAL: 'CTECH',
    SLACK_CHANNEL_BILLING: 'CBILL',
    SLACK_CHANNEL_GENERAL: 'CGEN',
    SLACK_CHANNEL_TRIAGE: 'CTRIAGE',
  };
}

export interface Acknowledged {
  kind: 'rest' | 'webhook';
  /** Idempotency-Key or delivery id: what makes a retry the same request. */
  key: string;
  ticketId: number;
  ackedAt: number;
}

export interface Answer {
  status: number | 'network';
  ms: number;
  retryAfter: string | null;
  detail: string | undefined;
  at: number;
}

export interface LoadOptions {
  /** The instances to spread requests over (a client fails over to the next on a connection error). */
  targets: string[];
  /** Clients sending at once; each waits `pauseMs` between its tickets. */
  clients: number;
  pauseMs: number;
  /** Prefix for keys and texts, unique per run. */
  tag: string;
  /** Bound for every single HTTP attempt (a hung request counts as a failure and is retried). */
  attemptTimeoutMs?: number;
}

export interface Load {
  acknowledged: Acknowledged[];
  answers: Answer[];
  /** Stops starting new tickets; resolves when every started one is acknowledged or `giveUpMs` passed. */
  stop(giveUpMs?: number): Promise<{ acknowledged: Acknowledged[]; unacknowledged: string[] }>;
}

const TOPICS = [
  'The invoice for March charged my card twice, please refund the duplicate payment',
  'The app crashes with error 500 when I upload a file larger than 10 MB',
  'How do I change the e-mail address on my account settings page?',
  'Our API integration returns 401 since this morning although the token is valid',
  'I want to cancel my subscription and get a refund for the unused months',
];

export function startLoad(opts: LoadOptions): Load {
  const acknowledged: Acknowledged[] = [];
  const answers: Answer[] = [];
  const pending = new Set<string>();
  let stopping = false;
  let giveUpAt = Infinity;
  let seq = 0;
  const timeout = opts.attemptTimeoutMs ?? 10_000;

  const attempt = async (target: string, kind: 'rest' | 'webhook', key: string, text: string): Promise<{ done: boolean; ticketId?: number; waitMs: number }> => {
    const started = Date.now();
    try {
      let res: Response;
      if (kind === 'rest') {
        res = await fetch(`${target}/api/v1/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ text, requester_email: 'load@example.com' }),
          signal: AbortSignal.timeout(timeout),
        });
      } else {
        // A provider re-signs each retry (fresh timestamp) but sends the same delivery.
        const body = JSON.stringify({ id: key, subject: text.slice(0, 60), body: text, requester_email: 'hook@example.com', requester_name: 'Hook Load' });
        res = await fetch(`${target}/webhooks/generic`, { method: 'POST', headers: sign.generic(body), body, signal: AbortSignal.timeout(timeout) });
      }
      const json = (await res.json().catch(() => undefined)) as { id?: number; ticket_id?: number; detail?: string } | undefined;
      answers.push({ status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after'), detail: json?.detail, at: started });
      if (res.status >= 200 && res.status < 300) return { done: true, ticketId: json?.id ?? json?.ticket_id ?? -1, waitMs: 0 };
      if (res.status < 500) throw new Error(`${kind} ${key}: answered ${res.status} ${JSON.stringify(json)}`);
      const retryAfter = Number(res.headers.get('retry-after'));
      return { done: false, waitMs: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 1_000) : 500 };
    } catch (error) {
      if (error instanceof Error && / answered 4\d\d /.test(error.message)) throw error;
      answers.push({ status: 'network', ms: Date.now() - started, retryAfter: null, detail: String(error), at: started });
      return { done: false, waitMs: 300 };
    }
  };

  const oneTicket = async (client: number): Promise<void> => {
    seq += 1;
    const kind = seq % 2 === 0 ? 'rest' : 'webhook';
    const key = `${opts.tag}-${kind}-${seq}`;
    const text = `${TOPICS[seq % TOPICS.length]} (ref ${key})`;
    pending.add(key);
    for (let i = client; Date.now() < giveUpAt; i += 1) {
      const r = await attempt(opts.targets[i % opts.targets.length]!, kind, key, text);
      if (r.done) {
        acknowledged.push({ kind, key, ticketId: r.ticketId!, ackedAt: Date.now() });
        pending.delete(key);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, r.waitMs));
    }
  };

  const clients = Array.from({ length: opts.clients }, async (_, client) => {
    while (!stopping) {
      await oneTicket(client);
      await new Promise((resolve) => setTimeout(resolve, opts.pauseMs));
    }
  });

  return {
    acknowledged,
    answers,
    async stop(giveUpMs = 60_000) {
      stopping = true;
      giveUpAt = Date.now() + giveUpMs;
      await Promise.all(clients);
      return { acknowledged, unacknowledged: [...pending] };
    },
  };
}

export interface Delivery {
  /** Acknowledged tickets missing from the database, or stored more than once. */
  missing: string[];
  duplicated: string[];
  unclassified: number[];
  /** Tickets without an alert, and alert keys posted more than once. */
  unalerted: number[];
  doubleAlerted: string[];
  /** When the last alert of an acknowledged ticket was posted (ms epoch), or undefined. */
  lastAlertAt: number | undefined;
  alertTimes: number[];
}

/** What became of the acknowledged tickets: read from the database itself and from (fake) Slack. */
export async function checkDelivery(databaseUrl: string, slack: FakeSlack, acked: Acknowledged[]): Promise<Delivery> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rest = acked.filter((a) => a.kind === 'rest').map((a) => a.key);
    const webhookKeys = acked.filter((a) => a.kind === 'webhook').map((a) => a.key);
    const { rows: restRows } = await client.query<{ key: string; n: number }>(
      `select k.key, count(t.id)::int as n from unnest($1::text[]) as k(key)
         left join idempotency_keys i on i.key = k.key left join tickets t on t.id = i.ticket_id group by k.key`,
      [rest],
    );
    const { rows: webhookRows } = await client.query<{ key: string; n: number }>(
      `select k.key, count(t.id)::int as n from unnest($1::text[]) as k(key)
         left join tickets t on t.source = 'generic' and t.external_id = k.key group by k.key`,
      [webhookKeys],
    );
    // A REST ticket stored twice would carry its key in the text twice over: count by the text as well.
    const { rows: byText } = await client.query<{ key: string; n: number }>(
      `select k.key, count(t.id)::int as n from unnest($1::text[]) as k(key)
         left join tickets t on t.body like '%(ref ' || k.key || ')%' group by k.key`,
      [[...rest, ...webhookKeys]],
    );
    const counts = [...restRows, ...webhookRows];
    const ids = acked.map((a) => a.ticketId);
    const { rows: unclassified } = await client.query<{ id: number }>(
      'select id from tickets where id = any($1::int[]) and current_classification_id is null',
      [ids],
    );
    const posts = new Map<string, number[]>();
    for (const m of slack.messages) {
      const key = m.metadata?.event_payload?.key;
      if (typeof key === 'string' && key.startsWith('alert:')) posts.set(key, [...(posts.get(key) ?? []), m.postedAt]);
    }
    const alertTimes = ids.flatMap((id) => posts.get(`alert:${id}`) ?? []);
    return {
      missing: [...counts.filter((c) => c.n === 0).map((c) => c.key), ...acked.filter((a) => a.ticketId < 0).map((a) => a.key)],
      duplicated: [...new Set([...counts, ...byText].filter((c) => c.n > 1).map((c) => c.key))],
      unclassified: unclassified.map((r) => r.id),
      unalerted: ids.filter((id) => !posts.has(`alert:${id}`)),
      doubleAlerted: [...posts].filter(([, times]) => times.length > 1).map(([key]) => key),
      lastAlertAt: alertTimes.length ? Math.max(...alertTimes) : undefined,
      alertTimes,
    };
  } finally {
    await client.end();
  }
}

/** Polls checkDelivery until everything acknowledged is classified and alerted, or the deadline passes. */
export async function waitForDelivery(databaseUrl: string, slack: FakeSlack, acked: Acknowledged[], deadline: number): Promise<Delivery> {
  for (;;) {
    const d = await checkDelivery(databaseUrl, slack, acked);
    const complete = !d.missing.length && !d.unclassified.length && !d.unalerted.length;
    if (complete || Date.now() > deadline) return d;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** For a failure message: where the alerts of `ids` stand (their Slack claim rows and their queue jobs). */
export async function explainUnalerted(databaseUrl: string, ids: number[]): Promise<string> {
  if (!ids.length) return '';
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: posts } = await client.query(
      `select key, channel, ts, created_at from slack_posts where key = any($1::text[])`,
      [ids.map((id) => `alert:${id}`)],
    );
    const { rows: jobs } = await client.query(
      `select name, state, retry_count, retry_limit, start_after, started_on, completed_on, data from pgboss.job
        where name like 'slack-alert%' and (data->>'ticketId')::int = any($1::int[]) order by created_on`,
      [ids],
    ).catch((error: Error) => ({ rows: [{ error: error.message }] }));
    const { rows: tickets } = await client.query(
      'select id, category, classifier, status, deleted_at, created_at, updated_at from tickets where id = any($1::int[])',
      [ids],
    );
    return JSON.stringify({ tickets, posts, jobs }, null, 1);
  } finally {
    await client.end();
  }
}
