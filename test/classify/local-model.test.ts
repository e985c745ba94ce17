import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadModel, ModelLoadError, saveModel } from '../../src/classify/local/artifact.ts';
import type { Example } from '../../src/classify/local/dataset.ts';
import { detectLanguage } from '../../src/classify/language.ts';
import { LocalClassifier } from '../../src/classify/local/local-classifier.ts';
import { MAX_SUMMARY, summarize } from '../../src/classify/local/summary.ts';
import { trainModels } from '../../src/classify/local/training.ts';

const committed = new LocalClassifier(loadModel());

test('the committed model classifies plain tickets of each category, in English and German', async (t) => {
  const billing = await committed.classify({ subject: 'Double charge on my invoice', body: 'I was billed twice for my subscription this month. Please refund the duplicate payment to my credit card.' });
  t.is(billing.category, 'billing');
  const technical = await committed.classify({ subject: 'Server-Absturz nach dem Update', body: 'Nach dem letzten Software-Update stürzt unser Server ständig ab und die Datenbank meldet einen Verbindungsfehler.' });
  t.is(technical.category, 'technical');
  t.is(technical.language, 'de');
  t.is(billing.language, 'en');
  for (const r of [billing, technical]) {
    t.is(r.classifier, 'local');
    t.is(r.modelName, committed.modelName);
    t.true(r.confidence > 0 && r.confidence <= 1);
    t.true(['low', 'medium', 'high', 'urgent'].includes(r.priority));
    t.true(r.summary.length > 0 && r.summary.length <= MAX_SUMMARY);
  }
});

test('odd input still gets a result: empty subject, one word, no letters', async (t) => {
  for (const input of [{ body: 'help' }, { subject: null, body: '!!!! ???? 12345' }, { subject: '', body: 'x'.repeat(50_000) }]) {
    const r = await committed.classify(input);
    t.true(['technical', 'billing', 'general'].includes(r.category));
    t.true(r.summary.length <= MAX_SUMMARY);
  }
  t.is(detectLanguage('  '), 'und');
});

test('summary skips greetings and pleasantries and cuts at a word within 150 characters', (t) => {
  t.is(
    summarize('Login issue', 'Dear Support Team,\n\nI hope this message finds you well. Our users cannot log in since Monday morning. Thanks!'),
    'Our users cannot log in since Monday morning.',
  );
  t.is(summarize('VPN', 'Hi team,<br>The VPN client <b>drops</b> every hour.&nbsp;Please help.'), 'The VPN client drops every hour.');
  t.is(summarize('Rechnung fehlt', 'Sehr geehrte Damen und Herren,\nMit freundlichen Grüßen'), 'Rechnung fehlt');
  const long = summarize(null, `The ${'very '.repeat(60)}long problem.`);
  t.true(long.length <= 150);
  t.true(long.endsWith('…'));
  t.false(long.includes('  '));
});

const toy = (n: number): Example[] =>
  Array.from({ length: n }, (_, i) => {
    const k = i % 3;
    const words = ['crash error server bug', 'invoice refund payment charge', 'question opening hours address'][k]!;
    return { subject: `t${i}`, body: `${words} number ${i}`, category: (['technical', 'billing', 'general'] as const)[k]!, priority: (['low', 'medium', 'high'] as const)[k]!, language: 'en' };
  });

test('training learns separable data and the artifact round-trips through disk', (t) => {
  const m = trainModels(toy(60), { features: { bits: 12, words: true, bigrams: true, charNgrams: [3, 5], maxChars: 2000 } });
  t.deepEqual(m.priority.labels, ['low', 'medium', 'high'], 'only priorities present in the data');
  t.true(m.category.temperature > 0);
  const dir = mkdtempSync(path.join(tmpdir(), 'model-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  saveModel(dir, { name: 'toy@1', method: 'nb', features: m.features, trainedAt: 'now', training: {} }, m.category, m.priority);
  const clf = new LocalClassifier(loadModel(dir));
  t.is(clf.modelName, 'toy@1');
  t.like(clf.predict({ body: 'the server shows an error after a crash' }), { category: 'technical', priority: 'low' });
  t.like(clf.predict({ body: 'please refund the double payment on my invoice' }), { category: 'billing', priority: 'medium' });
});

test('a missing or damaged artifact is a clear error', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'model-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.throws(() => loadModel(dir), { instanceOf: ModelLoadError, message: /run npm run classifier:train/ });
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ format: 1, category: { offset: 0, length: 100 }, priority: { offset: 100, length: 1 } }));
  writeFileSync(path.join(dir, 'model.bin'), Buffer.alloc(16));
  t.throws(() => loadModel(dir), { instanceOf: ModelLoadError, message: /shorter/ });
});
