/**
 * An error that knows its HTTP status. Thrown anywhere in a request; the app's single error middleware
 * turns it into `{"detail": ..., "status": ..., "title": ..., ...extra}` (RFC 9457 fields) with that status.
 * Anything else thrown is a bug: logged and answered 500 without internals.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'HttpError';
    this.status = status;
    this.detail = detail;
    this.extra = extra;
    this.headers = headers;
  }
}

export interface FieldError {
  field: string;
  message: string;
  type: string;
}

/** 422 with the `errors: [{field, message, type}]` list every validation failure carries. */
export function validationError(errors: FieldError[], detail = 'Validation failed'): HttpError {
  const summary = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return new HttpError(422, summary ? `${detail}: ${summary}` : detail, { errors });
}
