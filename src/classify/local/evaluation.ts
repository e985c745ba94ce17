/**
 * Evaluation of the local model and the keyword baseline on the same rows, and its plain-text report.
 * The numbers come from the pure functions in evaluation-metrics.ts.
 */
import { CATEGORIES } from '../../domain/categories.ts';
import { keywordCategory } from '../keyword.ts';
import type { Example } from './dataset.ts';
import type { LocalClassifier } from './local-classifier.ts';
import {
  accuracy, accuracyByLanguage, confusionMatrix, coverageAt, expectedCalibrationError, lowestThresholdFor, macroF1,
  perClassScores, reliabilityTable, type Prediction,
} from './evaluation-metrics.ts';

export interface EvalRun {
  name: string;
  rows: Prediction[];
}

export function runLocal(model: LocalClassifier, examples: Example[]): { category: EvalRun; priority: EvalRun } {
  const category: Prediction[] = [];
  const priority: Prediction[] = [];
  for (const e of examples) {
    const p = model.predict({ subject: e.subject, body: e.body });
    category.push({ truth: e.category, predicted: p.category, confidence: p.confidence, language: e.language });
    if (e.priority) priority.push({ truth: e.priority, predicted: p.priority, confidence: p.priorityConfidence, language: e.language });
  }
  return { category: { name: model.modelName, rows: category }, priority: { name: model.modelName, rows: priority } };
}

export function runKeyword(examples: Example[]): EvalRun {
  return {
    name: 'keyword',
    rows: examples.map((e) => {
      const k = keywordCategory(`${e.subject} ${e.body}`);
      return { truth: e.category, predicted: k.category, confidence: k.confidence, language: e.language };
    }),
  };
}

const pct = (x: number) => (Number.isNaN(x) ? '    -' : `${(x * 100).toFixed(1).padStart(5)}%`);
const pad = (s: string | number, n: number) => String(s).padStart(n);

export const COVERAGE_THRESHOLDS = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** The report printed by `npm run classifier:eval`; runs are side by side on the same rows. */
export function formatReport(runs: EvalRun[], threshold: number, labels: readonly string[] = CATEGORIES): string {
  const out: string[] = [];
  const w = Math.max(...runs.map((r) => r.name.length), 10) + 2;
  const row = (label: string, cells: string[]) => out.push(label.padEnd(28) + cells.map((c) => c.padStart(w)).join(''));
  const n = runs[0]?.rows.length ?? 0;
  out.push(`rows: ${n}`, '');
  row('', runs.map((r) => r.name));
  row('accuracy', runs.map((r) => pct(accuracy(r.rows))));
  row('macro-F1', runs.map((r) => pct(macroF1(r.rows, labels))));
  row('expected calibration error', runs.map((r) => pct(expectedCalibrationError(r.rows))));
  const langs = accuracyByLanguage(runs[0]?.rows ?? []);
  for (const g of langs) {
    row(`accuracy ${g.group} (n=${g.n})`, runs.map((r) => pct(accuracy(r.rows.filter((x) => (x.language ?? 'und') === g.group)))));
  }
  for (const t of [threshold]) {
    row(`accuracy at conf >= ${t}`, runs.map((r) => pct(coverageAt(r.rows, t).accuracy)));
    row(`coverage at conf >= ${t}`, runs.map((r) => pct(coverageAt(r.rows, t).coverage)));
  }
  for (const r of runs) {
    out.push('', `== ${r.name}`);
    out.push('per class:        precision  recall      F1  support');
    for (const s of perClassScores(r.rows, labels)) {
      out.push(`  ${s.label.padEnd(14)} ${pct(s.precision).padStart(9)} ${pct(s.recall).padStart(7)} ${pct(s.f1).padStart(7)} ${pad(s.support, 8)}`);
    }
    out.push('confusion (rows = truth, columns = predicted):');
    out.push('  ' + ''.padEnd(12) + labels.map((l) => pad(l, 11)).join(''));
    confusionMatrix(r.rows, labels).forEach((cells, i) => out.push('  ' + labels[i]!.padEnd(12) + cells.map((c) => pad(c, 11)).join('')));
    out.push('reliability (confidence bucket: n, mean confidence, accuracy):');
    for (const b of reliabilityTable(r.rows)) {
      if (b.n === 0) continue;
      out.push(`  [${b.from.toFixed(1)}, ${b.to.toFixed(1)}${b.to === 1 ? ']' : ')'} ${pad(b.n, 6)} ${pct(b.meanConfidence)} ${pct(b.accuracy)}`);
    }
    out.push('coverage vs accuracy (threshold: coverage, accuracy):');
    for (const t of [...new Set([...COVERAGE_THRESHOLDS, threshold])].sort((a, b) => a - b)) {
      const c = coverageAt(r.rows, t);
      out.push(`  >= ${t.toFixed(2)} ${pct(c.coverage)} ${pct(c.accuracy)}${t === threshold ? '   <- CLASSIFIER_MIN_CONFIDENCE' : ''}`);
    }
    const candidates = Array.from({ length: 100 }, (_, i) => i / 100);
    const at85 = lowestThresholdFor(r.rows, 0.85, candidates);
    out.push(at85 ? `  85% accuracy first reached at >= ${at85.threshold.toFixed(2)}, covering ${pct(at85.coverage).trim()}` : '  85% accuracy is not reached at any threshold');
  }
  return out.join('\n');
}
