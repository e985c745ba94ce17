/** The card's assignee parts, pure: the Assignee field, the picker and Assign to me, and what a bad id becomes. */
import test from 'ava';
import { ACTION_IDS, ASSIGNEE_BLOCK_PREFIX, buildAlertBlocks, type AlertTicket } from '../../src/slack/cards/alert-blocks.ts';
import { buildMineAnswer, MINE_LIMIT } from '../../src/slack/cards/mine-blocks.ts';

const ticket = (over: Partial<AlertTicket> = {}): AlertTicket => ({
  id: 42, subject: 'Cannot log in', body: 'The login page says my password is wrong.', source: 'email', requesterEmail: null,
  requesterName: null, category: 'technical', confidence: 0.9, priority: 'high', language: 'en', summary: null, status: 'open', classifier: 'llm',
  ...over,
});
const field = (blocks: any[]) => blocks.find((b) => b.fields).fields.find((f: any) => f.text.startsWith('*Assignee*')).text;
const assignBlock = (blocks: any[]) => blocks.find((b) => b.block_id === `${ASSIGNEE_BLOCK_PREFIX}42`);

test('nobody assigned: the field says so, the picker has no initial user, Assign to me carries the ticket id', (t) => {
  const blocks = buildAlertBlocks(ticket(), { minConfidence: 0.6 }) as any[];
  t.is(field(blocks), '*Assignee*\nnobody yet');
  const [picker, me] = assignBlock(blocks).elements;
  t.is(picker.type, 'users_select');
  t.is(picker.action_id, ACTION_IDS.assign);
  t.falsy(picker.initial_user);
  t.is(me.action_id, ACTION_IDS.assignMe);
  t.is(me.value, '42');
  t.is(blocks.find((b) => b.block_id === 'ticket_actions').elements.length, 4, 'the status buttons (and Merge…) are untouched');
});

test('an assignee is a mention and the picker starts on them; a resolved card keeps only the picker', (t) => {
  const blocks = buildAlertBlocks(ticket({ assignee: { slackUserId: 'UANN00001', name: 'Ann', email: null } }), { minConfidence: 0.6 }) as any[];
  t.is(field(blocks), '*Assignee*\n:bust_in_silhouette: <@UANN00001>');
  t.is(assignBlock(blocks).elements[0].initial_user, 'UANN00001');
  const resolved = buildAlertBlocks(ticket({ status: 'resolved', assignee: { slackUserId: 'UANN00001', name: null, email: null } }), { minConfidence: 0.6 }) as any[];
  t.deepEqual(assignBlock(resolved).elements.map((e: any) => e.action_id), [ACTION_IDS.assign]);
});

test('a stored id that is not a user id never becomes a mention or an initial user (and the name is never shown)', (t) => {
  for (const slackUserId of ['<!channel>', 'U1>|x', 'here', '']) {
    const blocks = buildAlertBlocks(ticket({ assignee: { slackUserId, name: '<!everyone>', email: null } }), { minConfidence: 0.6 }) as any[];
    t.is(field(blocks), '*Assignee*\n:bust_in_silhouette: someone', slackUserId);
    t.falsy(assignBlock(blocks).elements[0].initial_user);
    t.false(JSON.stringify(blocks).includes('everyone'));
  }
});

test('the mine answer escapes subjects, links ids, and says how many more there are', (t) => {
  const items = Array.from({ length: MINE_LIMIT }, (_, i) => ({ id: i + 1, subject: i === 0 ? '<!channel> *urgent*' : `Ticket ${i}`, body: 'b', status: 'open' as const, category: null }));
  const answer = buildMineAnswer(items, 25, (id) => `https://triage.example.com/api/v1/requests/${id}`);
  const text = JSON.stringify(answer.blocks);
  t.true(text.includes('<https://triage.example.com/api/v1/requests/1|#1>'));
  t.false(text.includes('<!channel>'));
  t.true(text.includes('and 5 more'));
  t.is(answer.text, 'Your open tickets: 25');
  t.true(JSON.stringify(buildMineAnswer(items.slice(0, 1), 1, () => undefined).blocks).includes('• #1 '), 'no link without PUBLIC_URL');
  const snoozed = buildMineAnswer([
    { ...items[1]!, snooze: { since: new Date(), until: new Date('2026-12-03T09:00:00Z'), by: 'slack:UANN00001' } },
    { ...items[2]!, snooze: { since: new Date(), until: null, by: null } },
  ], 2, () => undefined);
  t.regex(JSON.stringify(snoozed.blocks), /Ticket 1 · open · :zzz: snoozed until <!date\^\d+\^[^|]*\|2026-12-03 09:00 UTC>/);
  t.regex(JSON.stringify(snoozed.blocks), /Ticket 2 · open · :zzz: snoozed until the customer answers/);
});
