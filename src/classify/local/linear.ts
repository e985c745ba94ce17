/**
 * A linear model over hashed features: score_k = bias_k + sum_j x_j * W[j*K + k], probabilities by
 * softmax(score / temperature). Both trainers (naive Bayes, softmax regression) produce this shape,
 * so prediction, calibration and the artifact format are shared.
 */
import type { SparseVector } from './features.ts';

export interface LinearModel {
  labels: readonly string[];
  weights: Float32Array; // dim * K, row-major by bucket
  bias: Float64Array; // K
  temperature: number;
}

export function scores(m: Pick<LinearModel, 'weights' | 'bias'>, x: SparseVector, out: Float64Array): Float64Array {
  const K = m.bias.length;
  for (let k = 0; k < K; k++) out[k] = m.bias[k]!;
  const { idx, val } = x;
  const w = m.weights;
  for (let j = 0; j < idx.length; j++) {
    const base = idx[j]! * K;
    const v = val[j]!;
    for (let k = 0; k < K; k++) out[k]! += v * w[base + k]!;
  }
  return out;
}

export function softmaxInPlace(s: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < s.length; k++) {
    s[k]! /= temperature;
    if (s[k]! > max) max = s[k]!;
  }
  let sum = 0;
  for (let k = 0; k < s.length; k++) {
    s[k] = Math.exp(s[k]! - max);
    sum += s[k]!;
  }
  for (let k = 0; k < s.length; k++) s[k]! /= sum;
  return s;
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < a.length; k++) if (a[k]! > a[best]!) best = k;
  return best;
}

/** The most likely label and its calibrated probability. */
export function predict(m: LinearModel, x: SparseVector): { index: number; label: string; probability: number; probabilities: Float64Array } {
  const p = softmaxInPlace(scores(m, x, new Float64Array(m.bias.length)), m.temperature);
  const index = argmax(p);
  return { index, label: m.labels[index]!, probability: p[index]!, probabilities: p };
}
