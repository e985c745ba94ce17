/**
 * The other intake faults through the real service: the LLM's circuit breaker opening (fake OpenAI answering
 * 500) and dead letters piling up each open one incident message, not repeated while they last.
 */
import test from 'ava';
import { CLASSIFY_QUEUE } from '../../src/db/queue-registry.ts';
import { startFakeOpenAi } from '../kit/fake-openai.ts';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { incidentMessages, incidentRows, OPS_CHANNEL, sleep, startOpsService, opsRig } from './harness.ts';

test.serial('the LLM failing: its breaker opens, one incident message', async (t) => {
  const fake = await startFakeSlack();
  const openai = (await startFakeOpenAi()).always(500);
  const svc = await startOpsService(
    fake,
    { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseURL, OPENAI_TIMEOUT_MS: '1000', OPS_CLASSIFIER_BREAKER_OPEN_SECONDS: '1' },
    { classifier: undefined },
  );
  t.teardown(async () => {
    await svc.stop();
    await openai.close();
    await fake.close();
  });
  for (let i = 0; i < 7; i++) {
    t.is((await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: `Broken ${i}`, body: 'The export fails with an error' } })).status, 201);
  }
  await waitFor(async () => (await api(svc.baseUrl, '/health')).json.checks.ai_classifier.circuit === 'open', { timeoutMs: 30_000, what: 'the breaker to open' });
  const [message] = await waitFor(() => { const m = incidentMessages(fake); return m.length ? m : undefined; }, { timeoutMs: 15_000, what: 'the incident message' });
  t.regex(message!.text, /circuit breaker open/);
  await sleep(3_000);
  t.is(incidentMessages(fake).length, 1);
  t.deepEqual((await incidentRows(svc)).map((r) => r.key), ['classifier-breaker']);
});

test.serial('dead letters above the threshold: one incident, resolved once they are dealt with', async (t) => {
  const { fake, svc } = await opsRig(t);
  const id = await svc.service.queue.send(`${CLASSIFY_QUEUE}.dead`, { ticketId: 999_999, error: 'gave up' });
  t.truthy(id);
  const [message] = await waitFor(() => { const m = incidentMessages(fake); return m.length ? m : undefined; }, { timeoutMs: 15_000, what: 'the incident message' });
  t.regex(JSON.stringify(message!.blocks), /1 waiting \(classify: 1\)/);
  await svc.service.queue.boss.deleteJob(`${CLASSIFY_QUEUE}.dead`, id!);
  await waitFor(() => message!.edited === 1 && fake.threadReplies(OPS_CHANNEL, message!.ts).length === 1, { timeoutMs: 15_000, what: 'the resolution' });
  await sleep(2_000);
  t.is(incidentMessages(fake).length, 1);
  t.is(message!.edited, 1);
});
