/**
 * A failed LLM call is logged as one short line (reason and cause), not a stack trace per ticket: while the
 * LLM is down every ticket fails, and the log must stay readable. Real SDK against the fake OpenAI server.
 */
import { Writable } from 'node:stream';
import test from 'ava';
import { createClassifier } from '../../src/classify/index.ts';
import { loadModel } from '../../src/classify/local/artifact.ts';
import { LocalClassifier } from '../../src/classify/local/local-classifier.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { type FakeBehaviour, startFakeOpenAi } from '../kit/fake-openai.ts';

const local = new LocalClassifier(loadModel());

for (const [behaviour, reason, cause] of [
  [500, 'openai http 500', /^InternalServerError 500: /],
  ['drop', 'openai connection error', /^APIConnectionError: Connection error\. \(TypeError: fetch failed\)$/],
  ['malformed', 'openai invalid output', /^SyntaxError: /],
] as [FakeBehaviour, string, RegExp][]) {
  test(`a failed call (${JSON.stringify(behaviour)}) logs one line with its reason and cause, no stack`, async (t) => {
    const fake = await startFakeOpenAi();
    t.teardown(() => fake.close());
    fake.always(behaviour);
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(...String(chunk).split('\n').filter(Boolean)), done()) });
    const { classifier } = await createClassifier({
      config: { openai: { apiKey: 'sk-test', baseURL: fake.baseURL, model: 'gpt-4o-mini', timeoutMs: 1500 }, minConfidence: 0.6, piiRedaction: true },
      logger: createLogger('warn', sink),
      local,
      breaker: { threshold: 5, halfOpenAfterMs: 60_000 },
    });
    const r = await classifier.classify({ subject: 'Charged twice', body: 'My card was charged twice for the October invoice.' });
    t.is(r.classifier, 'local');
    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'LLM classification failed: using the local model');
    t.is(failures.length, 1);
    const [line] = failures;
    t.is(line.reason, reason);
    t.regex(line.cause ?? '', cause);
    t.is(line.err, undefined, 'no serialized error with its stack');
    t.false(JSON.stringify(line).includes('    at '), 'no stack frames');
    t.true(JSON.stringify(line).length < 700, `${JSON.stringify(line).length} characters`);
  });
}
