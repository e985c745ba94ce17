import type { Category, ClassifierKind, Priority } from './categories.ts';

/** What a classifier is given: the ticket's text only, never ids or addresses it does not need. */
export interface ClassificationInput {
  subject?: string | null;
  body: string;
}

/** One classifier's verdict; every result is stored as history (see db/entities/classification.ts). */
export interface ClassificationResult {
  category: Category;
  /** 0..1, calibrated: among results at 0.8 about 80% should be right. */
  confidence: number;
  /** One sentence, at most 150 characters. */
  summary: string;
  /** ISO 639-1 code, or 'und' when unknown. */
  language: string;
  priority: Priority;
  /** e.g. "gpt-4o-mini", "local-nb@2026-11-24", "local-nb (fallback: openai timeout)". */
  modelName: string;
  classifier: ClassifierKind;
  processingTimeMs: number;
}

/** The seam between the classification job and any model. */
export interface Classifier {
  readonly name: string;
  classify(input: ClassificationInput): Promise<ClassificationResult>;
}
