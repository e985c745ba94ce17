/**
 * What an erased ticket's Slack messages become: a card keeps its place with a line saying why, a thread note
 * says it was removed (anonymise), or the message goes (delete). Used by the redaction jobs and by a post that
 * lands after its ticket was erased (post-once.ts).
 */
import type { webApi } from '@slack/bolt';

export const REDACTED_CARD = ':lock: This ticket\'s personal data was erased.';
export const REDACTED_NOTE = ':lock: Removed: personal data erased.';

export type RedactMode = 'anonymise' | 'delete';

export function redactMessage(client: webApi.WebClient, post: { channel: string; ts: string; card: boolean }, mode: RedactMode): Promise<unknown> {
  return mode === 'delete'
    ? client.chat.delete({ channel: post.channel, ts: post.ts })
    : client.chat.update({ channel: post.channel, ts: post.ts, text: post.card ? REDACTED_CARD : REDACTED_NOTE, blocks: [] });
}
