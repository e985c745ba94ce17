/**
 * Every way an LLM call can go wrong, as one error with a short reason. Its own module so that the breaker
 * (resilient.ts) can tell it apart without loading the OpenAI SDK, which a local-only service never needs.
 */
export class LlmFailure extends Error {
  override name = 'LlmFailure';
  readonly reason: string;
  readonly perTicket: boolean;
  constructor(reason: string, options: { perTicket?: boolean; cause?: unknown } = {}) {
    super(`openai ${reason}`, { cause: options.cause });
    this.reason = reason;
    this.perTicket = options.perTicket ?? false;
  }
}
