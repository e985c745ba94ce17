/**
 * What a request from Slack must look like before Bolt sees it. A correct signature proves the sender knows
 * the signing secret, not that the body is one of Slack's shapes; Bolt reads fields of any parsed body
 * (`body.type`, `body.actions[0]`, `body.user.id`) and fails on `null`, arrays, numbers or missing parts.
 * Both receivers use this: HTTP (/slack/events) and Socket Mode (the envelope's payload). Only the fields Bolt
 * and our listeners rely on are checked; everything else passes through untouched.
 */
import { z } from 'zod';

const id = z.string().min(1);
const user = z.object({ id });
const action = z.object({ action_id: id, type: z.string().optional() });

/** A slash command (form fields). */
const command = z.object({
  command: z.string().regex(/^\/\S+$/),
  text: z.string(),
  team_id: id,
  user_id: id,
  channel_id: id,
  response_url: z.string().url(),
});

const byType: Record<string, z.ZodType> = {
  url_verification: z.object({ challenge: id }),
  event_callback: z.object({ team_id: id, event: z.object({ type: id }) }),
  app_rate_limited: z.object({ team_id: id }),
  block_actions: z.object({ user, actions: z.array(action).min(1), team: z.object({ id }).nullable().optional() }),
  block_suggestion: z.object({ user, action_id: id }),
  view_submission: z.object({ user, view: z.object({ id, callback_id: z.string() }) }),
  view_closed: z.object({ user, view: z.object({ id, callback_id: z.string() }) }),
  shortcut: z.object({ user, callback_id: id }),
  message_action: z.object({ user, callback_id: id }),
  interactive_message: z.object({ user, callback_id: id, actions: z.array(z.object({ name: z.string() })).min(1) }),
  dialog_submission: z.object({ user, callback_id: id }),
  dialog_cancellation: z.object({ user, callback_id: id }),
};

/**
 * Bolt decides what a body is by the fields present, not by `type` (any body with `event` is an event, any
 * with `actions` an action), and then reads into them: these must be objects wherever they appear.
 */
const OBJECT_FIELDS = ['user', 'channel', 'view', 'container', 'message', 'function_data', 'state', 'item'];
const NULLABLE_OBJECT_FIELDS = ['team', 'enterprise'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fieldProblem(fields: Record<string, unknown>): string | undefined {
  for (const key of OBJECT_FIELDS) if (key in fields && !isObject(fields[key])) return `${key} must be an object`;
  for (const key of NULLABLE_OBJECT_FIELDS) if (key in fields && fields[key] !== null && !isObject(fields[key])) return `${key} must be an object or null`;
  if ('authorizations' in fields && !(Array.isArray(fields.authorizations) && fields.authorizations.every(isObject))) return 'authorizations must be a list of objects';
  if ('event' in fields) {
    const event = fields.event;
    if (!isObject(event) || typeof event.type !== 'string') return 'event must be an object with a type';
    if ('channel' in event && typeof event.channel !== 'string' && !isObject(event.channel)) return 'event.channel must be an id or an object';
    if ('item' in event && !isObject(event.item)) return 'event.item must be an object';
  }
  return undefined;
}

export type ShapeCheck = { ok: true; body: Record<string, unknown> } | { ok: false; reason: string };

/** Checks a parsed body (JSON, form fields, or the JSON in a form's `payload`). */
export function checkSlackBody(body: unknown): ShapeCheck {
  if (!isObject(body)) {
    return { ok: false, reason: `the body must be a JSON object or form fields, not ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}` };
  }
  const fields = body as Record<string, unknown>;
  if (fields.ssl_check === '1') return { ok: true, body: fields };
  const problem = fieldProblem(fields);
  if (problem) return { ok: false, reason: problem };
  let schema: z.ZodType | undefined;
  let what: string;
  if ('command' in fields) {
    schema = command;
    what = 'slash command';
  } else if (typeof fields.type === 'string') {
    schema = byType[fields.type];
    what = fields.type;
    if (!schema) return { ok: false, reason: `unknown request type "${fields.type.slice(0, 40)}"` };
  } else {
    return { ok: false, reason: 'neither a slash command nor a typed payload' };
  }
  const parsed = schema.safeParse(fields);
  if (parsed.success) return { ok: true, body: fields };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `${what}: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}` };
}
