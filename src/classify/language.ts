/**
 * The language of a ticket (ISO 639-1, 'und' when unknown), for every classifier: the LLM is not asked, so
 * the answer does not depend on which classifier ran.
 *
 * eld (its extra-small n-gram set) was chosen by measurement on the labelled file's language column, per
 * text length (bench/language.ts, docs/benchmarks/language.md): under 20 characters it is right 88% of the
 * time where franc-min was right 42% ("Since yesterday I cannot log in." was Swedish), 93% against 77% over
 * all lengths, and faster; it costs about 47 MB of memory once the first ticket is classified, which the
 * short texts of chat-like tickets justify.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

type Detector = (typeof import('eld/extrasmall'))['eld'];

/**
 * Languages of the training data plus European neighbours. Restricting the candidates avoids exotic guesses
 * on short texts.
 */
export const LIKELY_LANGUAGES = ['en', 'de', 'es', 'fr', 'pt', 'it', 'nl', 'pl', 'sv', 'da', 'fi', 'cs', 'tr', 'ru'];

let detector: Detector | undefined;

/**
 * Loaded on the first ticket, not at start-up, so an idle service does not hold its n-grams. Loaded
 * synchronously (require of an ES module, stable in Node 24; eld exports it for import only, hence the
 * resolved path) because classification is synchronous. An instance of our own (it shares the loaded
 * n-grams) so the subset is not a setting of the whole process.
 */
function loadDetector(): Detector {
  const { eld } = createRequire(import.meta.url)(fileURLToPath(import.meta.resolve('eld/extrasmall'))) as typeof import('eld/extrasmall');
  const instance = eld.newInstance();
  instance.setLanguageSubset(LIKELY_LANGUAGES);
  return instance;
}

export function detectLanguage(text: string): string {
  const sample = text.slice(0, 200);
  if (sample.trim().length < 3) return 'und';
  detector ??= loadDetector();
  return detector.detect(sample).language || 'und';
}
