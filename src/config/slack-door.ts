/**
 * Slack as a door: the channels customers write in (by id, each with its intake mode), who counts as a
 * customer there, how messages group into tickets, and the reactions that tell the customer we saw it.
 */
import { z } from 'zod';
import { bool, int, optionalString, string } from './validators.ts';
import { variable } from './variable.ts';

export const INTAKE_MODES = ['all', 'reaction', 'mention'] as const;
export type IntakeMode = (typeof INTAKE_MODES)[number];

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** `C0123:all,C0456:reaction,C0789:mention` -> Map(channel id -> mode). */
const intakeChannels = optionalString.transform((v, ctx) => {
  const out = new Map<string, IntakeMode>();
  for (const item of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id, mode = 'all', ...rest] = item.split(':').map((s) => s.trim());
    if (!id || !CHANNEL_ID.test(id) || rest.length || !(INTAKE_MODES as readonly string[]).includes(mode)) {
      ctx.addIssue({ code: 'custom', message: `"${item.slice(0, 60)}" must be CHANNEL_ID:MODE (a channel id such as C0123ABCD, mode all, reaction or mention)` });
      return z.NEVER;
    }
    out.set(id, mode as IntakeMode);
  }
  return out;
});

/** `C0123:U0AAA,*:U0BBB` -> list of (channel or '*', user id) pairs. */
const userOverrides = optionalString.transform((v, ctx) => {
  const out: { channel: string; user: string }[] = [];
  for (const item of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [channel, user, ...rest] = item.split(':').map((s) => s.trim());
    if (!channel || !user || rest.length || !(channel === '*' || CHANNEL_ID.test(channel)) || !USER_ID.test(user)) {
      ctx.addIssue({ code: 'custom', message: `"${item.slice(0, 60)}" must be CHANNEL_ID:USER_ID (or *:USER_ID for every intake channel)` });
      return z.NEVER;
    }
    out.push({ channel, user });
  }
  return out;
});

/** A reaction name without colons; `none` switches it off. */
const reaction = (fallback: string) =>
  string(fallback).refine((v) => /^[a-z0-9_+'-]{1,100}$/.test(v.replace(/^:|:$/g, '')), { message: 'must be an emoji name such as eyes (or none)' })
    .transform((v) => { const name = v.replace(/^:|:$/g, ''); return name === 'none' ? undefined : name; });

export const slackDoorVariables = {
  channels: variable('SLACK_INTAKE_CHANNELS', intakeChannels, 'Channels that are a door, by id with their mode: C0123:all,C0456:reaction,C0789:mention.'),
  reaction: variable('SLACK_INTAKE_REACTION', reaction('ticket'), 'In reaction mode, the reaction a teammate adds to make a message a ticket.'),
  dms: variable('SLACK_INTAKE_DMS', bool(false), 'Direct messages to the app open tickets too.'),
  groupMinutes: variable('SLACK_INTAKE_GROUP_MINUTES', int(30, 0, 1440), 'A top-level message from the same author within this many minutes joins their open ticket.'),
  customers: variable('SLACK_INTAKE_CUSTOMERS', userOverrides, 'People of our own workspace who count as customers: CHANNEL_ID:USER_ID or *:USER_ID, comma-separated.'),
  colleagues: variable('SLACK_INTAKE_COLLEAGUES', userOverrides, 'People of other workspaces who count as colleagues: CHANNEL_ID:USER_ID or *:USER_ID.'),
  teamId: variable('SLACK_TEAM_ID', optionalString, 'Our own workspace id (T0...); default: the one auth.test names.'),
  ticketCommand: variable('SLACK_TICKET_COMMAND', string('/ticket'), 'The slash command that makes a ticket of its text.'),
  receiptReaction: variable('SLACK_RECEIPT_REACTION', reaction('eyes'), 'Added to a customer message that opened a ticket; none: no reaction.'),
  resolvedReaction: variable('SLACK_RESOLVED_REACTION', reaction('white_check_mark'), 'Added to the ticket\'s first message when it is resolved; none: no reaction.'),
  replyAsAgent: variable('SLACK_REPLY_AS_AGENT', bool(false), 'Replies in the customer\'s thread carry the agent\'s name (needs the chat:write.customize scope).'),
};
