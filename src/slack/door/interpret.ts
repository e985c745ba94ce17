/**
 * What one Slack event means for the door (pure): a message to store (opening or joining a ticket), an edit
 * or deletion of a stored message, a teammate answering in a customer's thread, a reaction that marks a
 * message as a ticket, an ops fault, or nothing (with why). Whether a thread already has a ticket is asked of
 * the database later (intake.ts); this file decides only from the event and the configuration.
 */
import type { IntakeMode } from '../../config/slack-door.ts';
import { isPleasantry } from './pleasantry.ts';
import { messageBody } from './text.ts';

export interface DoorSettings {
  channels: ReadonlyMap<string, IntakeMode>;
  reaction: string | undefined;
  dms: boolean;
  customers: readonly { channel: string; user: string }[];
  colleagues: readonly { channel: string; user: string }[];
}

export interface Identity {
  /** Our workspace (the event's team_id, or the configured / auth.test one). */
  teamId: string | undefined;
  botUserId: string | undefined;
  botId: string | undefined;
}

/** A message of a person, as the door stores it. */
export interface SlackMessage {
  channel: string;
  ts: string;
  /** The thread's root ts (its own ts for a top-level message). */
  rootTs: string;
  user: string;
  userTeam: string | undefined;
  body: string;
  name: string | null;
  email: string | null;
  at: Date;
}

export type Intent =
  | { kind: 'ignore'; reason: string }
  /** opens: may open a ticket (else only joins one); customer: written by a customer, not a teammate. */
  | { kind: 'message'; message: SlackMessage; opens: boolean; customer: boolean; topLevel: boolean; pleasantry: boolean }
  | { kind: 'revision'; channel: string; ts: string; body: string; deleted: boolean }
  | { kind: 'mark'; channel: string; ts: string }
  | { kind: 'fault'; fault: 'rate_limited' | 'token_revoked' | 'channel_removed'; channel?: string };

/** Message subtypes that are a person writing; everything else (joins, topics, bots, huddles, unknown) is not. */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** Slack's message timestamps and ids, in the forms Slack uses: anything else (NUL, 5 kB) is not Slack's. */
const TS = /^\d{1,12}\.\d{1,9}$/;
const ID = /^[A-Z0-9][A-Z0-9_-]{1,39}$/;
const ts = (v: unknown): string | undefined => (typeof v === 'string' && TS.test(v) ? v : undefined);
const slackId = (v: unknown): string | undefined => (typeof v === 'string' && ID.test(v) ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

export function tsDate(ts: string): Date {
  const n = Number(ts);
  return Number.isFinite(n) && n > 0 ? new Date(Math.floor(n * 1000)) : new Date();
}

/** Whether `user` (of workspace `userTeam`) is a customer in `channel`: another workspace's, unless listed otherwise. */
export function isCustomer(s: DoorSettings, channel: string, user: string, userTeam: string | undefined, ourTeam: string | undefined, dm: boolean): boolean {
  const listed = (list: DoorSettings['customers']) => list.some((e) => e.user === user && (e.channel === '*' || e.channel === channel));
  if (listed(s.colleagues)) return false;
  if (listed(s.customers)) return true;
  if (dm) return true;
  return userTeam !== undefined && ourTeam !== undefined && userTeam !== ourTeam;
}

export function interpretEvent(s: DoorSettings, id: Identity, event: Record<string, unknown>): Intent {
  const type = str(event.type);
  switch (type) {
    case 'message':
      return interpretMessage(s, id, event, false);
    case 'app_mention':
      return interpretMessage(s, id, event, true);
    case 'reaction_added': {
      const item = obj(event.item);
      const channel = slackId(item?.channel);
      const itemTs = ts(item?.ts);
      if (!s.reaction || event.reaction !== s.reaction) return { kind: 'ignore', reason: 'another reaction' };
      if (item?.type !== 'message' || !channel || !itemTs) return { kind: 'ignore', reason: 'a reaction on something other than a message' };
      if (s.channels.get(channel) !== 'reaction') return { kind: 'ignore', reason: 'a reaction outside a reaction-mode intake channel' };
      return { kind: 'mark', channel, ts: itemTs };
    }
    case 'tokens_revoked':
    case 'app_uninstalled':
      return { kind: 'fault', fault: 'token_revoked' };
    case 'channel_left':
    case 'group_left': {
      const channel = slackId(event.channel);
      return channel && s.channels.has(channel) ? { kind: 'fault', fault: 'channel_removed', channel } : { kind: 'ignore', reason: `${type} of a channel that is not a door` };
    }
    case 'member_left_channel': {
      const channel = slackId(event.channel);
      if (id.botUserId && event.user === id.botUserId && channel && s.channels.has(channel)) return { kind: 'fault', fault: 'channel_removed', channel };
      return { kind: 'ignore', reason: 'a member left a channel' };
    }
    default:
      return { kind: 'ignore', reason: `event type ${String(type).slice(0, 40)} is not intake` };
  }
}

function interpretMessage(s: DoorSettings, id: Identity, e: Record<string, unknown>, mention: boolean): Intent {
  const channel = slackId(e.channel);
  if (!channel) return { kind: 'ignore', reason: 'no channel id' };
  const dm = e.channel_type === 'im';
  const mode = s.channels.get(channel);
  // Outside intake channels only replies in a thread can matter: the thread of a ticket opened by /ticket,
  // the shortcut or a mention (whether it has one is asked later).
  const elsewhere = !mention && !mode && !(dm && s.dms);
  if (elsewhere && (ts(e.thread_ts) === undefined || e.thread_ts === e.ts)) return { kind: 'ignore', reason: 'not an intake channel' };
  const subtype = str(e.subtype);
  if (subtype === 'message_changed' || subtype === 'message_deleted') return mention ? { kind: 'ignore', reason: 'mention edit' } : interpretRevision(id, e, channel, subtype);
  if (!PERSON_SUBTYPES.has(subtype)) return { kind: 'ignore', reason: `system message (${subtype!.slice(0, 40)})` };
  if (e.hidden === true) return { kind: 'ignore', reason: 'hidden message' };
  if (e.bot_id !== undefined || e.bot_profile !== undefined) return { kind: 'ignore', reason: e.bot_id === id.botId && id.botId ? 'our own post' : 'a bot\'s post' };
  const user = slackId(e.user);
  const messageTs = ts(e.ts);
  if (!user || !messageTs) return { kind: 'ignore', reason: 'a message without a user id or ts' };
  if (user === id.botUserId) return { kind: 'ignore', reason: 'our own post' };
  const rootTs = ts(e.thread_ts) ?? messageTs;
  const profile = obj(e.user_profile);
  const userTeam = str(e.user_team) ?? str(profile?.team) ?? str(e.team);
  let body = messageBody(e.text, e.files);
  if (mention && id.botUserId) body = body.replaceAll(`@${id.botUserId}`, '').trim();
  const customer = isCustomer(s, channel, user, userTeam, id.teamId, dm);
  const message: SlackMessage = {
    channel, ts: messageTs, rootTs, user, userTeam, body,
    name: str(profile?.real_name) ?? str(profile?.display_name) ?? str(profile?.name) ?? null,
    email: str(profile?.email) ?? null,
    at: tsDate(messageTs),
  };
  if (!body) return { kind: 'ignore', reason: 'a message without text' };
  // An @mention opens a ticket whoever wrote it, anywhere the app is; in an `all` channel (or a DM) every
  // customer message may; in the other modes a message only joins a ticket its thread already has.
  const opens = !elsewhere && (mention || ((mode === 'all' || (dm && s.dms)) && customer));
  return { kind: 'message', message, opens, customer: mention || customer, topLevel: rootTs === messageTs, pleasantry: isPleasantry(body) };
}

function interpretRevision(id: Identity, e: Record<string, unknown>, channel: string, subtype: string): Intent {
  const previous = obj(e.previous_message);
  if (subtype === 'message_deleted') {
    const deletedTs = ts(e.deleted_ts) ?? ts(previous?.ts);
    if (!deletedTs) return { kind: 'ignore', reason: 'a deletion without ts' };
    if (previous?.bot_id !== undefined) return { kind: 'ignore', reason: 'a bot\'s post deleted' };
    return { kind: 'revision', channel, ts: deletedTs, body: '(deleted in Slack)', deleted: true };
  }
  const message = obj(e.message);
  const editedTs = ts(message?.ts);
  if (!message || !editedTs) return { kind: 'ignore', reason: 'an edit without its message' };
  if (message.bot_id !== undefined || (id.botUserId && message.user === id.botUserId)) return { kind: 'ignore', reason: 'a bot\'s post changed' };
  const body = messageBody(message.text, message.files);
  // Slack sends message_changed when it adds a link preview (attachments) or a reply count: not an edit.
  if (previous && body === messageBody(previous.text, previous.files)) return { kind: 'ignore', reason: 'changed without new text (a link preview)' };
  if (!body) return { kind: 'ignore', reason: 'an edit to no text' };
  return { kind: 'revision', channel, ts: editedTs, body, deleted: false };
}
