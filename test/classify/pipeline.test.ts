/**
 * End to end through the real service (createService, Koa on a real port, PGlite or PostgreSQL, pg-boss):
 * classification via the fake OpenAI server, fallback when it fails, and human corrections that no
 * automatic run overwrites.
 */
import test from 'ava';
import { CLASSIFY_QUEUE } from '../../src/db/queue-registry.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../kit/fake-openai.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

async function withService(t: any, fake: FakeOpenAi | undefined, timeoutMs = 3000): Promise<TestService> {
  const env: Record<string, string> = fake ? { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseURL, OPENAI_TIMEOUT_MS: String(timeoutMs) } : {};
  const svc = await startTestService(env);
  t.teardown(() => svc.stop());
  return svc;
}

async function classified(svc: TestService, id: number) {
  return waitFor(async () => {
    const r = await api(svc.baseUrl, `/api/v1/requests/${id}`);
    return r.json?.classification ? r.json : null;
  }, { what: `classification of ticket ${id}`, timeoutMs: 60_000 }); // a bound, not a target: the suite runs files side by side
}

const refundTicket = {
  subject: 'Charged twice',
  body: 'Hello, this is maria.lopez@example.org. My card was charged twice for the March invoice; please refund one payment. Call me on +34 612 345 678.',
};

test('a posted ticket is classified by the LLM; the stored ticket keeps its text while the LLM saw it redacted', async (t) => {
  const fake = await startFakeOpenAi();
  t.teardown(() => fake.close());
  const svc = await withService(t, fake);
  const created = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: refundTicket });
  t.is(created.status, 201);
  const ticket = await classified(svc, created.json.id);
  t.like(ticket.classification, { category: 'billing', classifier: 'llm', model_name: fake.model, summary: fake.answer.summary });
  t.is(ticket.classification.confidence_score, 0.9);
  t.is(ticket.priority, 'high');
  t.is(ticket.language, 'en');
  t.is(ticket.body, refundTicket.body);
  t.is(fake.requests.length, 1);
  const sent = fake.requests[0]!.text;
  t.false(sent.includes('maria.lopez@example.org'));
  t.false(sent.includes('612 345 678'));
  t.true(sent.includes('[EMAIL]') && sent.includes('[PHONE]'));
  const health = await api(svc.baseUrl, '/health');
  t.like(health.json.checks.ai_classifier, { status: 'healthy', circuit: 'closed' });
});

test('with the LLM failing, every ticket is still classified, by the local model, with the fallback named', async (t) => {
  const fake = await startFakeOpenAi();
  t.teardown(() => fake.close());
  fake.always(500);
  // The budget covers the SDK's retries of the 500s: on a loaded machine 3 s ran out first ("openai timeout").
  const svc = await withService(t, fake, 20_000);
  const ids = await Promise.all(
    ['The app crashes on start with error 0x80070005.', 'Please send me a copy of my last invoice.'].map(async (body) => {
      const r = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { body } });
      return r.json.id as number;
    }),
  );
  for (const id of ids) {
    const ticket = await classified(svc, id);
    t.is(ticket.classification.classifier, 'local');
    t.regex(ticket.classification.model_name, /^local-nb@\S+ \(fallback: openai http 500\)$/);
  }
});

test('without an API key the local model classifies and /health says local-only', async (t) => {
  const svc = await withService(t, undefined);
  const r = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Rechnung doppelt', body: 'Sie haben meine Kreditkarte zweimal belastet, bitte erstatten Sie die Zahlung.' } });
  const ticket = await classified(svc, r.json.id);
  t.is(ticket.classification.classifier, 'local');
  t.is(ticket.classification.category, 'billing');
  t.is(ticket.language, 'de');
  const health = await api(svc.baseUrl, '/health');
  t.is(health.json.checks.ai_classifier.status, 'local-only');
});

test('a human correction made while the LLM is still answering is not overwritten, nor by a later forced reclassification', async (t) => {
  const fake = await startFakeOpenAi();
  t.teardown(() => fake.close());
  fake.always('gate'); // the LLM answer is held until we release it
  // The held call must outlive the correction: with the 3 s default a loaded machine timed it out first, and
  // the local model's fallback answered instead of the LLM.
  const svc = await withService(t, fake, 60_000);
  const created = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: refundTicket });
  const id = created.json.id as number;
  await waitFor(() => fake.requests.length === 1, { what: 'the LLM call' });

  const put = await api(svc.baseUrl, `/api/v1/requests/${id}/classification`, {
    method: 'PUT',
    json: { category: 'technical', priority: 'urgent', note: 'payment gateway bug, not a billing question' },
  });
  t.is(put.status, 200);
  t.like(put.json.classification, { category: 'technical', classifier: 'human', model_name: 'human' });

  fake.release(); // the automatic result (billing) now arrives
  const history = await waitFor(async () => {
    const r = await api(svc.baseUrl, `/api/v1/requests/${id}/classifications`);
    return r.json.items.some((c: any) => c.classifier === 'llm') ? r.json.items : null;
  }, { what: 'the LLM result in the history' });
  t.deepEqual(history.map((c: any) => c.classifier).sort(), ['human', 'llm']);

  fake.always('ok');
  // pg-boss directly: JobQueue.send currently passes undefined options through, which pg-boss 12 rejects
  const jobId = await svc.service.queue.boss.send(CLASSIFY_QUEUE, { ticketId: id, force: true });
  await waitFor(async () => (await svc.service.queue.boss.getJobById(CLASSIFY_QUEUE, jobId!))?.state === 'completed', { what: 'forced reclassification' });

  const ticket = (await api(svc.baseUrl, `/api/v1/requests/${id}`)).json;
  t.like(ticket.classification, { category: 'technical', classifier: 'human', model_name: 'human' });
  t.is(ticket.priority, 'urgent');
});
