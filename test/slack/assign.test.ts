/**
 * Claim and assign from the card: *Assign to me* and the user picker, POSTed to /slack/events signed as Slack
 * signs them. The card is edited in place and shows the assignee, the history records each change, a second
 * click changes nothing, names come from users.info (and a failed lookup changes nothing but the name),
 * hostile picks change nothing, and `/support-stats mine` lists the caller's open tickets.
 */
import test from 'ava';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { signSlack as sign } from '../kit/signing.ts';
import { blockActionBody, createTicket, postToSlackEvents, slashCommandBody, startSlackService, waitForAlert } from './harness.ts';

type Env = Awaited<ReturnType<typeof startSlackService>>;

async function click(env: Env, ticketId: number, opts: { user: string; pick?: string; blockId?: string }) {
  const alert = await waitForAlert(env.fake, ticketId);
  const body = blockActionBody({
    ...(opts.pick !== undefined
      ? { actionId: 'ticket_assign', selectedUser: opts.pick, blockId: opts.blockId ?? `ticket_assignee_${ticketId}` }
      : { actionId: 'ticket_assign_me', value: String(ticketId) }),
    user: opts.user,
    channel: alert.channel,
    messageTs: alert.ts,
    blocks: alert.blocks ?? [],
    responseUrl: `${env.fake.url}/response/${ticketId}`,
  });
  const edits = alert.edited;
  const res = await postToSlackEvents(env.svc.baseUrl, body, sign(body));
  return { res, alert, edits };
}

const ticketOf = async (env: Env, id: number) => (await api(env.svc.baseUrl, `/api/v1/requests/${id}`)).json;
const historyOf = async (env: Env, id: number) => (await api(env.svc.baseUrl, `/api/v1/requests/${id}/assignments`)).json.items as any[];
const cardText = (m: { blocks?: unknown[] | undefined }) => JSON.stringify(m.blocks);
/** The card's Assignee field, and the block of Assign to me and the picker. */
const assigneeField = (m: { blocks?: any[] | undefined }): string =>
  m.blocks!.find((b) => b.type === 'section' && b.fields)!.fields.find((f: any) => f.text.startsWith('*Assignee*')).text;
const assignBlock = (m: { blocks?: any[] | undefined }) => m.blocks!.find((b) => String(b.block_id).startsWith('ticket_assignee_'));

function people(env: Env) {
  env.fake.users.set('UANN00001', { name: 'ann', real_name: 'Ann Agent', profile: { display_name: 'Ann', email: 'ann@example.com' } });
  env.fake.users.set('UBOB00001', { name: 'bob', real_name: 'Bob Builder', profile: { display_name: '' } });
}

test.serial('Assign to me: the card shows the assignee, the name comes from users.info, a second click changes nothing', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  people(env);
  const id = await createTicket(env.svc, { body: 'Our SSO login loops forever [cat=technical conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  t.is(assigneeField(alert), '*Assignee*\nnobody yet');
  t.is(assignBlock(alert).type, 'actions');
  t.deepEqual(assignBlock(alert).elements.map((e: any) => [e.type, e.action_id]), [['users_select', 'ticket_assign'], ['button', 'ticket_assign_me'], ['static_select', 'ticket_snooze']]);
  t.is(assignBlock(alert).elements[1].value, String(id));

  const first = await click(env, id, { user: 'UANN00001' });
  t.is(first.res.status, 200);
  await waitFor(() => alert.edited > first.edits, { what: 'card edited' });
  t.true(assigneeField(alert).includes('<@UANN00001>'));
  t.is(assignBlock(alert).elements[0].initial_user, 'UANN00001');
  t.true(cardText(alert).includes('Assigned to <@UANN00001> by <@UANN00001>'), 'activity line');
  t.is(env.fake.channelMessages(alert.channel).length, 1, 'edited, not reposted');
  const named = await waitFor(async () => ((await ticketOf(env, id)).assignee?.name ? ticketOf(env, id) : undefined), { what: 'name looked up' });
  t.deepEqual(named.assignee, { slack_user_id: 'UANN00001', name: 'Ann', email: 'ann@example.com' });

  const again = await click(env, id, { user: 'UANN00001' });
  await waitFor(() => alert.edited > again.edits, { what: 'card re-rendered' });
  t.is(cardText(alert).match(/Assigned to <@UANN00001> by/g)?.length, 1, 'no activity for a click that changed nothing');
  t.is((await historyOf(env, id)).length, 1);
});

test.serial('the user picker assigns and reassigns: the history says who, from whom, to whom, when; the card says who it was', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  people(env);
  const id = await createTicket(env.svc, { body: 'Charged twice for March [cat=billing conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);

  const first = await click(env, id, { user: 'UANN00001', pick: 'UBOB00001' });
  await waitFor(() => alert.edited > first.edits, { what: 'card edited' });
  t.true(assigneeField(alert).includes('<@UBOB00001>'));
  const second = await click(env, id, { user: 'UBOB00001', pick: 'UANN00001' });
  await waitFor(() => alert.edited > second.edits, { what: 'card edited again' });
  t.true(cardText(alert).includes('Assigned to <@UANN00001> (was <@UBOB00001>) by <@UBOB00001>'));
  t.true(cardText(alert).includes('Assigned to <@UBOB00001> by <@UANN00001>'), 'earlier activity kept');

  const history = await historyOf(env, id);
  t.deepEqual(history.map((a) => [a.from?.slack_user_id ?? null, a.to.slack_user_id, a.actor]), [
    [null, 'UBOB00001', 'slack:UANN00001'],
    ['UBOB00001', 'UANN00001', 'slack:UBOB00001'],
  ]);
  t.true(Date.parse(history[0].created_at) <= Date.parse(history[1].created_at));
  // Bob shares no display name and no e-mail: his real name, and no e-mail.
  await waitFor(async () => (await historyOf(env, id))[0].to.name === 'Bob Builder', { what: 'Bob looked up' });
  t.is((await historyOf(env, id))[0].to.email, null);
});

test.serial('a failed users.info never fails the assignment: the card shows it, the name stays empty', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Cannot upload files [cat=technical conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  env.fake.failNext('users.info', { kind: 'http_500' }, 10);
  const first = await click(env, id, { user: 'UCAROL001' });
  await waitFor(() => alert.edited > first.edits, { what: 'card edited' });
  t.true(assigneeField(alert).includes('<@UCAROL001>'));
  // A user Slack does not know (user_not_found) is the same: assigned, no name.
  const second = await click(env, id, { user: 'UANN00001', pick: 'UNOSUCH01' });
  await waitFor(() => alert.edited > second.edits, { what: 'card edited again' });
  await waitFor(() => env.fake.callsTo('users.info').some((c) => c.params.user === 'UNOSUCH01'), { what: 'lookup tried' });
  const ticket = await ticketOf(env, id);
  t.deepEqual(ticket.assignee, { slack_user_id: 'UNOSUCH01', name: null, email: null });
  t.is((await historyOf(env, id)).length, 2);
  t.true(env.fake.responseUrlCalls.every((c) => !String(c.body.text ?? '').includes('Sorry')), 'nobody was told it failed');
});

test.serial('hostile picks and block ids change nothing and are answered ephemerally', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const id = await createTicket(env.svc, { body: 'Where is my invoice [cat=billing conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  const picks = ['not-a-user', 'u123abc', 'UANN\u0000001', `U${'A'.repeat(10_000)}`, '<@UANN00001>', '', 'B12345678'];
  for (const pick of picks) {
    const res = await click(env, id, { user: 'UANN00001', pick });
    t.is(res.res.status, 200, pick.slice(0, 20));
  }
  for (const blockId of ['ticket_assignee_', 'ticket_assignee_abc', 'ticket_assignee_99999999999', 'ticket_assignee_-1', 'ticket_actions', `ticket_assignee_${id}\u0000`]) {
    t.is((await click(env, id, { user: 'UANN00001', pick: 'UANN00001', blockId })).res.status, 200, blockId);
  }
  // A clicker whose own id is not a user id cannot claim.
  t.is((await click(env, id, { user: 'not-a-user' })).res.status, 200);
  await waitFor(() => env.fake.responseUrlCalls.length >= picks.length + 7, { what: 'every click answered' });
  t.true(env.fake.responseUrlCalls.every((c) => c.body.response_type === 'ephemeral'));
  await new Promise((r) => setTimeout(r, 500));
  t.is((await ticketOf(env, id)).assignee, null);
  t.deepEqual(await historyOf(env, id), []);
  t.is(alert.edited, 0);
});

test.serial('an assignment through the REST API edits the card too', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  people(env);
  const id = await createTicket(env.svc, { body: 'Password reset mail never arrives [cat=technical conf=0.9]' });
  const alert = await waitForAlert(env.fake, id);
  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { assignee: 'UANN00001' } })).status, 200);
  await waitFor(() => alert.edited > 0, { what: 'card edited' });
  t.true(assigneeField(alert).includes('<@UANN00001>'));
  t.true(cardText(alert).includes('Assigned to <@UANN00001> by api'));
  await waitFor(async () => (await ticketOf(env, id)).assignee.name === 'Ann', { what: 'name looked up by the job' });

  t.is((await api(env.svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { assignee: null } })).status, 200);
  await waitFor(() => assigneeField(alert).includes('nobody yet'), { what: 'card shows nobody' });
  t.falsy(assignBlock(alert).elements[0].initial_user);
  t.true(cardText(alert).includes('Unassigned by api'));
});

test.serial('/support-stats mine lists the caller\'s open tickets with links; someone with none is told so; help lists it', async (t) => {
  const env = await startSlackService();
  t.teardown(env.stop);
  const open = await createTicket(env.svc, { subject: 'Mine and open', body: 'Cannot log in since Monday [cat=technical conf=0.9]' });
  const done = await createTicket(env.svc, { subject: 'Mine but resolved', body: 'Refund arrived, thanks [cat=billing conf=0.9]' });
  const other = await createTicket(env.svc, { subject: 'Someone else', body: 'Invoice address change [cat=billing conf=0.9]' });
  await api(env.svc.baseUrl, `/api/v1/requests/${open}`, { method: 'PATCH', json: { assignee: 'UAGENT001' } });
  await api(env.svc.baseUrl, `/api/v1/requests/${done}`, { method: 'PATCH', json: { assignee: 'UAGENT001', status: 'resolved' } });
  await api(env.svc.baseUrl, `/api/v1/requests/${other}`, { method: 'PATCH', json: { assignee: 'UOTHER001' } });

  for (const spelling of ['mine', ' MINE ', 'Mine']) {
    const body = slashCommandBody(spelling);
    const res = await postToSlackEvents(env.svc.baseUrl, body, sign(body));
    t.is(res.status, 200);
    t.is(res.json.response_type, 'ephemeral');
    const text = JSON.stringify(res.json.blocks);
    t.true(text.includes(`<https://triage.example.com/api/v1/requests/${open}|#${open}>`), spelling);
    t.true(text.includes('Mine and open'));
    t.false(text.includes('Mine but resolved'), 'resolved tickets are not listed');
    t.false(text.includes('Someone else'));
    t.true(res.json.text.includes('Your open tickets: 1'));
  }

  const nobody = new URLSearchParams(slashCommandBody('mine'));
  nobody.set('user_id', 'UNEWBIE01');
  const empty = await postToSlackEvents(env.svc.baseUrl, nobody.toString(), sign(nobody.toString()));
  t.is(empty.json.response_type, 'ephemeral');
  t.true(empty.json.text.includes('No open tickets are assigned to you'));

  const stranger = new URLSearchParams(slashCommandBody('mine'));
  stranger.set('user_id', 'x\u0000y');
  const refused = await postToSlackEvents(env.svc.baseUrl, stranger.toString(), sign(stranger.toString()));
  t.is(refused.json.response_type, 'ephemeral');
  t.true(refused.json.text.includes('Usage:'));

  for (const args of ['mine extra', 'mines', 'theirs', 'help']) {
    const body = slashCommandBody(args);
    const res = await postToSlackEvents(env.svc.baseUrl, body, sign(body));
    t.is(res.status, 200, args);
    t.is(res.json.response_type, 'ephemeral', args);
    t.true(res.json.text.includes('`/support-stats mine`'), `${args}: the help lists mine`);
  }
});
