/**
 * The original service's keyword fallback, kept as a named baseline (see shared/data/README.md): count
 * list words occurring as substrings of the lower-cased text; technical wins only with more hits than
 * billing. Its confidence is a formula, not a probability: the eval shows how little it means.
 */
import type { Category } from '../domain/categories.ts';
import type { ClassificationInput, ClassificationResult, Classifier } from '../domain/classification.ts';

// "IT" is upper-case on purpose: the original lower-cased the text, so it never matched.
const TECHNICAL = ['error', 'crash', 'bug', 'system', 'software', 'hardware', 'server', 'database', 'application', 'platform', 'technical', 'IT', 'computer', 'network', 'installation', 'update'];
const BILLING = ['invoice', 'billing', 'payment', 'charge', 'refund', 'price', 'cost', 'fee', 'subscription', 'overcharge', 'bill', 'money', 'credit', 'debit', 'transaction', 'purchase'];

export function keywordCategory(text: string): { category: Category; confidence: number } {
  const lower = text.toLowerCase();
  const technical = TECHNICAL.filter((w) => lower.includes(w)).length;
  const billing = BILLING.filter((w) => lower.includes(w)).length;
  if (technical > billing && technical > 0) return { category: 'technical', confidence: Math.min(0.85, 0.6 + 0.05 * technical) };
  if (billing > 0) return { category: 'billing', confidence: Math.min(0.85, 0.6 + 0.05 * billing) };
  return { category: 'general', confidence: 0.5 };
}

export function createKeywordClassifier(): Classifier {
  return {
    name: 'keyword',
    async classify(input: ClassificationInput): Promise<ClassificationResult> {
      const started = performance.now();
      const text = `${input.subject ?? ''} ${input.body}`;
      const { category, confidence } = keywordCategory(text);
      const firstSentence = input.body.split(/(?<=[.!?])\s+/)[0] ?? input.body;
      return {
        category,
        confidence,
        summary: (input.subject?.trim() || firstSentence).slice(0, 150),
        language: 'und',
        priority: 'medium',
        modelName: 'keyword-baseline',
        classifier: 'keyword',
        processingTimeMs: Math.round(performance.now() - started),
      };
    },
  };
}
