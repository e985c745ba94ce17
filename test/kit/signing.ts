/**
 * Requests signed exactly as each sender signs them: the webhook providers (Zendesk, Freshdesk, Help Scout,
 * Intercom, Front, generic HMAC) and Slack. Shared by the tests and the benchmarks, so a benchmark's
 * deliveries pass the same verification the tests prove.
 */
import { createHmac } from 'node:crypto';

export const SECRETS = {
  ZENDESK_WEBHOOK_SECRET: 'zd-signing-secret',
  FRESHDESK_WEBHOOK_TOKEN: 'fd-shared-token',
  HELPSCOUT_WEBHOOK_SECRET: 'hs-secret-key',
  INTERCOM_CLIENT_SECRET: 'ic-client-secret',
  FRONT_WEBHOOK_SECRET: 'front-app-signing-key',
  GENERIC_WEBHOOK_SECRET: 'generic-secret',
} as const;

type Headers = Record<string, string>;
const b64 = (alg: string, key: string, data: string) => createHmac(alg, key).update(data).digest('base64');
const hex = (alg: string, key: string, data: string) => createHmac(alg, key).update(data).digest('hex');

export const sign = {
  zendesk(body: string, at = new Date(), secret: string = SECRETS.ZENDESK_WEBHOOK_SECRET): Headers {
    const ts = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      'content-type': 'application/json',
      'x-zendesk-webhook-id': '01HV0000000000000000000000',
      'x-zendesk-webhook-invocation-id': '8350205582',
      'x-zendesk-webhook-signature-timestamp': ts,
      'x-zendesk-webhook-signature': b64('sha256', secret, ts + body),
    };
  },
  freshdesk(_body: string, _at = new Date(), secret: string = SECRETS.FRESHDESK_WEBHOOK_TOKEN): Headers {
    return { 'content-type': 'application/json', authorization: `Bearer ${secret}` };
  },
  helpscout(body: string, _at = new Date(), secret: string = SECRETS.HELPSCOUT_WEBHOOK_SECRET, event = 'convo.created'): Headers {
    return { 'content-type': 'application/json', 'x-helpscout-event': event, 'x-helpscout-signature': b64('sha1', secret, body) };
  },
  intercom(body: string, _at = new Date(), secret: string = SECRETS.INTERCOM_CLIENT_SECRET): Headers {
    return { 'content-type': 'application/json', 'x-hub-signature': `sha1=${hex('sha1', secret, body)}` };
  },
  front(body: string, at = new Date(), secret: string = SECRETS.FRONT_WEBHOOK_SECRET): Headers {
    const ts = String(at.getTime());
    return { 'content-type': 'application/json', 'x-front-request-timestamp': ts, 'x-front-signature': b64('sha256', secret, `${ts}:${body}`) };
  },
  generic(body: string, at = new Date(), secret: string = SECRETS.GENERIC_WEBHOOK_SECRET): Headers {
    const ts = String(Math.floor(at.getTime() / 1000));
    return { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': `sha256=${hex('sha256', secret, `${ts}.${body}`)}` };
  },
};

/** The signing secret the Slack tests configure (SLACK_SIGNING_SECRET). */
export const SLACK_SIGNING_SECRET = 'test-signing-secret-0123456789';

/** Slack's v0 request signature headers for a body sent at `timestamp` (seconds). */
export function signSlack(body: string, timestamp = Math.floor(Date.now() / 1000), secret = SLACK_SIGNING_SECRET): Headers {
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${hex('sha256', secret, `v0:${timestamp}:${body}`)}` };
}
