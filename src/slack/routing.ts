/** Which channel an alert goes to: the category's, or triage below the confidence threshold or without one. */
import type { Config } from '../config.ts';
import { isLowConfidence } from './alert-blocks.ts';

type SlackConfig = NonNullable<Config['slack']>;

export function alertChannel(
  channels: SlackConfig['channels'],
  minConfidence: number,
  t: { category: string | null; confidence: number | null; classifier: string | null },
): string | undefined {
  if (!t.category || isLowConfidence(t, minConfidence)) return channels.triage;
  const byCategory = (channels as Record<string, string | undefined>)[t.category];
  return byCategory ?? channels.triage;
}
