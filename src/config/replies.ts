/**
 * Replies to customers through the helpdesks' own APIs (src/outbound/helpdesks/), each with its own
 * credentials; a helpdesk answers replies only when its credentials are complete. Generic and REST tickets
 * are answered through signed outbound webhooks. Drafts: how long the model may take to suggest an answer.
 */
import { int, optionalString, secretEndpoint } from './validators.ts';
import { type Environment, isSet, type Values, variable } from './variable.ts';

const pattern = (re: RegExp, message: string) => optionalString.refine((v) => v === undefined || re.test(v), { message });

const subdomain = pattern(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i, 'must be the subdomain only (acme for acme.zendesk.com)');
const hostname = pattern(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'must be a host name such as acme.freshdesk.com');
const numericId = pattern(/^\d{1,20}$/, 'must be a numeric id');
const frontId = pattern(/^(?:tea_[A-Za-z0-9]+|alt:email:\S+@\S+)$/, 'must be a teammate id (tea_...) or alt:email:ADDRESS');

export const replyVariables = {
  zendesk: {
    subdomain: variable('ZENDESK_SUBDOMAIN', subdomain, 'Zendesk account subdomain (acme for acme.zendesk.com); with the API e-mail and token, Zendesk tickets can be answered.'),
    email: variable('ZENDESK_API_EMAIL', optionalString, 'E-mail of the Zendesk agent whose API token is used.'),
    token: variable('ZENDESK_API_TOKEN', optionalString, 'Zendesk API token (Admin Center > Apps and integrations > Zendesk API).'),
    authorId: variable('ZENDESK_AUTHOR_ID', numericId, 'Zendesk user id shown as the reply\'s author; unset = the API user.'),
    apiUrl: variable('ZENDESK_API_URL', secretEndpoint, 'Zendesk API base URL; unset = https://{subdomain}.zendesk.com (a proxy, or a fake in tests).'),
  },
  freshdesk: {
    domain: variable('FRESHDESK_DOMAIN', hostname, 'Freshdesk host (acme.freshdesk.com); with the API key, Freshdesk tickets can be answered.'),
    apiKey: variable('FRESHDESK_API_KEY', optionalString, 'Freshdesk API key of the agent who replies (Profile settings).'),
  },
  helpscout: {
    appId: variable('HELPSCOUT_APP_ID', optionalString, 'Help Scout OAuth2 app id (client credentials); with the secret, conversations can be answered.'),
    appSecret: variable('HELPSCOUT_APP_SECRET', optionalString, 'Help Scout OAuth2 app secret.'),
  },
  intercom: {
    accessToken: variable('INTERCOM_ACCESS_TOKEN', optionalString, 'Intercom access token; with the admin id, conversations can be answered.'),
    adminId: variable('INTERCOM_ADMIN_ID', numericId, 'Intercom admin who authors the replies.'),
  },
  front: {
    apiToken: variable('FRONT_API_TOKEN', optionalString, 'Front API token (scope messages:send); Front conversations can be answered.'),
    authorId: variable('FRONT_AUTHOR_ID', frontId, 'Front teammate shown as the reply\'s author (tea_... or alt:email:ADDRESS); unset = the token\'s default.'),
  },
  generic: {
    url: variable('GENERIC_REPLY_WEBHOOK_URL', secretEndpoint, 'Where replies to generic-webhook tickets are POSTed, signed (https; http only to localhost).'),
    secret: variable('GENERIC_REPLY_WEBHOOK_SECRET', optionalString, 'HMAC secret signing those replies (same scheme as the inbound generic webhook).'),
  },
  api: {
    url: variable('API_REPLY_WEBHOOK_URL', secretEndpoint, 'Where replies to REST tickets are POSTed, signed; unset = REST tickets cannot be answered.'),
    secret: variable('API_REPLY_WEBHOOK_SECRET', optionalString, 'HMAC secret signing replies to REST tickets.'),
  },
  timeoutMs: variable('HELPDESK_API_TIMEOUT_MS', int(15_000, 1000, 120_000), 'Budget of one call to a helpdesk API or reply webhook; past it the send is retried.'),
  draftTimeoutMs: variable('DRAFT_TIMEOUT_MS', int(8000, 500, 60_000), 'How long the model may take to draft an answer before the saved reply is used.'),
};

/** Variables that only work together: all set or none. */
const GROUPS: readonly (readonly string[])[] = [
  ['ZENDESK_SUBDOMAIN', 'ZENDESK_API_EMAIL', 'ZENDESK_API_TOKEN'],
  ['FRESHDESK_DOMAIN', 'FRESHDESK_API_KEY'],
  ['HELPSCOUT_APP_ID', 'HELPSCOUT_APP_SECRET'],
  ['INTERCOM_ACCESS_TOKEN', 'INTERCOM_ADMIN_ID'],
  ['GENERIC_REPLY_WEBHOOK_URL', 'GENERIC_REPLY_WEBHOOK_SECRET'],
  ['API_REPLY_WEBHOOK_URL', 'API_REPLY_WEBHOOK_SECRET'],
];

export function replyRules(source: Environment): string[] {
  const problems: string[] = [];
  for (const group of GROUPS) {
    const set = group.filter((name) => isSet(source, name));
    if (set.length > 0 && set.length < group.length) {
      for (const name of group.filter((n) => !set.includes(n))) problems.push(`${name}: required with ${set.join(', ')}`);
    }
  }
  for (const name of ['ZENDESK_AUTHOR_ID', 'ZENDESK_API_URL']) {
    if (!isSet(source, 'ZENDESK_SUBDOMAIN') && isSet(source, name)) problems.push(`${name}: needs ZENDESK_SUBDOMAIN, ZENDESK_API_EMAIL and ZENDESK_API_TOKEN`);
  }
  if (!isSet(source, 'FRONT_API_TOKEN') && isSet(source, 'FRONT_AUTHOR_ID')) problems.push('FRONT_AUTHOR_ID: needs FRONT_API_TOKEN');
  return problems;
}

/** Each helpdesk's settings, or undefined when it is not configured (the rules above make a section whole). */
export function replySection(v: Values<typeof replyVariables>) {
  const { zendesk: z, freshdesk: f, helpscout: h, intercom: i, front: fr, generic: g, api: a } = v;
  return {
    zendesk: z.subdomain && z.email && z.token ? { subdomain: z.subdomain, email: z.email, token: z.token, authorId: z.authorId, ...(z.apiUrl ? { baseUrl: z.apiUrl.replace(/\/+$/, '') } : {}) } : undefined,
    freshdesk: f.domain && f.apiKey ? { domain: f.domain.toLowerCase(), apiKey: f.apiKey } : undefined,
    helpscout: h.appId && h.appSecret ? { appId: h.appId, appSecret: h.appSecret } : undefined,
    intercom: i.accessToken && i.adminId ? { accessToken: i.accessToken, adminId: i.adminId } : undefined,
    front: fr.apiToken ? { apiToken: fr.apiToken, authorId: fr.authorId } : undefined,
    generic: g.url && g.secret ? { url: g.url, secret: g.secret } : undefined,
    api: a.url && a.secret ? { url: a.url, secret: a.secret } : undefined,
    timeoutMs: v.timeoutMs,
    draftTimeoutMs: v.draftTimeoutMs,
  };
}

export type ReplyConfig = ReturnType<typeof replySection>;
