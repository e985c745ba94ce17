/**
 * The Slack door at run time: each Events API delivery (HTTP or Socket Mode: both receivers hand the
 * event_callback body here and answer Slack only when this resolves, so what is acknowledged is stored) is
 * interpreted (interpret.ts), placed on its ticket (a thread is one ticket; a customer's new top-level message
 * within the grouping window joins their open ticket) and handed to ingest as door `slack`. A Slack message is
 * keyed `CHANNEL/TS`, which is also its delivery id: a retried event (X-Slack-Retry-Num), the same message
 * arriving as `message` and `app_mention`, or read back after an outage (back-read.ts) is one message.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SignalReport } from '../../db/repositories/ops-incidents.ts';
import { openSlackTicketOfAuthor, slackTicketKeyOf } from '../../db/repositories/slack-door.ts';
import type { Sql } from '../../db/sql.ts';
import type { Delivery, DeliveryContent, DeliveryVerdict } from '../../ingest/delivery.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import { IngestValidationError } from '../../ingest/normalize.ts';
import { incidentKey } from '../../ops/incident-keys.ts';
import { describeError } from '../delivery/errors.ts';
import { type DoorSettings, type Identity, type Intent, interpretEvent, type SlackMessage } from './interpret.ts';
import { subjectOf } from './text.ts';

export const SLACK_DOOR = 'slack';

export interface SlackDoorDeps {
  settings: DoorSettings;
  groupMinutes: number;
  receiptReaction: string | undefined;
  ingest: Pick<Ingest, 'deliver'>;
  sql: Sql;
  client: webApi.WebClient;
  /** The bot's ids and our workspace (auth.test; SLACK_TEAM_ID first when set). */
  identity: () => Identity;
  logger: Logger;
}

type Fault = { title: string; detail: string; since: Date; until?: number };

export interface SlackDoor {
  /** An event_callback (or app_rate_limited) body; resolves once its verdict is stored. */
  receive(body: Record<string, unknown>, meta?: { retryNum?: number }): Promise<DeliveryVerdict>;
  /** A person's message handed in by a command, a shortcut or the back-read (no event of its own). */
  deliverMessage(intent: Extract<Intent, { kind: 'message' }>, context?: { eventId?: string; via?: string }): Promise<DeliveryVerdict>;
  /** What the ops monitor should know: rate limited, a channel the app was removed from, a revoked token. */
  faults(): SignalReport[];
  /** A Slack call of the door failed: a revoked token or a lost channel becomes a fault. */
  noteError(error: unknown, channel?: string): void;
  /** A channel answered again (the back-read read it): its fault, if any, is over. */
  noteChannelOk(channel: string): void;
}

const TOKEN_ERRORS = new Set(['invalid_auth', 'token_revoked', 'account_inactive', 'not_authed', 'token_expired']);
const CHANNEL_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

export function createSlackDoor(deps: SlackDoorDeps): SlackDoor {
  const log = deps.logger.child({ component: 'slack-door' });
  const faults = new Map<string, Fault>();
  const setFault = (key: string, fault: Omit<Fault, 'since'>) => faults.set(key, { since: faults.get(key)?.since ?? new Date(), ...fault });

  const deliver = (content: DeliveryContent, d: { deliveryId: string | null; threadKey?: string; raw?: string | undefined; metadata?: Record<string, unknown> }): Promise<DeliveryVerdict> =>
    deps.ingest.deliver({
      door: SLACK_DOOR,
      deliveryId: d.deliveryId,
      ...(d.threadKey ? { threadKey: d.threadKey } : {}),
      ...(d.raw ? { payload: { raw: d.raw, verified: true } } : {}),
      ...(d.metadata ? { metadata: d.metadata } : {}),
      recordOnce: !('message' in content),
      content,
    } satisfies Delivery).catch((error: unknown) => {
      // A message ingest refused for good (an id PostgreSQL cannot hold): recorded by ingest, answered 200 so Slack stops retrying.
      if (error instanceof IngestValidationError) return { verdict: 'rejected' as const, ticketId: null, reason: error.message };
      throw error;
    });

  const react = (channel: string, ts: string) => {
    if (!deps.receiptReaction) return;
    deps.client.reactions.add({ channel, timestamp: ts, name: deps.receiptReaction }).catch((error: unknown) => {
      if (describeError(error) !== 'slack error: already_reacted') log.warn({ err: describeError(error), channel, ts }, 'receipt reaction failed');
    });
  };

  /** The ticket a message goes on: its thread's, the author's open one (grouping), or a new one keyed by it; or why none. */
  async function placement(i: Extract<Intent, { kind: 'message' }>): Promise<{ threadKey: string; answer: boolean } | { ignored: string }> {
    const m = i.message;
    const key = `${m.channel}/${m.ts}`;
    if (!i.topLevel) {
      const owner = await slackTicketKeyOf(deps.sql, `${m.channel}/${m.rootTs}`);
      if (owner) return { threadKey: owner.key, answer: !i.customer };
      if (!i.opens) return { ignored: i.customer ? 'a thread without a ticket' : 'a teammate in a thread without a ticket' };
      if (i.pleasantry) return { ignored: 'only thanks or acknowledgement' };
      return { threadKey: `${m.channel}/${m.rootTs}`, answer: false };
    }
    // Already stored (a retry, the same message as app_mention): the delivery id finds it on its ticket.
    const stored = await slackTicketKeyOf(deps.sql, key);
    if (stored) return { threadKey: stored.key, answer: false };
    if (!i.customer) return { ignored: 'a teammate\'s message' };
    if (i.pleasantry) return { ignored: 'only thanks or acknowledgement' };
    const open = await openSlackTicketOfAuthor(deps.sql, m.channel, m.user, deps.groupMinutes);
    if (open) return { threadKey: open.key, answer: false };
    if (!i.opens) return { ignored: 'not a door in this mode (react or mention to make a ticket)' };
    return { threadKey: key, answer: false };
  }

  async function deliverMessage(i: Extract<Intent, { kind: 'message' }>, context: { eventId?: string; via?: string; raw?: string } = {}): Promise<DeliveryVerdict> {
    const m = i.message;
    const key = `${m.channel}/${m.ts}`;
    const metadata = { event_id: context.eventId ?? null, via: context.via ?? 'event', channel: m.channel, ts: m.ts };
    const place = await placement(i);
    if ('ignored' in place) return deliver({ ignored: place.ignored }, { deliveryId: context.eventId ?? key, raw: context.raw, metadata });
    if (place.answer) {
      return deliver(
        { answer: { source: 'slack', ticketKey: place.threadKey, externalId: key, text: m.body, agent: { slackUserId: m.user, name: m.name }, at: m.at } },
        { deliveryId: key, raw: context.raw, metadata },
      );
    }
    const opening = place.threadKey === key;
    const verdict = await deliver(
      {
        message: {
          source: 'slack',
          externalId: key,
          subject: opening ? subjectOf(m.body) : null,
          body: m.body,
          requesterName: m.name,
          requesterEmail: m.email,
          // The Slack user is the customer's id on this door (a Slack Connect author without an address too).
          requesterId: m.user,
          receivedAt: m.at,
          // The Slack author, kept so the ticket's customer can be linked to them; channel and author group messages.
          metadata: { slack_channel: m.channel, slack_user: m.user, slack_team: m.userTeam ?? null, slack_ts: m.ts, slack_thread_ts: m.rootTs },
        },
      },
      // A message that opens its own ticket is keyed by itself: ingest's group commit stores it (and finds a
      // second copy by the same key); a message on another's ticket goes through that ticket's thread.
      { deliveryId: key, ...(opening ? {} : { threadKey: place.threadKey }), raw: context.raw, metadata },
    );
    if (verdict.verdict === 'accepted') react(m.channel, m.ts);
    return verdict;
  }

  async function markedMessage(channel: string, ts: string): Promise<Record<string, unknown> | undefined> {
    const res = await deps.client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
    const found = (res.messages ?? []).find((x) => x.ts === ts);
    if (found) return { ...found, channel };
    // A message inside a thread is not in the channel's history: ask its thread (ts names the reply itself).
    const replies = await deps.client.conversations.replies({ channel, ts, latest: ts, inclusive: true, limit: 1 }).catch(() => undefined);
    const reply = (replies?.messages ?? []).find((x) => x.ts === ts);
    return reply ? { ...reply, channel } : undefined;
  }

  function noteError(error: unknown, channel?: string): void {
    const code = describeError(error).replace(/^slack error: /, '');
    if (TOKEN_ERRORS.has(code)) setFault(incidentKey.slack('token'), { title: 'Slack refuses our token', detail: `Slack said ${code}: reinstall the app and set SLACK_BOT_TOKEN` });
    else if (channel && CHANNEL_ERRORS.has(code)) setFault(incidentKey.slack(`channel:${channel}`), { title: `Support Triage cannot read Slack channel ${channel}`, detail: `Slack said ${code}: invite the app back (/invite) or remove the channel from SLACK_INTAKE_CHANNELS` });
  }

  function noteChannelOk(channel: string): void {
    faults.delete(incidentKey.slack(`channel:${channel}`));
    faults.delete(incidentKey.slack('token'));
  }

  return {
    deliverMessage,
    async receive(body, meta = {}) {
      const raw = JSON.stringify(body);
      const eventId = typeof body.event_id === 'string' && body.event_id ? body.event_id.slice(0, 255) : null;
      const metadata: Record<string, unknown> = { event_type: null, retry_num: meta.retryNum ?? null };
      if (body.type === 'app_rate_limited') {
        setFault(incidentKey.slack('rate-limited'), { title: 'Slack is holding back our events (app_rate_limited)', detail: `Slack dropped events for minute ${String(body.minute_rate_limited)}; the back-read fills the gap`, until: Date.now() + 120_000 });
        return deliver({ ignored: 'app_rate_limited: Slack held back events' }, { deliveryId: eventId, raw, metadata: { ...metadata, event_type: 'app_rate_limited' } });
      }
      const event = body.event as Record<string, unknown>;
      metadata.event_type = `${String(event.type).slice(0, 40)}${typeof event.subtype === 'string' ? `/${event.subtype.slice(0, 40)}` : ''}`;
      const known = deps.identity();
      const identity: Identity = { ...known, teamId: known.teamId ?? (typeof body.team_id === 'string' ? body.team_id : undefined) };
      const intent = interpretEvent(deps.settings, identity, event);
      switch (intent.kind) {
        case 'ignore':
          return deliver({ ignored: intent.reason }, { deliveryId: eventId, raw, metadata });
        case 'fault': {
          const channel = intent.channel ?? '';
          if (intent.fault === 'token_revoked') setFault(incidentKey.slack('token'), { title: 'Slack token revoked or app uninstalled', detail: `Slack said ${String(event.type)}: reinstall the app and set SLACK_BOT_TOKEN` });
          else setFault(incidentKey.slack(`channel:${channel}`), { title: `Support Triage was removed from Slack channel ${channel}`, detail: 'Invite the app back (/invite) or remove the channel from SLACK_INTAKE_CHANNELS' });
          return deliver({ ignored: `ops fault: ${intent.fault}` }, { deliveryId: eventId, raw, metadata });
        }
        case 'revision':
          return deliver(
            { revision: { source: 'slack', externalId: `${intent.channel}/${intent.ts}`, body: intent.body, deleted: intent.deleted, at: new Date() } },
            { deliveryId: eventId, raw, metadata },
          );
        case 'mark': {
          const found = await markedMessage(intent.channel, intent.ts).catch((error: unknown) => {
            noteError(error, intent.channel);
            throw error;
          });
          const marked = found ? interpretEvent({ ...deps.settings, channels: new Map([[intent.channel, 'all']]) }, identity, { type: 'app_mention', ...found }) : undefined;
          if (marked?.kind !== 'message') return deliver({ ignored: marked?.kind === 'ignore' ? `marked: ${marked.reason}` : 'the marked message is gone' }, { deliveryId: eventId, raw, metadata });
          return deliverMessage({ ...marked, customer: true, opens: true }, { ...(eventId ? { eventId } : {}), via: 'reaction', raw });
        }
        case 'message':
          return deliverMessage(intent, { ...(eventId ? { eventId } : {}), raw });
      }
    },
    faults() {
      const now = Date.now();
      for (const [key, f] of faults) if (f.until !== undefined && f.until < now) faults.delete(key);
      const reports: SignalReport[] = [...faults].map(([key, f]) => ({ key, title: f.title, bad: true, since: f.since, detail: f.detail }));
      for (const key of [incidentKey.slack('rate-limited'), incidentKey.slack('token')]) {
        if (!faults.has(key)) reports.push({ key, title: key, bad: false });
      }
      for (const channel of deps.settings.channels.keys()) {
        const key = incidentKey.slack(`channel:${channel}`);
        if (!faults.has(key)) reports.push({ key, title: key, bad: false });
      }
      return reports;
    },
    noteError,
    noteChannelOk,
  };
}

export type { SlackMessage };
