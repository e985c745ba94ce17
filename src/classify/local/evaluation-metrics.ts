/**
 * Pure evaluation metrics over (truth, predicted, confidence, language) rows. Used by the eval CLI
 * and the benchmark document; tested on a hand-made fixture.
 */
export interface Prediction {
  truth: string;
  predicted: string;
  confidence: number;
  language?: string | undefined;
}

export function accuracy(rows: readonly Prediction[]): number {
  if (rows.length === 0) return NaN;
  return rows.filter((r) => r.truth === r.predicted).length / rows.length;
}

/** counts[truth][predicted] over the given labels (rows with other labels are ignored). */
export function confusionMatrix(rows: readonly Prediction[], labels: readonly string[]): number[][] {
  const m = labels.map(() => labels.map(() => 0));
  for (const r of rows) {
    const t = labels.indexOf(r.truth);
    const p = labels.indexOf(r.predicted);
    if (t >= 0 && p >= 0) m[t]![p]! += 1;
  }
  return m;
}

export interface ClassScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Per-class precision/recall/F1; an undefined ratio (0/0) counts as 0, as scikit-learn does. */
export function perClassScores(rows: readonly Prediction[], labels: readonly string[]): ClassScore[] {
  const m = confusionMatrix(rows, labels);
  return labels.map((label, k) => {
    const tp = m[k]![k]!;
    const support = m[k]!.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((a, row) => a + row[k]!, 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
}

export function macroF1(rows: readonly Prediction[], labels: readonly string[]): number {
  const s = perClassScores(rows, labels);
  return s.reduce((a, c) => a + c.f1, 0) / s.length;
}

export interface GroupAccuracy {
  group: string;
  n: number;
  accuracy: number;
}

/** Accuracy per language, largest group first (ties by name). Rows without a language are 'und'. */
export function accuracyByLanguage(rows: readonly Prediction[]): GroupAccuracy[] {
  const groups = new Map<string, Prediction[]>();
  for (const r of rows) {
    const g = r.language ?? 'und';
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  return [...groups]
    .map(([group, rs]) => ({ group, n: rs.length, accuracy: accuracy(rs) }))
    .sort((a, b) => b.n - a.n || a.group.localeCompare(b.group));
}

export interface ReliabilityBucket {
  /** inclusive lower, exclusive upper bound (the last bucket includes 1.0) */
  from: number;
  to: number;
  n: number;
  meanConfidence: number;
  accuracy: number;
}

/** Confidence buckets of equal width; empty buckets are kept (n = 0, NaN stats) so tables line up. */
export function reliabilityTable(rows: readonly Prediction[], buckets = 10): ReliabilityBucket[] {
  const out: ReliabilityBucket[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = b / buckets;
    const to = (b + 1) / buckets;
    const inB = rows.filter((r) => bucketOf(r.confidence, buckets) === b);
    out.push({
      from,
      to,
      n: inB.length,
      meanConfidence: inB.length ? inB.reduce((a, r) => a + r.confidence, 0) / inB.length : NaN,
      accuracy: accuracy(inB),
    });
  }
  return out;
}

function bucketOf(confidence: number, buckets: number): number {
  // integer arithmetic on rounded values so 0.3 lands in [0.3, 0.4) despite floating point
  const b = Math.floor(Math.round(confidence * buckets * 1e9) / 1e9);
  return Math.min(Math.max(b, 0), buckets - 1);
}

/** Expected calibration error: the n-weighted mean |accuracy - confidence| over the buckets. */
export function expectedCalibrationError(rows: readonly Prediction[], buckets = 10): number {
  if (rows.length === 0) return NaN;
  return reliabilityTable(rows, buckets).reduce(
    (a, b) => (b.n === 0 ? a : a + (b.n / rows.length) * Math.abs(b.accuracy - b.meanConfidence)),
    0,
  );
}

export interface CoverageAt {
  threshold: number;
  /** share of rows with confidence >= threshold */
  coverage: number;
  n: number;
  /** accuracy among those rows (NaN when none) */
  accuracy: number;
}

export function coverageAt(rows: readonly Prediction[], threshold: number): CoverageAt {
  const kept = rows.filter((r) => r.confidence >= threshold);
  return { threshold, coverage: rows.length ? kept.length / rows.length : NaN, n: kept.length, accuracy: accuracy(kept) };
}

/** The lowest threshold (from the given candidates) whose kept rows reach the target accuracy, or undefined. */
export function lowestThresholdFor(rows: readonly Prediction[], targetAccuracy: number, candidates: readonly number[]): CoverageAt | undefined {
  for (const t of [...candidates].sort((a, b) => a - b)) {
    const c = coverageAt(rows, t);
    if (c.n > 0 && c.accuracy >= targetAccuracy) return c;
  }
  return undefined;
}
