/**
 * Slack's Events API as Slack sends it: event_callback bodies of recorded shapes (a customer of another
 * workspace in a Slack Connect channel, a teammate, joins, bot posts, unfurls, edits, deletes, thread replies,
 * file shares, huddles) and the signed POST to /slack/events (with X-Slack-Retry-Num for Slack's retries).
 * Shared by the tests and the benchmark.
 */
import { randomUUID } from 'node:crypto';
import { signSlack } from './signing.ts';

/** Our workspace (auth.test of the fake answers TFAKE) and a customer's (Slack Connect). */
export const OUR_TEAM = 'TFAKE';
export const CUSTOMER_TEAM = 'TCUSTOMER1';
export const INTAKE = { all: 'CSHARED001', reaction: 'CREACT0001', mention: 'CMENTION01' };

let seq = 0;
/** A fresh message ts (Slack's "seconds.micro" form), increasing. */
export function nextTs(): string {
  seq += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(100000 + seq).padStart(6, '0')}`;
}

export function customerProfile(name = 'Cora Customer', email = 'cora@customer.example') {
  return { real_name: name, display_name: name.split(' ')[0], name: name.toLowerCase().replace(' ', '.'), team: CUSTOMER_TEAM, email };
}

/** A person's message event: a customer of another workspace unless `team` says ours. */
export function messageEvent(o: { channel?: string; user?: string; text: string; ts?: string; thread_ts?: string; team?: string; subtype?: string; files?: unknown[]; profile?: Record<string, unknown> }) {
  const team = o.team ?? CUSTOMER_TEAM;
  return {
    type: 'message',
    channel: o.channel ?? INTAKE.all,
    channel_type: 'channel',
    user: o.user ?? 'UCUSTOMER1',
    text: o.text,
    ts: o.ts ?? nextTs(),
    ...(o.thread_ts ? { thread_ts: o.thread_ts } : {}),
    ...(o.subtype ? { subtype: o.subtype } : {}),
    ...(o.files ? { files: o.files } : {}),
    team,
    user_team: team,
    source_team: team,
    ...(team === OUR_TEAM ? {} : { user_profile: o.profile ?? customerProfile() }),
  };
}

export function callback(event: Record<string, unknown>, o: { eventId?: string; teamId?: string } = {}) {
  return {
    token: 'legacy', team_id: o.teamId ?? OUR_TEAM, api_app_id: 'AFAKE', type: 'event_callback',
    event_id: o.eventId ?? `Ev${randomUUID().replaceAll('-', '').slice(0, 12).toUpperCase()}`, event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: o.teamId ?? OUR_TEAM, user_id: 'UFAKEBOT1', is_bot: true }], event,
  };
}

/** POSTs a body to /slack/events signed with the test secret (or `secret`); `retryNum` as Slack's retries carry it. */
export async function sendEvent(baseUrl: string, body: unknown, o: { retryNum?: number; secret?: string; raw?: string } = {}) {
  const raw = o.raw ?? JSON.stringify(body);
  const res = await fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signSlack(raw, undefined, o.secret),
      ...(o.retryNum ? { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
    },
    body: raw,
  });
  return { status: res.status, text: await res.text() };
}
