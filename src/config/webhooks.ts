/** One secret per helpdesk provider; a provider's endpoint exists only when its secret is set. */
import type { WebhookProvider } from '../domain/categories.ts';
import { optionalString } from './validators.ts';
import { type Variable, variable } from './variable.ts';

export const webhookVariables = {
  zendesk: variable('ZENDESK_WEBHOOK_SECRET', optionalString, 'Zendesk webhook signing secret.'),
  helpscout: variable('HELPSCOUT_WEBHOOK_SECRET', optionalString, 'Help Scout webhook secret key.'),
  intercom: variable('INTERCOM_CLIENT_SECRET', optionalString, 'Intercom app client secret (signs its webhooks).'),
  front: variable('FRONT_WEBHOOK_SECRET', optionalString, 'Front app signing secret.'),
  freshdesk: variable('FRESHDESK_WEBHOOK_TOKEN', optionalString, 'Token Freshdesk sends with each webhook.'),
  generic: variable('GENERIC_WEBHOOK_SECRET', optionalString, 'HMAC secret of the generic webhook.'),
} satisfies Record<WebhookProvider, Variable<string | undefined>>;
