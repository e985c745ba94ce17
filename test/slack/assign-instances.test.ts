/**
 * Agents racing for one ticket from two instances on one PostgreSQL: every click is answered, the ticket ends
 * with one assignee, and the history is one chain (each change starts from the assignee the previous one set)
 * ending at that assignee: the row lock serializes the assignments.
 */
import test from 'ava';
import { startFakeSlack } from '../kit/fake-slack.ts';
import { api } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';
import { signSlack as sign } from '../kit/signing.ts';
import { blockActionBody, createTicket, postToSlackEvents, startSlackService, waitForAlert } from './harness.ts';

test('clicks racing on two instances: one final assignee, a consistent history', async (t) => {
  const fake = await startFakeSlack();
  t.teardown(() => fake.close());
  const a = await startSlackService({}, { database: 'postgres', fake });
  t.teardown(a.stop);
  const b = await startSlackService({}, { databaseUrl: a.svc.databaseUrl!, fake });
  t.teardown(() => b.svc.service.stop());

  for (let round = 0; round < 3; round += 1) {
    const id = await createTicket(a.svc, { body: `Round ${round}: the export hangs forever [cat=technical conf=0.9]` });
    const alert = await waitForAlert(fake, id);
    const agents = ['UANN00001', 'UBOB00001', 'UCAROL001', 'UDAVE0001'];
    // Everyone at once, on both instances, both spellings: Assign to me, and the picker (choosing oneself).
    const clicks = agents.flatMap((user, i) => [a, b].map((env, j) => {
      const body = blockActionBody({
        ...((i + j) % 2 === 0
          ? { actionId: 'ticket_assign_me', value: String(id) }
          : { actionId: 'ticket_assign', selectedUser: user, blockId: `ticket_assignee_${id}` }),
        user,
        channel: alert.channel,
        messageTs: alert.ts,
        blocks: alert.blocks ?? [],
        responseUrl: `${fake.url}/response/${id}`,
      });
      return postToSlackEvents(env.svc.baseUrl, body, sign(body));
    }));
    const answers = await Promise.all(clicks);
    t.true(answers.every((r) => r.status === 200));
    // Slack gets its ack first; each click then changes the ticket and edits the card (a no-op re-renders it;
    // a click that sees the ticket moved on edits it again), so wait for every click's edit and then for quiet.
    const edits = () => fake.callsTo('chat.update').filter((c) => c.params.ts === alert.ts).length;
    await waitFor(() => edits() >= clicks.length, { timeoutMs: 30_000, what: 'every click edited the card' });
    let seen = -1;
    await waitFor(async () => {
      const now = edits();
      const quiet = now === seen;
      seen = now;
      if (!quiet) await new Promise((r) => setTimeout(r, 1000));
      return quiet;
    }, { timeoutMs: 30_000, what: 'no more card edits' });

    const ticket = (await api(a.svc.baseUrl, `/api/v1/requests/${id}`)).json;
    const history = (await api(b.svc.baseUrl, `/api/v1/requests/${id}/assignments`)).json.items as any[];
    t.true(agents.includes(ticket.assignee.slack_user_id));
    t.true(history.length >= 1 && history.length <= agents.length * 2, `${history.length} changes`);
    t.is(history[0].from, null, 'the first change starts from nobody');
    for (let i = 1; i < history.length; i += 1) {
      t.is(history[i].from.slack_user_id, history[i - 1].to.slack_user_id, `change ${i} starts where change ${i - 1} ended`);
      t.not(history[i].from.slack_user_id, history[i].to.slack_user_id, 'no change from someone to the same one');
    }
    t.is(history.at(-1).to.slack_user_id, ticket.assignee.slack_user_id, 'the history ends at the assignee');
    const shown = () => /\*Assignee\*\n:bust_in_silhouette: <@(\w+)>/.exec(alert.blocks!.find((b: any) => b.fields)!.fields.at(-1).text)?.[1];
    await waitFor(() => shown() === ticket.assignee.slack_user_id, { what: `the card showing ${ticket.assignee.slack_user_id}, not ${shown()}` });
    t.log(`round ${round}: ${history.length} changes, the card shows the final assignee`);
    t.true(history.every((h) => h.actor === `slack:${h.to.slack_user_id}`), 'each agent claimed for themselves');
  }
});
