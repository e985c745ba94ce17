/**
 * Shared setup for the Slack tests: the real service (startTestService) wired to a fake Slack
 * (test/kit/slack.ts), a scripted classifier (the Classifier seam: the test decides category and
 * confidence), and the bodies of requests to /slack/events (signed with test/kit/signing.ts).
 */
import type { Category, Priority } from '../../src/domain/categories.ts';
import type { Classifier, ClassificationResult } from '../../src/domain/classification.ts';
import { startFakeSlack, type FakeSlack } from '../kit/fake-slack.ts';
import { CHANNELS, slackEnv } from '../kit/slack.ts';
import { api, startTestService, type TestService, type TestServiceOptions } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

/**
 * Reads "[cat=billing conf=0.9 prio=high]" from the text; without a marker: general at 0.9. It lets a test
 * pick the route without depending on a model.
 */
export function scriptedClassifier(): Classifier {
  return {
    name: 'scripted',
    async classify(input): Promise<ClassificationResult> {
      const text = `${input.subject ?? ''} ${input.body}`;
      const m = /\[cat=(\w+) conf=([\d.]+)(?: prio=(\w+))?\]/.exec(text);
      return {
        category: (m?.[1] ?? 'general') as Category,
        confidence: Number(m?.[2] ?? 0.9),
        summary: `Summary of: ${input.body.slice(0, 60)}`,
        language: 'en',
        priority: (m?.[3] ?? 'medium') as Priority,
        modelName: 'scripted',
        classifier: 'local',
        processingTimeMs: 1,
      };
    },
  };
}

export interface SlackTestEnv {
  fake: FakeSlack;
  svc: TestService;
  stop(): Promise<void>;
}

export async function startSlackService(env: Record<string, string> = {}, options: TestServiceOptions & { fake?: FakeSlack } = {}): Promise<SlackTestEnv> {
  const fake = options.fake ?? (await startFakeSlack());
  const svc = await startTestService(
    {
      ...slackEnv(fake),
      PUBLIC_URL: 'https://triage.example.com',
      ...env,
    },
    { classifier: scriptedClassifier(), ...options },
  );
  return {
    fake,
    svc,
    async stop() {
      await svc.stop();
      if (!options.fake) await fake.close();
    },
  };
}

export async function createTicket(svc: TestService, body: Record<string, unknown>): Promise<number> {
  const res = await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: body });
  if (res.status !== 201) throw new Error(`create ticket: ${res.status} ${res.text}`);
  return res.json.id as number;
}

export function alertsFor(fake: FakeSlack, ticketId: number) {
  return fake.messages.filter((m) => m.metadata?.event_type === 'support_ticket_alert' && m.metadata.event_payload.ticket_id === ticketId);
}

export async function waitForAlert(fake: FakeSlack, ticketId: number, timeoutMs = 15_000) {
  return waitFor(() => alertsFor(fake, ticketId)[0], { timeoutMs, what: `alert of ticket ${ticketId}` });
}

export async function postToSlackEvents(baseUrl: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await res.text();
  let json: any;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, text, json };
}

export function slashCommandBody(text: string, command = '/support-stats', responseUrl = 'http://127.0.0.1:9/response') {
  return new URLSearchParams({
    token: 'legacy', team_id: 'TFAKE', team_domain: 'fake', channel_id: CHANNELS.general, channel_name: 'general',
    user_id: 'UAGENT001', user_name: 'agent', command, text, api_app_id: 'AFAKE', response_url: responseUrl, trigger_id: '1.2.3',
  }).toString();
}

export function blockActionBody(opts: {
  actionId: string;
  value?: string;
  selected?: string;
  /** A users_select pick: the chosen user id, in the block `blockId`. */
  selectedUser?: string;
  blockId?: string;
  user?: string;
  channel: string;
  messageTs: string;
  blocks: unknown[];
  responseUrl: string;
}) {
  const action = opts.selectedUser !== undefined
    ? { type: 'users_select', action_id: opts.actionId, block_id: opts.blockId ?? 'ticket_actions', selected_user: opts.selectedUser, action_ts: '1' }
    : opts.selected !== undefined
    ? { type: 'static_select', action_id: opts.actionId, block_id: 'ticket_actions', selected_option: { text: { type: 'plain_text', text: opts.selected }, value: opts.selected }, action_ts: '1' }
    : { type: 'button', action_id: opts.actionId, block_id: 'ticket_actions', value: opts.value, text: { type: 'plain_text', text: 'x' }, action_ts: '1' };
  const payload = {
    type: 'block_actions',
    team: { id: 'TFAKE', domain: 'fake' },
    user: { id: opts.user ?? 'UAGENT001', username: 'agent', team_id: 'TFAKE' },
    api_app_id: 'AFAKE',
    token: 'legacy',
    container: { type: 'message', message_ts: opts.messageTs, channel_id: opts.channel, is_ephemeral: false },
    trigger_id: '1.2.3',
    channel: { id: opts.channel, name: 'x' },
    message: { type: 'message', ts: opts.messageTs, text: 'alert', blocks: opts.blocks, user: 'UFAKEBOT1', bot_id: 'BFAKEBOT1' },
    response_url: opts.responseUrl,
    actions: [action],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A view_submission of a modal as Slack sends it (the typed text in the input block's state). */
export function viewSubmissionBody(opts: { view: Record<string, any>; text: unknown; user?: string; userName?: string; privateMetadata?: string; viewId?: string }) {
  const block = opts.view.blocks?.find((b: any) => b.type === 'input');
  const values = block ? { [block.block_id]: { [block.element.action_id]: { type: 'plain_text_input', value: opts.text } } } : {};
  const payload = {
    type: 'view_submission',
    team: { id: 'TFAKE', domain: 'fake' },
    user: { id: opts.user ?? 'UAGENT001', username: opts.userName ?? 'ann.agent', name: opts.userName ?? 'ann.agent', team_id: 'TFAKE' },
    api_app_id: 'AFAKE',
    token: 'legacy',
    trigger_id: '4.5.6',
    view: {
      id: opts.viewId ?? 'V1', team_id: 'TFAKE', type: 'modal', callback_id: opts.view.callback_id, blocks: opts.view.blocks,
      private_metadata: opts.privateMetadata ?? opts.view.private_metadata, state: { values }, hash: '1.abc',
      title: opts.view.title, app_id: 'AFAKE', bot_id: 'BFAKEBOT1', root_view_id: 'V1', previous_view_id: null,
    },
    response_urls: [],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
