/**
 * How a failed Slack call should be treated: wait Retry-After (429), back off (Slack down, network, timeout),
 * or give up (a platform error such as channel_not_found, which waiting will not fix).
 */
import { webApi } from '@slack/bolt';

const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited', 'rate_limited', 'service_unavailable', 'internal_error', 'fatal_error', 'request_timeout', 'team_added_to_org',
]);

/**
 * Nothing failed, the work is just not due yet (its alert is being posted, another worker holds the post):
 * the job runs again later (the queue's retry policy), and /health does not count it as a Slack failure.
 */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

export function retryAfterMs(error: unknown): number | undefined {
  if (error instanceof webApi.WebAPIRateLimitedError) return Math.max(1, error.retryAfter) * 1000;
  return undefined;
}

export function isTransient(error: unknown): boolean {
  if (error instanceof webApi.WebAPIRateLimitedError) return true;
  if (error instanceof webApi.WebAPIHTTPError) return error.statusCode >= 500 || error.statusCode === 408;
  if (error instanceof webApi.WebAPIRequestError) return true;
  if (error instanceof webApi.WebAPIPlatformError) return TRANSIENT_PLATFORM_ERRORS.has(error.data.error);
  return false;
}

/** Slack answered and refused the call (429, or ok:false): a post that failed so was not made. */
export function definitelyNotPosted(error: unknown): boolean {
  return error instanceof webApi.WebAPIRateLimitedError || error instanceof webApi.WebAPIPlatformError;
}

/** Pacer policy: Retry-After for 429, capped exponential backoff for other transient failures. */
export function slackRetryDelayMs(error: unknown, attempt: number): number | undefined {
  const ra = retryAfterMs(error);
  if (ra !== undefined) return ra;
  if (!isTransient(error)) return undefined;
  return Math.min(30_000, 500 * 2 ** (attempt - 1));
}

export function describeError(error: unknown): string {
  if (error instanceof webApi.WebAPIPlatformError) return `slack error: ${error.data.error}`;
  if (error instanceof webApi.WebAPIRateLimitedError) return `rate limited (retry after ${error.retryAfter}s)`;
  if (error instanceof webApi.WebAPIHTTPError) return `slack http ${error.statusCode}`;
  if (error instanceof webApi.WebAPIRequestError) return `slack unreachable: ${error.original.message}`;
  return error instanceof Error ? error.message : String(error);
}
