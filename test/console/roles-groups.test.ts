/**
 * Console roles given to Slack user groups (CONSOLE_ADMINS=S…): Sign in with Slack gives a group's member the
 * group's role (the highest that names them or one of their groups), a group's members are read once for a
 * while (not at every sign-in), a group Slack will not show gives nobody a role, and the Home tab follows the
 * same roles.
 */
import test from 'ava';
import { startFakeOidc, oidcEnv, type FakeOidc } from '../kit/fake-oidc.ts';
import { signSlack } from '../kit/signing.ts';
import { waitFor } from '../kit/wait.ts';
import { postToSlackEvents, startSlackService } from '../slack/harness.ts';

const TEAM = 'TFAKE';

/** Sign in with Slack through the fake provider, redirects followed by hand (cookies carried). */
async function signInAs(baseUrl: string, oidc: FakeOidc, userId: string): Promise<{ status: number; cookie?: string; text: string }> {
  oidc.nextUser = { userId, teamId: TEAM, name: userId };
  const start = await fetch(`${baseUrl}/console/sign-in/slack`, { redirect: 'manual' });
  const state = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  const done = await fetch(authorize.headers.get('location')!, { redirect: 'manual', headers: { cookie: state } });
  const session = done.headers.getSetCookie().find((c) => c.startsWith('console_session=') && !c.startsWith('console_session=;'));
  return { status: done.status, text: await done.text(), ...(session ? { cookie: session.split(';')[0]! } : {}) };
}

test('roles from user groups: admin and agent by group, a direct id still counts, an unreadable group gives nothing', async (t) => {
  const oidc = await startFakeOidc({ userId: 'UNOBODY01', teamId: TEAM, name: 'x' });
  t.teardown(() => oidc.close());
  const env = await startSlackService({
    ...oidcEnv(oidc, TEAM), PUBLIC_URL: '',
    CONSOLE_ADMINS: 'S0ADMINS1', CONSOLE_AGENTS: 'UDIRECT01,S0AGENTS1', CONSOLE_VIEWERS: 'S0HIDDEN1',
  });
  t.teardown(env.stop);
  env.fake.userGroups.set('S0ADMINS1', ['UADMIN001']);
  env.fake.userGroups.set('S0AGENTS1', ['UAGENT002', 'UADMIN001']);
  const base = env.svc.baseUrl;
  const pageAs = async (cookie: string, path: string) => (await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' })).status;

  const admin = await signInAs(base, oidc, 'UADMIN001');
  t.is(admin.status, 302, admin.text);
  t.is(await pageAs(admin.cookie!, '/console/privacy'), 200, 'in the admins group (and the agents group): admin');
  const agent = await signInAs(base, oidc, 'UAGENT002');
  t.is(await pageAs(agent.cookie!, '/console'), 200);
  t.is(await pageAs(agent.cookie!, '/console/privacy'), 403, 'agent, not admin');
  const direct = await signInAs(base, oidc, 'UDIRECT01');
  t.is(await pageAs(direct.cookie!, '/console'), 200, 'a user id in the list, no group needed');
  const nobody = await signInAs(base, oidc, 'UNOBODY01');
  t.is(nobody.status, 403);
  t.regex(nobody.text, /has no console role/);
  // S0HIDDEN1 does not exist for Slack (or the scope is missing): its would-be members get no role.
  t.is((await signInAs(base, oidc, 'UVIEWER03')).status, 403);
  t.true(env.fake.callsTo('usergroups.users.list').some((c) => c.params.usergroup === 'S0HIDDEN1'));

  // Read once for a while: another sign-in of the admin asks Slack nothing new.
  const before = env.fake.callsTo('usergroups.users.list').length;
  t.is((await signInAs(base, oidc, 'UADMIN001')).status, 302);
  t.is(env.fake.callsTo('usergroups.users.list').length, before);

  // The Home tab follows the same roles: the group's agent sees the lists, nobody sees none.
  for (const user of ['UAGENT002', 'UNOBODY01']) {
    const body = JSON.stringify({
      token: 'legacy', team_id: TEAM, api_app_id: 'AFAKE', type: 'event_callback', event_id: `EvHome${user}`, event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user, channel: 'D0HOME001', tab: 'home', event_ts: `${Date.now() / 1000}` },
    });
    t.is((await postToSlackEvents(base, body, { 'content-type': 'application/json', ...signSlack(body) })).status, 200);
  }
  const views = await waitFor(() => {
    const agentView = env.fake.homeViews.find((v) => v.userId === 'UAGENT002')?.view;
    const nobodyView = env.fake.homeViews.find((v) => v.userId === 'UNOBODY01')?.view;
    return agentView && nobodyView ? { agentView, nobodyView } : undefined;
  }, { what: 'both Home views' });
  t.true(JSON.stringify(views.agentView).includes('home_mine'), 'lists for the agent');
  t.false(JSON.stringify(views.nobodyView).includes('home_mine'), 'no lists without a role');
});
