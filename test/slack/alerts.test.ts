import test from 'ava';
import { api, startTestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { alertsFor, createTicket, startSlackService, waitForAlert } from './harness.ts';
import { CHANNELS } from '../kit/slack.ts';

test.serial('an alert goes to the category channel; low confidence and unconfigured categories go to triage', async (t) => {
  const env = await startSlackService({ SLACK_CHANNEL_GENERAL: '' });
  t.teardown(env.stop);
  const tech = await createTicket(env.svc, { subject: 'VPN broken', body: 'The VPN drops every minute [cat=technical conf=0.93 prio=high]', requester_email: 'ann@example.com', requester_name: 'Ann' });
  const bill = await createTicket(env.svc, { body: 'I was charged twice this month [cat=billing conf=0.8]' });
  const unsure = await createTicket(env.svc, { body: 'Something about my invoice maybe [cat=billing conf=0.3]' });
  const general = await createTicket(env.svc, { body: 'Where is your office located? [cat=general conf=0.95]' });

  t.is((await waitForAlert(env.fake, tech)).channel, CHANNELS.technical);
  t.is((await waitForAlert(env.fake, bill)).channel, CHANNELS.billing);
  t.is((await waitForAlert(env.fake, unsure)).channel, CHANNELS.triage);
  t.is((await waitForAlert(env.fake, general)).channel, CHANNELS.triage, 'no general channel configured');

  const card = JSON.stringify((await waitForAlert(env.fake, tech)).blocks);
  for (const part of ['VPN broken', 'Ann (ann@example.com)', 'technical · 93%', 'high', 'https://triage.example.com/api/v1/requests/']) {
    t.true(card.includes(part), part);
  }
  t.true(JSON.stringify((await waitForAlert(env.fake, unsure)).blocks).includes('low confidence'));

  const [row] = await env.svc.service.db.sql.query<{ channel: string; ts: string }>('select channel, ts from slack_posts where key = $1', [`alert:${tech}`]);
  t.is(row!.channel, CHANNELS.technical);
  t.is(row!.ts, (await waitForAlert(env.fake, tech)).ts);
  const health = await api(env.svc.baseUrl, '/health');
  t.is(health.json.checks.slack.status, 'ok');
});

test.serial('ticket text cannot mention anyone or hide a link in the alert', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, {
    subject: '<!channel> urgent <@U0ADMIN>',
    body: 'Click <https://evil.example/login|here to verify> now <!here> [cat=technical conf=0.9]',
    requester_name: '<!everyone>',
  });
  const alert = await waitForAlert(env.fake, id);
  const mrkdwn = JSON.stringify(alert.blocks!.filter((b: any) => b.type !== 'header')) + alert.text;
  for (const bad of ['<!channel>', '<!here>', '<!everyone>', '<@U0ADMIN>', '<https://evil.example']) t.false(mrkdwn.includes(bad), bad);
  t.true(mrkdwn.includes('&lt;https://evil.example/login|here to verify&gt;'));
});

test.serial('exactly one alert per ticket: a human reclassification does not post a second one', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Refund for the annual plan please [cat=billing conf=0.9]' });
  await waitForAlert(env.fake, id);
  const put = await api(env.svc.baseUrl, `/api/v1/requests/${id}/classification`, { method: 'PUT', json: { category: 'technical', note: 'it is an API bug' } });
  t.is(put.status, 200);
  // The reclassification is noted in the alert's thread, and the alert does not move.
  const alert = (await waitForAlert(env.fake, id));
  const note = await waitFor(() => env.fake.threadReplies(alert.channel, alert.ts)[0], { what: 'thread note' });
  t.true(note.text.includes('Reclassified as *technical*'));
  t.true(note.text.includes('it is an API bug'));
  await new Promise((r) => setTimeout(r, 1500));
  t.is(alertsFor(env.fake, id).length, 1);
  t.is(alert.channel, CHANNELS.billing);
});

test.serial('without a bot token Slack is disabled: /health says so and /slack/events does not exist', async (t) => {
  const svc = await startTestService({});
  t.teardown(() => svc.stop());
  t.is((await api(svc.baseUrl, '/health')).json.checks.slack.status, 'disabled');
  t.is((await api(svc.baseUrl, '/slack/events', { method: 'POST', body: 'x=1' })).status, 404);
});
