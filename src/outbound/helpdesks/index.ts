/**
 * The reply doors of the helpdesks and outbound webhooks that are configured (config.replies); an
 * unconfigured one has no door, so its tickets show no Reply button. src/outbound/doors.ts adds them to the
 * e-mail door.
 */
import type { Config } from '../../config.ts';
import type { ReplyDoor } from '../reply.ts';
import { freshdeskReplyDoor } from './freshdesk.ts';
import { frontReplyDoor } from './front.ts';
import { helpScoutReplyDoor } from './helpscout.ts';
import { intercomReplyDoor } from './intercom.ts';
import { signedWebhookReplyDoor } from './signed-webhook.ts';
import { zendeskReplyDoor } from './zendesk.ts';

export { freshdeskReplyDoor, frontReplyDoor, helpScoutReplyDoor, intercomReplyDoor, signedWebhookReplyDoor, zendeskReplyDoor };

export function helpdeskReplyDoors(config: Pick<Config, 'replies'>): ReplyDoor[] {
  const r = config.replies;
  const timeoutMs = r.timeoutMs;
  const doors: ReplyDoor[] = [];
  if (r.zendesk) doors.push(zendeskReplyDoor({ ...r.zendesk, timeoutMs }));
  if (r.freshdesk) doors.push(freshdeskReplyDoor({ ...r.freshdesk, timeoutMs }));
  if (r.helpscout) doors.push(helpScoutReplyDoor({ ...r.helpscout, timeoutMs }));
  if (r.intercom) doors.push(intercomReplyDoor({ ...r.intercom, timeoutMs }));
  if (r.front) doors.push(frontReplyDoor({ ...r.front, timeoutMs }));
  if (r.generic) doors.push(signedWebhookReplyDoor({ sources: ['generic'], ...r.generic, timeoutMs }));
  if (r.api) doors.push(signedWebhookReplyDoor({ sources: ['api'], ...r.api, timeoutMs }));
  return doors;
}
