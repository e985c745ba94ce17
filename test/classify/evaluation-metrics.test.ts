import test from 'ava';
import { formatReport } from '../../src/classify/local/evaluation.ts';
import {
  accuracy, accuracyByLanguage, confusionMatrix, coverageAt, expectedCalibrationError, lowestThresholdFor, macroF1,
  perClassScores, reliabilityTable, type Prediction,
} from '../../src/classify/local/evaluation-metrics.ts';

const LABELS = ['technical', 'billing', 'general'];
// Ten hand-made predictions; every expected number below is worked out from these rows by hand.
const row = (truth: string, predicted: string, confidence: number, language: string): Prediction => ({ truth, predicted, confidence, language });
const FIXTURE: Prediction[] = [
  row('technical', 'technical', 0.95, 'en'),
  row('technical', 'technical', 0.85, 'en'),
  row('technical', 'general', 0.55, 'en'),
  row('billing', 'billing', 0.75, 'de'),
  row('billing', 'technical', 0.65, 'de'),
  row('general', 'general', 0.45, 'en'),
  row('general', 'general', 0.62, 'de'),
  row('general', 'billing', 0.35, 'fr'),
  row('general', 'general', 0.91, 'fr'),
  row('technical', 'technical', 0.72, 'de'),
];
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

test('accuracy: 7 of 10 right', (t) => {
  t.is(accuracy(FIXTURE), 0.7);
  t.true(Number.isNaN(accuracy([])));
});

test('confusion matrix, rows = truth', (t) => {
  t.deepEqual(confusionMatrix(FIXTURE, LABELS), [
    [3, 0, 1],
    [1, 1, 0],
    [0, 1, 3],
  ]);
});

test('per-class precision/recall/F1 and macro-F1', (t) => {
  const s = perClassScores(FIXTURE, LABELS);
  t.deepEqual(s.map((c) => [c.label, c.precision, c.recall, c.f1, c.support]), [
    ['technical', 0.75, 0.75, 0.75, 4],
    ['billing', 0.5, 0.5, 0.5, 2],
    ['general', 0.75, 0.75, 0.75, 4],
  ]);
  t.true(close(macroF1(FIXTURE, LABELS), 2 / 3));
  // a class never predicted and never present scores 0, not NaN
  t.is(perClassScores([row('technical', 'technical', 1, 'en')], LABELS)[1]!.f1, 0);
});

test('accuracy by language, largest group first then by name', (t) => {
  t.deepEqual(accuracyByLanguage(FIXTURE), [
    { group: 'de', n: 4, accuracy: 0.75 },
    { group: 'en', n: 4, accuracy: 0.75 },
    { group: 'fr', n: 2, accuracy: 0.5 },
  ]);
});

test('reliability table: buckets of 0.1 with n, mean confidence and accuracy', (t) => {
  const table = reliabilityTable(FIXTURE).filter((b) => b.n > 0);
  t.deepEqual(
    table.map((b) => [b.from, b.n, Math.round(b.meanConfidence * 1000) / 1000, b.accuracy]),
    [
      [0.3, 1, 0.35, 0],
      [0.4, 1, 0.45, 1],
      [0.5, 1, 0.55, 0],
      [0.6, 2, 0.635, 0.5],
      [0.7, 2, 0.735, 1],
      [0.8, 1, 0.85, 1],
      [0.9, 2, 0.93, 1],
    ],
  );
  t.is(reliabilityTable(FIXTURE).length, 10);
  // boundaries: 0.3 belongs to [0.3, 0.4) and 1.0 to the last bucket
  const edges = reliabilityTable([row('a', 'a', 0.3, 'en'), row('a', 'a', 1, 'en')]);
  t.is(edges[3]!.n, 1);
  t.is(edges[9]!.n, 1);
});

test('expected calibration error', (t) => {
  t.true(close(expectedCalibrationError(FIXTURE), 0.254));
});

test('coverage and accuracy at a threshold, and the lowest threshold reaching a target', (t) => {
  const at60 = coverageAt(FIXTURE, 0.6);
  t.is(at60.n, 7);
  t.is(at60.coverage, 0.7);
  t.true(close(at60.accuracy, 6 / 7));
  t.deepEqual(coverageAt(FIXTURE, 0.8), { threshold: 0.8, coverage: 0.3, n: 3, accuracy: 1 });
  t.is(lowestThresholdFor(FIXTURE, 0.85, [0.8, 0.5, 0.6, 0.7])?.threshold, 0.6);
  t.is(lowestThresholdFor(FIXTURE, 1.01, [0.5, 0.9]), undefined);
});

test('the eval report prints the fixture figures side by side', (t) => {
  const always = FIXTURE.map((r) => ({ ...r, predicted: 'general', confidence: 0.5 }));
  const report = formatReport([{ name: 'model', rows: FIXTURE }, { name: 'always-general', rows: always }], 0.6, LABELS);
  const lines = report.split('\n');
  const line = (start: string) => lines.find((l) => l.startsWith(start))?.replace(/\s+/g, ' ');
  t.is(line('rows:'), 'rows: 10');
  t.is(line('accuracy '), 'accuracy 70.0% 40.0%');
  t.is(line('macro-F1'), 'macro-F1 66.7% 19.0%');
  t.is(line('accuracy de (n=4)'), 'accuracy de (n=4) 75.0% 25.0%');
  t.is(line('accuracy at conf >= 0.6'), 'accuracy at conf >= 0.6 85.7% -');
  t.is(line('coverage at conf >= 0.6'), 'coverage at conf >= 0.6 70.0% 0.0%');
  t.true(report.includes('  85% accuracy first reached at >= 0.56, covering 70.0%'));
  t.true(report.includes('  85% accuracy is not reached at any threshold'));
});
