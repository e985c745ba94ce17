/**
 * Socket Mode (SLACK_APP_TOKEN set): the service dials out to Slack's WebSocket (here the fake's), gets the
 * slash command and button clicks over it and answers with acks; /slack/events is not served.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { blockActionBody, createTicket, postToSlackEvents, startSlackService, waitForAlert } from './harness.ts';
import { signSlack } from '../kit/signing.ts';
import { CHANNELS } from '../kit/slack.ts';

test.serial('slash command and buttons over Socket Mode', async (t) => {
  const env = await startSlackService({ SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' });
  t.teardown(env.stop);
  await waitFor(() => env.fake.socketConnected, { what: 'socket mode connection' });
  const open = env.fake.callsTo('apps.connections.open')[0]!;
  t.is(open.token, 'xapp-test-token', 'the app token opens the connection');
  t.is((await api(env.svc.baseUrl, '/health')).json.checks.slack.mode, 'socket');

  env.fake.socketSend({
    envelope_id: 'env-cmd-1',
    type: 'slash_commands',
    accepts_response_payload: true,
    payload: {
      token: 'legacy', team_id: 'TFAKE', channel_id: CHANNELS.general, user_id: 'UAGENT001', user_name: 'agent',
      command: '/support-stats', text: 'nonsense', api_app_id: 'AFAKE', response_url: `${env.fake.url}/response/cmd`, trigger_id: '1',
    },
  });
  const ack = await waitFor(() => env.fake.socketMessages.find((m) => m.envelope_id === 'env-cmd-1'), { what: 'command ack' });
  t.is(ack.payload.response_type, 'ephemeral');
  t.true(ack.payload.text.includes('Usage: `/support-stats [days] [category]`'));

  const id = await createTicket(env.svc, { body: 'Webhooks stopped arriving [cat=technical conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  const payload = JSON.parse(new URLSearchParams(blockActionBody({
    actionId: 'ticket_acknowledge', value: String(id), user: 'UANN00001', channel: alert.channel, messageTs: alert.ts,
    blocks: alert.blocks ?? [], responseUrl: `${env.fake.url}/response/btn`,
  })).get('payload')!);
  env.fake.socketSend({ envelope_id: 'env-btn-1', type: 'interactive', accepts_response_payload: false, payload });
  await waitFor(() => alert.edited > 0, { what: 'card edited' });
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).json.status, 'acknowledged');
  t.true(JSON.stringify(alert.blocks).includes('Acknowledged by <@UANN00001>'));
  t.truthy(env.fake.socketMessages.find((m) => m.envelope_id === 'env-btn-1'), 'the click was acked');

  const body = 'command=%2Fsupport-stats&text=7';
  t.is((await postToSlackEvents(env.svc.baseUrl, body, signSlack(body))).status, 404, 'no HTTP endpoint in Socket Mode');
});
