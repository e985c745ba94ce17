/**
 * Training pipeline: featurize, fit the category and priority heads (multinomial naive Bayes, chosen by
 * 5-fold cross-validation on the training split, see docs/benchmarks/classifier.md), and calibrate each
 * head's temperature on out-of-fold scores, so calibration never sees the held-out split either.
 */
import { createHash } from 'node:crypto';
import { CATEGORIES, PRIORITIES } from '../../domain/categories.ts';
import type { Example } from './dataset.ts';
import { textBucket } from './dataset.ts';
import { DEFAULT_FEATURES, featurize, type FeatureOptions, type SparseVector } from './features.ts';
import type { LinearModel } from './linear.ts';
import { fitTemperature, outOfFoldScores, train, type TrainerOptions } from './fit-linear.ts';

export const DEFAULT_TRAINER: TrainerOptions = { method: 'nb', nb: { alpha: 0.003 } };
export const DEFAULT_TRAINING_FEATURES: FeatureOptions = { ...DEFAULT_FEATURES, bits: 17, charNgrams: [4, 5], maxChars: 600 };
const FOLDS = 5;

export interface TrainedModels {
  category: LinearModel;
  priority: LinearModel;
  features: FeatureOptions;
  /** short content hash of the training rows, part of the model name */
  dataHash: string;
  counts: { rows: number; byCategory: Record<string, number>; byPriority: Record<string, number> };
}

function head(x: SparseVector[], labelsOf: (string | undefined)[], labels: readonly string[], dim: number, folds: (i: number) => number, trainer: TrainerOptions): LinearModel {
  // rows without a usable label for this head are left out of it
  const keep = labelsOf.map((l, i) => (l !== undefined && labels.includes(l) ? i : -1)).filter((i) => i >= 0);
  const set = { x: keep.map((i) => x[i]!), y: keep.map((i) => labels.indexOf(labelsOf[i]!)), K: labels.length, dim };
  const oof = outOfFoldScores(set, trainer, FOLDS, (j) => folds(keep[j]!));
  const temperature = fitTemperature(oof, set.y);
  const m = train(set, trainer);
  return { labels, weights: m.weights, bias: m.bias, temperature };
}

export function trainModels(examples: Example[], opts: { features?: FeatureOptions; trainer?: TrainerOptions } = {}): TrainedModels {
  const features = opts.features ?? DEFAULT_TRAINING_FEATURES;
  const trainer = opts.trainer ?? DEFAULT_TRAINER;
  const dim = 1 << features.bits;
  const x = examples.map((e) => featurize(e.subject, e.body, features));
  const folds = (i: number) => Math.floor(textBucket(examples[i]!, 'fold') * FOLDS);
  // Priority classes present in the data only: a head cannot learn a class it never saw ('urgent' comes from 'critical').
  const priorities = PRIORITIES.filter((p) => examples.some((e) => e.priority === p));
  const category = head(x, examples.map((e) => e.category), CATEGORIES, dim, folds, trainer);
  const priority = head(x, examples.map((e) => e.priority), priorities, dim, folds, trainer);
  const hash = createHash('sha256').update(JSON.stringify({ features, trainer }));
  for (const e of examples) hash.update(e.subject).update('\u0000').update(e.body).update(e.category).update(e.priority ?? '');
  const tally = (f: (e: Example) => string | undefined) =>
    examples.reduce<Record<string, number>>((acc, e) => {
      const k = f(e) ?? 'none';
      acc[k] = (acc[k] ?? 0) + 1;
      return acc;
    }, {});
  return {
    category,
    priority,
    features,
    dataHash: hash.digest('hex').slice(0, 8),
    counts: { rows: examples.length, byCategory: tally((e) => e.category), byPriority: tally((e) => e.priority) },
  };
}
