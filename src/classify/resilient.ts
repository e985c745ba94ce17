/**
 * The LLM behind a circuit breaker (cockatiel), with the local model as the answer whenever the LLM fails,
 * times out or the circuit is open. A classification therefore always completes, within the LLM budget
 * plus the local model's time. Fallback results are classifier 'local' and name why in modelName.
 */
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import type { Logger } from 'pino';
import type { ClassificationInput, ClassificationResult, Classifier } from '../domain/classification.ts';
import type { LocalClassifier } from './local/local-classifier.ts';
import { LlmFailure } from './llm-failure.ts';

export interface BreakerOptions {
  /** consecutive service failures that open the circuit */
  threshold: number;
  /** how long the circuit stays open before one probe call is let through */
  halfOpenAfterMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { threshold: 5, halfOpenAfterMs: 30_000 };

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface ResilientStats {
  state: BreakerState;
  llmAnswers: number;
  fallbacks: number;
  lastFailure: string | undefined;
  lastFailureAt: string | undefined;
}

export class ResilientClassifier implements Classifier {
  readonly name: string;
  readonly #primary: Classifier;
  readonly #local: LocalClassifier;
  readonly #breaker: CircuitBreakerPolicy;
  readonly #logger: Logger;
  #llmAnswers = 0;
  #fallbacks = 0;
  #lastFailure: string | undefined;
  #lastFailureAt: string | undefined;

  constructor(primary: Classifier, local: LocalClassifier, logger: Logger, breaker: BreakerOptions = DEFAULT_BREAKER) {
    this.name = `${primary.name}+local`;
    this.#primary = primary;
    this.#local = local;
    this.#logger = logger;
    // Per-ticket failures (refusal, cut-off answer) say nothing about the service: they do not trip the circuit.
    const policy = handleWhen((err) => !(err instanceof LlmFailure && err.perTicket));
    this.#breaker = circuitBreaker(policy, { halfOpenAfter: breaker.halfOpenAfterMs, breaker: new ConsecutiveBreaker(breaker.threshold) });
    this.#breaker.onBreak(() => logger.warn({ lastFailure: this.#lastFailure }, 'LLM circuit opened: classifying with the local model'));
    this.#breaker.onHalfOpen(() => logger.info('LLM circuit half-open: probing'));
    this.#breaker.onReset(() => logger.info('LLM circuit closed: LLM classification resumed'));
  }

  get state(): BreakerState {
    switch (this.#breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  stats(): ResilientStats {
    return { state: this.state, llmAnswers: this.#llmAnswers, fallbacks: this.#fallbacks, lastFailure: this.#lastFailure, lastFailureAt: this.#lastFailureAt };
  }

  async classify(input: ClassificationInput): Promise<ClassificationResult> {
    const started = performance.now();
    let reason: string;
    // While one probe call tests a half-open circuit, cockatiel makes other calls wait for its verdict and then
    // start their own call: that could double a ticket's wait. They go to the local model instead.
    if (this.#breaker.state === CircuitState.HalfOpen) return this.#fallback(input, `${this.#primary.name} circuit half-open`, started);
    try {
      const result = await this.#breaker.execute(() => this.#primary.classify(input));
      this.#llmAnswers++;
      return result;
    } catch (err) {
      if (err instanceof BrokenCircuitError) reason = `${this.#primary.name} circuit open`;
      else if (err instanceof LlmFailure) reason = err.message;
      else reason = `${this.#primary.name} error`;
      if (!(err instanceof BrokenCircuitError)) {
        this.#lastFailure = reason;
        this.#lastFailureAt = new Date().toISOString();
        // An LlmFailure is an expected outside failure: its reason and cause in one line, no stack (one per
        // ticket while the LLM is down). Anything else is ours and keeps its stack.
        if (err instanceof LlmFailure) this.#logger.warn({ reason, cause: describeCause(err.cause) }, 'LLM classification failed: using the local model');
        else this.#logger.warn({ err, reason }, 'LLM classification failed: using the local model');
      }
    }
    return this.#fallback(input, reason, started);
  }

  #fallback(input: ClassificationInput, reason: string, started: number): ClassificationResult {
    this.#fallbacks++;
    const local = this.#local.classifySync(input);
    return {
      ...local,
      modelName: `${local.modelName} (fallback: ${reason})`,
      classifier: 'local',
      processingTimeMs: Math.round(performance.now() - started),
    };
  }
}

/** An error's name, HTTP status when it has one, and first line of its message, at most 300 characters. */
export function describeCause(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (!(cause instanceof Error)) return String(cause).slice(0, 300);
  const status = (cause as { status?: unknown }).status;
  const inner = cause.cause instanceof Error ? ` (${errorName(cause.cause)}: ${cause.cause.message.split('\n', 1)[0]})` : '';
  return `${errorName(cause)}${typeof status === 'number' ? ` ${status}` : ''}: ${cause.message.split('\n', 1)[0]}${inner}`.slice(0, 300);
}

/** The class name where the error's own name is the generic 'Error' (the OpenAI SDK's errors keep it). */
function errorName(error: Error): string {
  return error.name === 'Error' && error.constructor.name !== 'Object' ? error.constructor.name : error.name;
}
