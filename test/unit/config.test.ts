import test from 'ava';
import { ConfigError, loadConfig } from '../../src/config.ts';

test('defaults follow SPEC', (t) => {
  const c = loadConfig({});
  t.is(c.http.port, 8000);
  t.is(c.http.host, '0.0.0.0');
  t.is(c.database.url, undefined);
  t.is(c.database.pgliteDataDir, './data/pglite');
  t.is(c.classifier.minConfidence, 0.6);
  t.is(c.classifier.openai, undefined);
  t.true(c.classifier.piiRedaction);
  t.deepEqual(c.mailboxes, []);
  t.is(c.slack, undefined);
});

test('every bad variable is named in one error', (t) => {
  const err = t.throws(() =>
    loadConfig({ PORT: 'abc', CLASSIFIER_MIN_CONFIDENCE: '2', DATABASE_URL: 'mysql://x', MIGRATE_ON_START: 'maybe' }),
  ) as ConfigError;
  t.true(err instanceof ConfigError);
  for (const name of ['PORT', 'CLASSIFIER_MIN_CONFIDENCE', 'DATABASE_URL', 'MIGRATE_ON_START']) {
    t.true(err.message.includes(name), `${name} missing from: ${err.message}`);
  }
});

test('production without API keys is refused unless anonymous access is allowed', (t) => {
  t.throws(() => loadConfig({ NODE_ENV: 'production' }), { message: /API_KEYS/ });
  t.notThrows(() => loadConfig({ NODE_ENV: 'production', ALLOW_ANONYMOUS_API: 'true' }));
  t.deepEqual(loadConfig({ NODE_ENV: 'production', API_KEYS: 'a, b,' }).api.keys, ['a', 'b']);
});
