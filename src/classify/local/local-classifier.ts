/**
 * The local model as a Classifier: category with calibrated confidence, priority, language (../language.ts)
 * and an extractive summary. Synchronous inside; no I/O after construction.
 */
import type { Category, Priority } from '../../domain/categories.ts';
import { isCategory, isPriority } from '../../domain/categories.ts';
import type { ClassificationInput, ClassificationResult, Classifier } from '../../domain/classification.ts';
import { detectLanguage } from '../language.ts';
import { loadModel, type LoadedModel } from './artifact.ts';
import { featurizeScratch } from './features.ts';
import { packHeads, predictPacked, type PackedHeads } from './linear.ts';
import { summarize } from './summary.ts';

export interface LocalPrediction {
  category: Category;
  confidence: number;
  priority: Priority;
  priorityConfidence: number;
}

type Head = { label: string; probability: number };

export class LocalClassifier implements Classifier {
  readonly name = 'local';
  readonly model: LoadedModel;
  readonly modelName: string;
  readonly #packed: PackedHeads;

  constructor(model: LoadedModel = loadModel()) {
    this.model = model;
    this.modelName = model.meta.name;
    this.#packed = packHeads([model.category, model.priority]);
  }

  /** Category and priority only: the hot path measured by the benchmark and the evaluation. */
  predict(input: ClassificationInput): LocalPrediction {
    const [c, p] = predictPacked(this.#packed, featurizeScratch(input.subject, input.body, this.model.features)) as [Head, Head];
    const category = c.label;
    const priority = p.label;
    if (!isCategory(category) || !isPriority(priority)) throw new Error(`model ${this.modelName} has labels outside the domain`);
    return { category, confidence: c.probability, priority, priorityConfidence: p.probability };
  }

  classifySync(input: ClassificationInput): ClassificationResult {
    const started = performance.now();
    const p = this.predict(input);
    return {
      category: p.category,
      confidence: round(p.confidence),
      summary: summarize(input.subject, input.body),
      language: detectLanguage(`${input.subject ?? ''}\n${input.body}`),
      priority: p.priority,
      modelName: this.modelName,
      classifier: 'local',
      processingTimeMs: Math.round(performance.now() - started),
    };
  }

  async classify(input: ClassificationInput): Promise<ClassificationResult> {
    return this.classifySync(input);
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
