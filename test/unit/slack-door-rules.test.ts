/** The Slack door's pure rules: what is only a pleasantry, Slack's text as plain text, and its settings' spelling. */
import test from 'ava';
import { loadConfig } from '../../src/config.ts';
import { isPleasantry } from '../../src/slack/door/pleasantry.ts';
import { isCustomer, interpretEvent } from '../../src/slack/door/interpret.ts';
import { messageBody, plainText } from '../../src/slack/door/text.ts';

test('pleasantries: thanks and acknowledgements in their spellings, never a question or a detail', (t) => {
  for (const text of ['thanks!', 'Thanks a lot 🙏', 'ok', 'OK!!', 'k', ':+1:', '👍', ':white_check_mark: :tada:', 'thank you so much', 'got it, thx', 'Danke!', 'merci', 'perfect, that worked', '<@U0123> thanks', '']) {
    t.true(isPleasantry(text), text);
  }
  for (const text of ['thanks, but it still fails', 'ok?', 'thanks! also the export is broken', 'help', 'hi', 'Login broken', 'ok so the invoice is wrong again for March and April']) {
    t.false(isPleasantry(text), text);
  }
});

test('Slack text: links, mentions and escapes as plain text; files named', (t) => {
  t.is(plainText('See <https://x.example/a|the doc> and <https://y.example> &lt;b&gt; &amp; <@U0123> <#C0123|general>'), 'See the doc (https://x.example/a) and https://y.example <b> & @U0123 general');
  t.is(messageBody('', [{ name: 'a.pdf' }, { title: 'b.png' }, 'junk', null]), '[files: a.pdf, b.png]');
  t.is(messageBody(42, undefined), '');
});

test('who is a customer: another workspace, DMs, and the lists before either', (t) => {
  const s = { channels: new Map(), reaction: undefined, dms: false, customers: [{ channel: 'C1', user: 'UIN' }], colleagues: [{ channel: '*', user: 'UPARTNER' }] };
  t.true(isCustomer(s, 'C1', 'UX', 'TOTHER', 'TOURS', false));
  t.false(isCustomer(s, 'C1', 'UX', 'TOURS', 'TOURS', false));
  t.false(isCustomer(s, 'C1', 'UPARTNER', 'TOTHER', 'TOURS', false));
  t.true(isCustomer(s, 'C1', 'UIN', 'TOURS', 'TOURS', false));
  t.false(isCustomer(s, 'C2', 'UIN', 'TOURS', 'TOURS', false), 'listed for another channel only');
  t.true(isCustomer(s, 'D1', 'UX', 'TOURS', 'TOURS', true));
  t.false(isCustomer(s, 'C1', 'UX', 'TOTHER', undefined, false), 'our workspace unknown: nobody is foreign');
});

test('a message_changed that only adds a preview is no edit; a real one is', (t) => {
  const s = { channels: new Map([['CSHARED1', 'all' as const]]), reaction: undefined, dms: false, customers: [], colleagues: [] };
  const id = { teamId: 'TOURS', botUserId: 'UBOT', botId: 'BBOT' };
  const message = { type: 'message', user: 'UX', ts: '1700000000.000100', text: 'see <https://x.example>' };
  const changed = (next: object) => interpretEvent(s, id, { type: 'message', subtype: 'message_changed', channel: 'CSHARED1', message: next, previous_message: message });
  t.is(changed({ ...message, attachments: [{ title: 'x' }] }).kind, 'ignore');
  t.like(changed({ ...message, text: 'see <https://x.example> please' }), { kind: 'revision', ts: '1700000000.000100', body: 'see https://x.example please' });
});

test('intake settings: every wrong spelling is named at start', (t) => {
  const config = loadConfig({ SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 'y', SLACK_INTAKE_CHANNELS: 'C0123ABC:all, C0456DEF:reaction ,C0789GHI', SLACK_RECEIPT_REACTION: ':eyes:', SLACK_RESOLVED_REACTION: 'none' }).slack!.door;
  t.deepEqual([...config.channels], [['C0123ABC', 'all'], ['C0456DEF', 'reaction'], ['C0789GHI', 'all']]);
  t.is(config.receiptReaction, 'eyes');
  t.is(config.resolvedReaction, undefined);
  const error = t.throws(() => loadConfig({ SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 'y', SLACK_INTAKE_CHANNELS: '#support:all', SLACK_INTAKE_CUSTOMERS: 'C0123ABC:ann', SLACK_INTAKE_GROUP_MINUTES: '-1' }));
  for (const name of ['SLACK_INTAKE_CHANNELS', 'SLACK_INTAKE_CUSTOMERS', 'SLACK_INTAKE_GROUP_MINUTES']) t.regex(error!.message, new RegExp(name));
});
