/**
 * Trainers for the linear model (multinomial naive Bayes and softmax regression), temperature
 * calibration, and k-fold out-of-fold scores so calibration and model selection never touch the
 * held-out split.
 */
import type { SparseVector } from './features.ts';
import { scores, softmaxInPlace } from './linear.ts';

export interface TrainSet {
  x: SparseVector[];
  y: number[]; // label index per row
  K: number;
  dim: number;
}

export interface Trained {
  weights: Float32Array;
  bias: Float64Array;
}

export interface SoftmaxOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
}

export interface NaiveBayesOptions {
  alpha: number;
}

export type TrainerOptions = { method: 'nb'; nb: NaiveBayesOptions } | { method: 'softmax'; softmax: SoftmaxOptions };

/** Deterministic PRNG (mulberry32) so training is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Multinomial NB on the (normalized) feature values: W = log P(feature | class), bias = log prior. */
export function trainNaiveBayes(set: TrainSet, o: NaiveBayesOptions): Trained {
  const { K, dim } = set;
  const counts = new Float64Array(dim * K);
  const totals = new Float64Array(K);
  const docs = new Float64Array(K);
  set.x.forEach((x, i) => {
    const k = set.y[i]!;
    docs[k]! += 1;
    for (let j = 0; j < x.idx.length; j++) {
      counts[x.idx[j]! * K + k]! += x.val[j]!;
      totals[k]! += x.val[j]!;
    }
  });
  const weights = new Float32Array(dim * K);
  for (let k = 0; k < K; k++) {
    const denom = Math.log(totals[k]! + o.alpha * dim);
    for (let b = 0; b < dim; b++) weights[b * K + k] = Math.log(counts[b * K + k]! + o.alpha) - denom;
  }
  // Centre each bucket's weights across classes: same predictions, and buckets never seen cost nothing.
  for (let b = 0; b < dim; b++) {
    let mean = 0;
    for (let k = 0; k < K; k++) mean += weights[b * K + k]!;
    mean /= K;
    for (let k = 0; k < K; k++) weights[b * K + k]! -= mean;
  }
  const n = set.x.length;
  const bias = new Float64Array(K);
  for (let k = 0; k < K; k++) bias[k] = Math.log((docs[k]! + 1) / (n + K));
  return { weights, bias };
}

/** Softmax regression by SGD with AdaGrad step sizes and lazily applied L2 decay. */
export function trainSoftmax(set: TrainSet, o: SoftmaxOptions): Trained {
  const { K, dim } = set;
  const weights = new Float32Array(dim * K);
  const g2 = new Float32Array(dim * K);
  const bias = new Float64Array(K);
  const bg2 = new Float64Array(K);
  const order = set.x.map((_, i) => i);
  const rand = rng(o.seed);
  const p = new Float64Array(K);
  const eps = 1e-8;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const x = set.x[i]!;
      scores({ weights, bias }, x, p);
      softmaxInPlace(p);
      const y = set.y[i]!;
      for (let k = 0; k < K; k++) {
        const g = p[k]! - (k === y ? 1 : 0);
        bg2[k]! += g * g;
        bias[k]! -= (o.learningRate * g) / Math.sqrt(bg2[k]! + eps);
      }
      for (let j = 0; j < x.idx.length; j++) {
        const base = x.idx[j]! * K;
        const v = x.val[j]!;
        for (let k = 0; k < K; k++) {
          const w = weights[base + k]!;
          const g = (p[k]! - (k === y ? 1 : 0)) * v + o.l2 * w;
          g2[base + k]! += g * g;
          weights[base + k] = w - (o.learningRate * g) / Math.sqrt(g2[base + k]! + eps);
        }
      }
    }
  }
  return { weights, bias };
}

export function train(set: TrainSet, o: TrainerOptions): Trained {
  return o.method === 'nb' ? trainNaiveBayes(set, o.nb) : trainSoftmax(set, o.softmax);
}

/** Raw (uncalibrated) scores of every row under k-fold cross-fitting: row i scored by a model that never saw it. */
export function outOfFoldScores(set: TrainSet, o: TrainerOptions, folds: number, fold: (i: number) => number): Float64Array[] {
  const out: Float64Array[] = new Array(set.x.length);
  for (let f = 0; f < folds; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    set.x.forEach((_, i) => (fold(i) === f ? testIdx : trainIdx).push(i));
    const m = train({ ...set, x: trainIdx.map((i) => set.x[i]!), y: trainIdx.map((i) => set.y[i]!) }, o);
    for (const i of testIdx) out[i] = scores(m, set.x[i]!, new Float64Array(set.K));
  }
  return out;
}

/** Mean negative log-likelihood of the labels under softmax(scores / T). */
export function nll(rawScores: Float64Array[], y: number[], temperature: number): number {
  let total = 0;
  const p = new Float64Array(rawScores[0]?.length ?? 0);
  rawScores.forEach((s, i) => {
    p.set(s);
    softmaxInPlace(p, temperature);
    total -= Math.log(Math.max(p[y[i]!]!, 1e-12));
  });
  return total / Math.max(rawScores.length, 1);
}

/** Temperature scaling: the T in [0.05, 100] minimising NLL (golden-section search on log T). */
export function fitTemperature(rawScores: Float64Array[], y: number[]): number {
  let lo = Math.log(0.05);
  let hi = Math.log(100);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = nll(rawScores, y, Math.exp(a));
  let fb = nll(rawScores, y, Math.exp(b));
  for (let it = 0; it < 60; it++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = nll(rawScores, y, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = nll(rawScores, y, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}
