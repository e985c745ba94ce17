/**
 * Help Scout (Mailbox API 2.0): a reply thread, `POST /v2/conversations/{id}/reply` with `{customer: {email},
 * text}` (HTML), bearer token from the OAuth2 client-credentials grant (openid-client, as the IMAP OAuth does).
 * The token is kept until 80 % of its lifetime; a 401 drops it and the call is tried once with a fresh one.
 * Help Scout answers 201 with the new thread's id in `Resource-ID`.
 */
import * as oidc from 'openid-client';
import type { Ticket } from '../../domain/ticket.ts';
import { PermanentSendError, type OutboundReply, type ReplySender, type SentReply, TransientSendError } from '../../domain/reply.ts';
import { callApi, isPathId, RefusedError } from './http.ts';
import { plainTextToHtml } from './html.ts';

export interface HelpScoutReplyOptions {
  appId: string;
  appSecret: string;
  timeoutMs: number;
  /** Replaces https://api.helpscout.net (tests); the token endpoint is {baseUrl}/v2/oauth2/token. */
  baseUrl?: string;
}

/** Help Scout's tokens last two days; renew well before. */
const RENEW_AT = 0.8;

function tokenError(error: unknown): Error {
  if (error instanceof oidc.ResponseBodyError) {
    const said = `${error.error}${error.error_description ? `: ${error.error_description.slice(0, 200)}` : ''}`;
    if (error.status >= 500 || error.status === 429) return new TransientSendError(`helpscout token endpoint answered HTTP ${error.status} (${said})`);
    return new PermanentSendError(`helpscout refused the app credentials (${said}); check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET`);
  }
  const e = error as { message?: string; cause?: { code?: string } };
  return new TransientSendError(`helpscout token endpoint unreachable (${e.cause?.code ?? e.message ?? String(error)})`);
}

export function helpScoutReplySender(o: HelpScoutReplyOptions): ReplySender {
  const base = o.baseUrl ?? 'https://api.helpscout.net';
  const tokenUrl = `${base}/v2/oauth2/token`;
  const oidcConfig = new oidc.Configuration({ issuer: base, token_endpoint: tokenUrl }, o.appId, o.appSecret, oidc.ClientSecretPost(o.appSecret));
  oidcConfig.timeout = Math.max(1, Math.ceil(o.timeoutMs / 1000));
  if (new URL(tokenUrl).protocol === 'http:') oidc.allowInsecureRequests(oidcConfig);
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const accessToken = (): Promise<string> => {
    if (cached && Date.now() < cached.renewAt) return Promise.resolve(cached.token);
    // Replies sent at once share one token request.
    pending ??= (async () => {
      try {
        const t = await oidc.clientCredentialsGrant(oidcConfig);
        const lifetimeS = t.expires_in ?? 7200;
        cached = { token: t.access_token, renewAt: Date.now() + lifetimeS * 1000 * RENEW_AT };
        return t.access_token;
      } catch (error) {
        throw tokenError(error);
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  const post = async (ticket: Ticket, reply: OutboundReply, token: string) =>
    callApi({
      service: 'helpscout',
      method: 'POST',
      url: `${base}/v2/conversations/${encodeURIComponent(ticket.externalId!)}/reply`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/hal+json, application/json' },
      body: JSON.stringify({ customer: { email: ticket.replyTo ?? ticket.requesterEmail }, text: plainTextToHtml(reply.text) }),
      timeoutMs: o.timeoutMs,
    });

  return {
    sources: ['helpscout'],
    // The reply is addressed to a customer; Help Scout needs to know which one.
    canReply: (ticket: Ticket) => isPathId(ticket.externalId) && (ticket.replyTo ?? ticket.requesterEmail) !== null,
    async send(ticket: Ticket, reply: OutboundReply): Promise<SentReply> {
      const token = await accessToken();
      let answer;
      try {
        answer = await post(ticket, reply, token);
      } catch (error) {
        // A token revoked or expired early: once more with a new one.
        if (!(error instanceof RefusedError && error.status === 401)) throw error;
        if (cached?.token === token) cached = undefined;
        answer = await post(ticket, reply, await accessToken());
      }
      const id = answer.headers.get('resource-id');
      return id ? { externalId: id } : {};
    },
  };
}
