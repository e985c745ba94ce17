import { z } from 'zod';
import { textProblem } from '../../../ingest/normalize.ts';

/**
 * Provider ids arrive as numbers or strings (placeholders always render strings); we keep strings. An id
 * PostgreSQL cannot store as given (NUL, lone surrogate) is refused with a permanent 422: cleaning it would
 * make it another ticket's id.
 */
export const idSchema = z
  .union([
    z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .superRefine((s, ctx) => {
        const problem = textProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    z.number().int().nonnegative(),
  ])
  .transform((v) => String(v));

/** Optional free text: null, missing, or any string (placeholders render empty strings for unset fields). */
export const optionalText = z.string().nullish();

/** Required text with something in it (after HTML removal the body must still say something). */
export const requiredText = z.string().refine((s) => s.replaceAll('\u0000', '').trim().length > 0, 'must not be empty');
