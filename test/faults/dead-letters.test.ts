/**
 * Dead letters: a classification that fails permanently (the classifier keeps throwing, the queue's retries
 * run out) shows in GET /api/v1/dead-letters, /health and /metrics; replayed after the cause is fixed, it runs
 * through the normal handler and its alert is posted exactly once, even when two replays race. The command
 * (`npm run dead-letters`) does the same from a shell and refuses bad arguments with a clear message.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import type { Classifier } from '../../src/domain/classification.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, scriptedClassifier, startSlackService, waitForAlert, type SlackTestEnv } from '../slack/harness.ts';

const KEY = 'dead-letter-test-key';
const auth = { authorization: `Bearer ${KEY}` };
const root = path.resolve(import.meta.dirname, '../..');

/** The scripted classifier, throwing while `broken` is set (an outage of the model, a bug fixed later). */
function breakableClassifier(): Classifier & { broken: boolean } {
  const inner = scriptedClassifier();
  return {
    name: 'breakable',
    broken: true,
    async classify(input) {
      if (this.broken) throw new Error('model unavailable: simulated permanent failure');
      return inner.classify(input);
    },
  };
}

/** A classification whose retries run out: the queue policy an operator would tune, made short for the test. */
async function deadClassification(env: SlackTestEnv): Promise<{ ticketId: number; deadId: string }> {
  await env.svc.service.queue.boss.updateQueue('classify', { retryLimit: 1, retryDelay: 1, retryBackoff: false });
  const res = await api(env.svc.baseUrl, '/api/v1/requests', { method: 'POST', headers: auth, json: { text: 'Refund the double charge please [cat=billing conf=0.9]' } });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${res.text}`);
  const item = await waitFor(async () => {
    const list = await api(env.svc.baseUrl, '/api/v1/dead-letters?queue=classify', { headers: auth });
    return list.json?.items?.[0] as { id: string; queue: string; data: { ticketIds?: number[]; ticketId?: number }; error: string | null } | undefined;
  }, { timeoutMs: 45_000, what: 'the dead letter' });
  const ids = item.data.ticketIds ?? [item.data.ticketId];
  if (!ids.includes(res.json.id)) throw new Error(`dead letter ${JSON.stringify(item)} is not about ticket ${res.json.id}`);
  return { ticketId: res.json.id, deadId: item.id };
}

const metric = (text: string, queue: string) => Number(new RegExp(`^job_dead_letters\\{queue="${queue}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);

test('a permanently failed classification is listed, counted, and delivered exactly once when replayed (two replays racing)', async (t) => {
  const classifier = breakableClassifier();
  const env = await startSlackService({ API_KEYS: KEY }, { classifier });
  t.teardown(env.stop);
  const { ticketId, deadId } = await deadClassification(env);

  const list = await api(env.svc.baseUrl, '/api/v1/dead-letters', { headers: auth });
  t.is(list.status, 200);
  t.is(list.json.counts.classify, 1);
  t.true('slack-alert' in list.json.counts, 'alert dead letters are listed too');
  t.regex(list.json.items[0].error ?? '', /model unavailable/);
  const health = await api(env.svc.baseUrl, '/health');
  t.is(health.json.checks.queue.dead_letters, 1);
  t.is(health.json.checks.queue.dead_letters_by_queue.classify, 1);
  t.is(metric((await api(env.svc.baseUrl, '/metrics')).text, 'classify'), 1);
  t.is(alertsFor(env.fake, ticketId).length, 0);

  // The API key applies; wrong queue names and hostile bodies are refused without replaying anything.
  t.is((await api(env.svc.baseUrl, '/api/v1/dead-letters')).status, 401);
  t.is((await api(env.svc.baseUrl, '/api/v1/dead-letters/replay', { method: 'POST', json: { all: true } })).status, 401);
  t.is((await api(env.svc.baseUrl, '/api/v1/dead-letters?queue=nope', { headers: auth })).status, 404);
  t.is((await api(env.svc.baseUrl, '/api/v1/dead-letters?queue=DROP%20TABLE', { headers: auth })).status, 422);
  for (const body of [{}, { all: false }, { ids: [] }, { ids: ['not-a-uuid'] }, { ids: [deadId], all: true }, { all: true, extra: 1 }, { queue: 'nope', all: true }, [], 'all']) {
    const res = await api(env.svc.baseUrl, '/api/v1/dead-letters/replay', { method: 'POST', headers: auth, json: body });
    t.true([400, 404, 422].includes(res.status), `${JSON.stringify(body)} -> ${res.status}`);
  }
  const malformed = await api(env.svc.baseUrl, '/api/v1/dead-letters/replay', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"all": tru' });
  t.is(malformed.status, 400);
  t.is((await api(env.svc.baseUrl, '/api/v1/dead-letters', { headers: auth })).json.counts.classify, 1, 'still there after the refused requests');

  classifier.broken = false;
  const [a, b] = await Promise.all([
    api(env.svc.baseUrl, '/api/v1/dead-letters/replay', { method: 'POST', headers: auth, json: { all: true } }),
    api(env.svc.baseUrl, '/api/v1/dead-letters/replay', { method: 'POST', headers: auth, json: { queue: 'classify', ids: [deadId] } }),
  ]);
  t.is(a.status, 200);
  t.is(b.status, 200);
  t.is(a.json.replayed + b.json.replayed, 1, 'replayed once between the two calls');

  await waitForAlert(env.fake, ticketId, 30_000);
  const ticket = await api(env.svc.baseUrl, `/api/v1/requests/${ticketId}`, { headers: auth });
  t.is(ticket.json.classification.category, 'billing');
  await new Promise((r) => setTimeout(r, 2_000));
  t.is(alertsFor(env.fake, ticketId).length, 1, 'alerted exactly once');
  t.is((await api(env.svc.baseUrl, '/api/v1/dead-letters', { headers: auth })).json.counts.classify, 0);
  t.is((await api(env.svc.baseUrl, '/health')).json.checks.queue.dead_letters, 0);
  t.is(metric((await api(env.svc.baseUrl, '/metrics')).text, 'classify'), 0);
  const again = await api(env.svc.baseUrl, '/api/v1/dead-letters/replay', { method: 'POST', headers: auth, json: { ids: [deadId] } });
  t.is(again.json.replayed, 0, 'a replayed dead letter is gone');
});

function cli(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/dead-letters.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('npm run dead-letters: list and replay from a shell; bad arguments are refused with a clear message', async (t) => {
  const classifier = breakableClassifier();
  // The command is its own process: it needs a database both can open, PostgreSQL.
  const env = await startSlackService({ API_KEYS: KEY }, { classifier, database: 'postgres' });
  t.teardown(env.stop);
  const url = env.svc.databaseUrl!;

  for (const [args, message] of [
    [[], /give a command: list, replay or discard/],
    [['discard'], /discard needs exactly one of --id ID or --all/],
    [['discard', '--id', 'seven'], /--id "seven" is not a dead-letter id/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['replay'], /exactly one of --id ID or --all/],
    [['replay', '--all', '--id', '0b0e7c1e-7d0f-4c4e-9a53-1b2a3c4d5e6f'], /exactly one of --id ID or --all/],
    [['replay', '--id', 'seven'], /--id "seven" is not a dead-letter id/],
    [['list', '--all'], /--id and --all belong to replay/],
    [['list', '--queue', 'Bad Name'], /is not a queue name/],
    [['list', '--bogus'], /Unknown option '--bogus'/],
  ] as const) {
    const r = await cli([...args], url);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, message);
    t.regex(r.stderr, /usage: npm run dead-letters/);
  }
  const unknown = await cli(['list', '--queue', 'nope'], url);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /no dead-letter queue for "nope" \(known: .*classify/);
  t.regex((await cli(['list'], url)).stdout, /no dead letters/);

  const { ticketId, deadId } = await deadClassification(env);
  const listed = await cli(['list', '--queue', 'classify'], url);
  t.is(listed.code, 0, listed.stderr);
  t.regex(listed.stdout, new RegExp(`${deadId}\\s+classify`));
  t.regex(listed.stdout, /model unavailable/);
  const json = JSON.parse((await cli(['list', '--json'], url)).stdout) as { items: { id: string }[]; counts: Record<string, number> };
  t.deepEqual(json.items.map((i) => i.id), [deadId]);
  t.is(json.counts.classify, 1);

  classifier.broken = false;
  const replayed = await cli(['replay', '--queue', 'classify', '--all'], url);
  t.is(replayed.code, 0, replayed.stderr);
  t.regex(replayed.stdout, /^1 replayed$/m);
  await waitForAlert(env.fake, ticketId, 30_000);
  const twice = await cli(['replay', '--id', deadId], url);
  t.is(twice.code, 1);
  t.regex(twice.stdout, /0 replayed; not found \(already replayed or discarded\?\)/);
  await new Promise((r) => setTimeout(r, 2_000));
  t.is(alertsFor(env.fake, ticketId).length, 1);

  // Discard: a dead letter that should never run is deleted for good, once.
  classifier.broken = true;
  const second = await deadClassification(env);
  const discarded = await cli(['discard', '--id', second.deadId], url);
  t.is(discarded.code, 0, discarded.stderr);
  t.regex(discarded.stdout, new RegExp(`^discarded ${second.deadId}\\s+classify`, 'm'));
  t.regex(discarded.stdout, /^1 discarded$/m);
  t.regex((await cli(['list'], url)).stdout, /no dead letters/);
  const again = await cli(['discard', '--id', second.deadId], url);
  t.is(again.code, 1);
  t.regex(again.stdout, /0 discarded; not found \(already replayed or discarded\?\)/);
  t.is((await cli(['discard', '--all'], url)).code, 0, 'nothing left to discard is not an error');
  classifier.broken = false;
  await new Promise((r) => setTimeout(r, 2_000));
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${second.ticketId}`, { headers: auth })).json.status, 'processing', 'a discarded classification does not run');
  t.is(alertsFor(env.fake, second.ticketId).length, 0);
});
