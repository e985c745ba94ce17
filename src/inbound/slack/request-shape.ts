/**
 * What a request from Slack must look like before Bolt sees it. A correct signature proves the sender knows
 * the signing secret, not that the body is one of Slack's shapes; Bolt reads fields of any parsed body
 * (`body.type`, `body.actions[0]`, `body.user.id`) and fails on `null`, arrays, numbers or missing parts.
 * Both doors use this: HTTP (/slack/events) and Socket Mode (the envelope's payload). Only the fields Bolt
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

export type ShapeCheck = { ok: true; body: Record<string, unknown> } | { ok: false; reason: string };

/** Checks a parsed body (JSON, form fields, or the JSON in a form's `payload`). */
export function checkSlackBody(body: unknown): ShapeCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, reason: `the body must be a JSON object or form fields, not ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}` };
  }
  const fields = body as Record<string, unknown>;
  if (fields.ssl_check === '1') return { ok: true, body: fields };
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
