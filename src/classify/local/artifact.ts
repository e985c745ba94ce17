/**
 * The committed model artifact: model.json (labels, temperatures, feature options, provenance) and
 * model.bin (little-endian float32 weights: the category head, then the priority head).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeatureOptions } from './features.ts';
import type { LinearModel } from './linear.ts';

export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('./model/', import.meta.url));

export interface HeadMeta {
  labels: string[];
  bias: number[];
  temperature: number;
  /** float32 offset and length in model.bin */
  offset: number;
  length: number;
}

export interface ArtifactMeta {
  format: 1;
  /** e.g. "local-nb@2026-11-24.1a2b3c" — the name results carry in modelName */
  name: string;
  method: string;
  features: FeatureOptions;
  category: HeadMeta;
  priority: HeadMeta;
  trainedAt: string;
  training: Record<string, unknown>;
}

export interface LoadedModel {
  meta: ArtifactMeta;
  features: FeatureOptions;
  category: LinearModel;
  priority: LinearModel;
}

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

function head(meta: HeadMeta, all: Float32Array): LinearModel {
  if (meta.offset + meta.length > all.length) throw new ModelLoadError('model.bin is shorter than model.json says');
  return {
    labels: meta.labels,
    bias: Float64Array.from(meta.bias),
    temperature: meta.temperature,
    weights: all.subarray(meta.offset, meta.offset + meta.length),
  };
}

export function loadModel(dir = DEFAULT_MODEL_DIR): LoadedModel {
  let meta: ArtifactMeta;
  let bin: Buffer;
  try {
    meta = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as ArtifactMeta;
    bin = readFileSync(path.join(dir, 'model.bin'));
  } catch (err) {
    throw new ModelLoadError(`cannot read the local model in ${dir} (run npm run classifier:train): ${(err as Error).message}`);
  }
  if (meta.format !== 1) throw new ModelLoadError(`unsupported model format ${String(meta.format)}`);
  // copy into an aligned buffer (a Buffer from readFileSync may share an unaligned pool)
  const all = new Float32Array(bin.byteLength / 4);
  new Uint8Array(all.buffer).set(bin);
  return { meta, features: meta.features, category: head(meta.category, all), priority: head(meta.priority, all) };
}

export function saveModel(
  dir: string,
  base: Omit<ArtifactMeta, 'category' | 'priority' | 'format'>,
  category: LinearModel,
  priority: LinearModel,
): { jsonBytes: number; binBytes: number } {
  mkdirSync(dir, { recursive: true });
  const meta: ArtifactMeta = {
    format: 1,
    ...base,
    category: { labels: [...category.labels], bias: [...category.bias], temperature: category.temperature, offset: 0, length: category.weights.length },
    priority: {
      labels: [...priority.labels],
      bias: [...priority.bias],
      temperature: priority.temperature,
      offset: category.weights.length,
      length: priority.weights.length,
    },
  };
  const all = new Float32Array(category.weights.length + priority.weights.length);
  all.set(category.weights, 0);
  all.set(priority.weights, category.weights.length);
  const bin = Buffer.from(all.buffer);
  const json = JSON.stringify(meta, null, 2) + '\n';
  writeFileSync(path.join(dir, 'model.bin'), bin);
  writeFileSync(path.join(dir, 'model.json'), json);
  return { jsonBytes: Buffer.byteLength(json), binBytes: bin.byteLength };
}
