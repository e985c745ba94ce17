/** Who classifies: an OpenAI-compatible LLM when a key is set, the local model otherwise and as fallback. */
import { bool, int, number, optionalString, string, url } from './validators.ts';
import { type Values, variable } from './variable.ts';

export const classifierVariables = {
  openai: {
    apiKey: variable('OPENAI_API_KEY', optionalString, 'Key of the OpenAI-compatible API; unset = the local model classifies.'),
    baseURL: variable('OPENAI_BASE_URL', url(['http:', 'https:']), 'Another OpenAI-compatible server (Ollama, vLLM, LM Studio).'),
    model: variable('OPENAI_MODEL', string('gpt-4o-mini'), 'Model name sent to the API.'),
    timeoutMs: variable('OPENAI_TIMEOUT_MS', int(10_000, 100, 600_000), 'Whole budget per ticket, retries included.'),
  },
  minConfidence: variable('CLASSIFIER_MIN_CONFIDENCE', number(0.6, 0, 1), 'Below it, Slack alerts go to the triage channel.'),
  piiRedaction: variable('PII_REDACTION', bool(true), 'Mask e-mails, phones, card numbers and IBANs before text leaves for an LLM.'),
};

export function classifierSection(v: Values<typeof classifierVariables>) {
  const { apiKey } = v.openai;
  return { ...v, openai: apiKey ? { ...v.openai, apiKey } : undefined };
}
