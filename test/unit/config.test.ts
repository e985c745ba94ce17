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

test('a blank value counts as unset; surrounding blanks are dropped', (t) => {
  const c = loadConfig({ PORT: '', HOST: '  ', OPENAI_MODEL: ' gpt-x ', OPENAI_API_KEY: 'k', IMAP_MAILBOX: '', CLASSIFIER_MIN_CONFIDENCE: ' 0.25 ' });
  t.is(c.http.port, 8000);
  t.is(c.http.host, '0.0.0.0');
  t.is(c.classifier.openai?.model, 'gpt-x');
  t.is(c.classifier.minConfidence, 0.25);
});

test('problems are listed in declaration order, rules across variables after the values', (t) => {
  const err = t.throws(() => loadConfig({ SLACK_DIGEST_TZ: 'Mars/Olympus', PORT: '-1', NODE_ENV: 'production', LOG_LEVEL: 'loud' })) as ConfigError;
  t.deepEqual(err.problems.map((p) => p.split(':')[0]), ['LOG_LEVEL', 'PORT', 'SLACK_DIGEST_TZ', 'API_KEYS']);
});

test('optional sections exist only with their switch, and carry no credentials beside their auth object', (t) => {
  const c = loadConfig({ IMAP_HOST: 'mail.example.com', IMAP_USER: 'help@example.com', IMAP_PASSWORD: 'secret', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
  t.is(c.mailboxes.length, 1);
  t.deepEqual(c.mailboxes[0]?.auth, { kind: 'password', password: 'secret' });
  t.false('password' in (c.mailboxes[0] ?? {}));
  t.is(c.mailboxes[0]?.supportAddress, 'help@example.com');
  t.is(c.mailboxes[0]?.id, 'default');
  t.is(c.slack?.botToken, 'xoxb-1');
  t.is(c.slack?.digest.timeZone, 'UTC');
  t.is(loadConfig({ SLACK_SIGNING_SECRET: 'x' }).slack, undefined);
  t.deepEqual(loadConfig({ IMAP_USER: 'u' }).mailboxes, []);
});
