/**
 * The reply senders of the helpdesks and outbound webhooks that are configured (config.replies); an
 * unconfigured one has no sender, so its tickets show no Reply button. src/outbound/senders.ts adds them to
 * the e-mail sender.
 */
import type { Config } from '../../config.ts';
import type { ReplySender } from '../../domain/reply.ts';
import { freshdeskReplySender } from './freshdesk.ts';
import { frontReplySender } from './front.ts';
import { helpScoutReplySender } from './helpscout.ts';
import { intercomReplySender } from './intercom.ts';
import { signedWebhookReplySender } from './signed-webhook.ts';
import { zendeskReplySender } from './zendesk.ts';

export { freshdeskReplySender, frontReplySender, helpScoutReplySender, intercomReplySender, signedWebhookReplySender, zendeskReplySender };

export function helpdeskReplySenders(config: Pick<Config, 'replies'>): ReplySender[] {
  const r = config.replies;
  const timeoutMs = r.timeoutMs;
  const senders: ReplySender[] = [];
  if (r.zendesk) senders.push(zendeskReplySender({ ...r.zendesk, timeoutMs }));
  if (r.freshdesk) senders.push(freshdeskReplySender({ ...r.freshdesk, timeoutMs }));
  if (r.helpscout) senders.push(helpScoutReplySender({ ...r.helpscout, timeoutMs }));
  if (r.intercom) senders.push(intercomReplySender({ ...r.intercom, timeoutMs }));
  if (r.front) senders.push(frontReplySender({ ...r.front, timeoutMs }));
  if (r.generic) senders.push(signedWebhookReplySender({ sources: ['generic'], ...r.generic, timeoutMs }));
  if (r.api) senders.push(signedWebhookReplySender({ sources: ['api'], ...r.api, timeoutMs }));
  return senders;
}
