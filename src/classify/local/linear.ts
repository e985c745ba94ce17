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

/**
 * Several heads over the same features, interleaved per bucket (row b holds every head's weights), so
 * scoring all heads touches one cache line per feature instead of one per head. Used for inference.
 */
export interface PackedHeads {
  stride: number;
  weights: Float32Array;
  heads: { labels: readonly string[]; offset: number; bias: Float64Array; temperature: number }[];
}

export function packHeads(models: readonly LinearModel[]): PackedHeads {
  const stride = models.reduce((a, m) => a + m.bias.length, 0);
  const dim = (models[0]?.weights.length ?? 0) / (models[0]?.bias.length || 1);
  const weights = new Float32Array(dim * stride);
  let offset = 0;
  const heads = models.map((m) => {
    const K = m.bias.length;
    if (m.weights.length !== dim * K) throw new Error('heads must share the feature space');
    for (let b = 0; b < dim; b++) for (let k = 0; k < K; k++) weights[b * stride + offset + k] = m.weights[b * K + k]!;
    const head = { labels: m.labels, offset, bias: m.bias, temperature: m.temperature };
    offset += K;
    return head;
  });
  return { stride, weights, heads };
}

/** Every head's most likely label and its calibrated probability. */
export function predictPacked(p: PackedHeads, x: SparseVector): { label: string; probability: number }[] {
  const acc = new Float64Array(p.stride);
  const { idx, val } = x;
  const w = p.weights;
  const S = p.stride;
  for (let j = 0; j < idx.length; j++) {
    const base = idx[j]! * S;
    const v = val[j]!;
    for (let k = 0; k < S; k++) acc[k]! += v * w[base + k]!;
  }
  return p.heads.map((h) => {
    const s = new Float64Array(h.bias.length);
    for (let k = 0; k < s.length; k++) s[k] = acc[h.offset + k]! + h.bias[k]!;
    softmaxInPlace(s, h.temperature);
    const best = argmax(s);
    return { label: h.labels[best]!, probability: s[best]! };
  });
}
