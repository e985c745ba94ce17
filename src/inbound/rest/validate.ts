import type { z } from 'zod';
import { type FieldError, validationError } from '../../lib/http-error.ts';

/** Parses with a schema or throws 422 listing every problem as {field, message, type}. */
export function parseOr422<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
    type: issue.code,
  }));
  throw validationError(errors);
}
