import { z } from 'zod';

/** Provider ids arrive as numbers or strings (placeholders always render strings); we keep strings. */
export const idSchema = z
  .union([z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'), z.number().int().nonnegative()])
  .transform((v) => String(v));

/** Optional free text: null, missing, or any string (placeholders render empty strings for unset fields). */
export const optionalText = z.string().nullish();

/** Required text with something in it (after HTML removal the body must still say something). */
export const requiredText = z.string().refine((s) => s.trim().length > 0, 'must not be empty');
