/**
 * The classifier the service uses: OpenAI (or a compatible server) when a key is configured, behind a
 * circuit breaker with the local model as fallback; the local model alone otherwise.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Classifier } from '../domain/classification.ts';
import { loadModel } from './local/artifact.ts';
import { LocalClassifier } from './local/local-classifier.ts';
import { type BreakerOptions, DEFAULT_BREAKER, ResilientClassifier } from './resilient.ts';

export type AiClassifierStatus = 'healthy' | 'degraded' | 'local-only';

// a type alias (not an interface) so it fits health probes' index-signature type
export type AiClassifierHealth = {
  status: AiClassifierStatus;
  /** what answers now */
  model: string;
  local_model: string;
  circuit?: 'closed' | 'open' | 'half-open';
  llm_answers?: number;
  fallbacks?: number;
  last_failure?: string | undefined;
  last_failure_at?: string | undefined;
};

export interface ClassifierBundle {
  classifier: Classifier;
  local: LocalClassifier;
  health(): AiClassifierHealth;
}

export interface CreateClassifierOptions {
  config: Config['classifier'];
  logger: Logger;
  /** a preloaded local model (tests, benchmarks); default: the committed artifact */
  local?: LocalClassifier;
  breaker?: Partial<BreakerOptions>;
}

export async function createClassifier(o: CreateClassifierOptions): Promise<ClassifierBundle> {
  const local = o.local ?? new LocalClassifier(loadModel());
  const openai = o.config.openai;
  if (!openai) {
    o.logger.info({ model: local.modelName }, 'no OPENAI_API_KEY: classifying with the local model only');
    return {
      classifier: local,
      local,
      health: () => ({ status: 'local-only', model: local.modelName, local_model: local.modelName }),
    };
  }
  // The SDK is loaded only when a key is configured (it is ~35 MB of memory a local-only service never needs).
  const { OpenAiClassifier } = await import('./openai.ts');
  const llm = new OpenAiClassifier({ ...openai, piiRedaction: o.config.piiRedaction });
  const resilient = new ResilientClassifier(llm, local, o.logger, { ...DEFAULT_BREAKER, ...o.breaker });
  o.logger.info({ model: openai.model, baseURL: openai.baseURL ?? 'default', piiRedaction: o.config.piiRedaction }, 'classifying with the LLM, local model as fallback');
  return {
    classifier: resilient,
    local,
    health() {
      const s = resilient.stats();
      return {
        status: s.state === 'open' ? 'degraded' : 'healthy',
        model: s.state === 'open' ? local.modelName : openai.model,
        local_model: local.modelName,
        circuit: s.state,
        llm_answers: s.llmAnswers,
        fallbacks: s.fallbacks,
        last_failure: s.lastFailure,
        last_failure_at: s.lastFailureAt,
      };
    },
  };
}
