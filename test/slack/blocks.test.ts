import test from 'ava';
import { CATEGORIES } from '../../src/domain/categories.ts';
import {
  ACTION_IDS,
  activityFromBlocks,
  activityLine,
  alertFallbackText,
  buildAlertBlocks,
  type AlertTicket,
} from '../../src/slack/cards/alert-blocks.ts';
import { escapeMrkdwn, truncate, userMention } from '../../src/slack/cards/format.ts';
import { buildStatsBlocks, parseStatsArgs, statsFallbackText, statsUsage } from '../../src/slack/cards/stats-blocks.ts';

const ticket = (over: Partial<AlertTicket> = {}): AlertTicket => ({
  id: 42,
  subject: 'Cannot log in',
  body: 'Since this morning the login page says my password is wrong.',
  source: 'email',
  requesterEmail: 'ann@example.com',
  requesterName: 'Ann',
  category: 'technical',
  confidence: 0.87,
  priority: 'high',
  language: 'en',
  summary: 'Customer cannot log in after a password change.',
  status: 'open',
  classifier: 'llm',
  ...over,
});

/** Every piece of text Slack would render from a block list (`onlyMrkdwn`: only what Slack parses). */
function allText(blocks: unknown, onlyMrkdwn = false): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string' && (!onlyMrkdwn || o.type === 'mrkdwn')) out.push(o.text);
      for (const x of Object.values(o)) if (typeof x === 'object') walk(x);
    }
  };
  walk(blocks);
  return out.join('\n');
}

test('the card shows subject, requester, source, category with confidence, priority, language, summary and link', (t) => {
  const blocks = buildAlertBlocks(ticket(), { minConfidence: 0.6, link: 'https://triage.example.com/api/v1/requests/42' });
  const text = allText(blocks);
  t.is(blocks[0]!.type, 'header');
  for (const part of ['Cannot log in', 'Ann (ann@example.com)', 'email', 'technical · 87%', 'high', 'en', 'Customer cannot log in', '<https://triage.example.com/api/v1/requests/42|Open ticket>']) {
    t.true(text.includes(part), `missing ${part}`);
  }
  t.false(text.includes('low confidence'));
});

test('the card has Acknowledge, a category select, Resolve and Merge…, each carrying the ticket id', (t) => {
  const blocks = buildAlertBlocks(ticket(), { minConfidence: 0.6 });
  const actions = blocks.find((b) => b.type === 'actions') as any;
  const ids = actions.elements.map((e: any) => e.action_id);
  t.deepEqual(ids, [ACTION_IDS.acknowledge, ACTION_IDS.reclassify, ACTION_IDS.resolve, ACTION_IDS.merge]);
  t.is(actions.elements[3].value, '42');
  t.is(actions.elements[0].value, '42');
  t.deepEqual(actions.elements[1].options.map((o: any) => o.value), CATEGORIES.map((c) => `42:${c}`));
  t.is(actions.elements[1].initial_option.value, '42:technical');
});

test('an acknowledged card drops Acknowledge; a resolved one keeps only the category select; a merged one only Undo merge', (t) => {
  const ids = (status: AlertTicket['status']) =>
    (buildAlertBlocks(ticket({ status }), { minConfidence: 0.6 }).find((b) => b.type === 'actions') as any).elements.map((e: any) => e.action_id);
  t.deepEqual(ids('acknowledged'), [ACTION_IDS.reclassify, ACTION_IDS.resolve, ACTION_IDS.merge]);
  t.deepEqual(ids('resolved'), [ACTION_IDS.reclassify]);
  const merged = buildAlertBlocks(ticket(), { minConfidence: 0.6, mergedInto: { id: 7, link: 'https://triage.example.com/api/v1/requests/7' } });
  t.deepEqual(merged.filter((b) => b.type === 'actions').flatMap((b: any) => b.elements.map((e: any) => [e.action_id, e.value])), [[ACTION_IDS.unmerge, '42']]);
  t.true(allText(merged).includes('Merged into <https://triage.example.com/api/v1/requests/7|ticket #7>'));
});

test('a low-confidence card says so; a human classification never counts as low confidence', (t) => {
  t.true(allText(buildAlertBlocks(ticket({ confidence: 0.4 }), { minConfidence: 0.6 })).includes('low confidence'));
  const human = allText(buildAlertBlocks(ticket({ confidence: 0.4, classifier: 'human' }), { minConfidence: 0.6 }));
  t.false(human.includes('low confidence'));
  t.true(human.includes('set by a person'));
});

test('ticket text cannot inject mentions, broadcasts or links', (t) => {
  const evil = '<!channel> hi <@U12345> see <https://evil.example|your invoice> & <!here>';
  const blocks = buildAlertBlocks(
    ticket({ subject: evil, body: evil, summary: evil, requesterName: evil, requesterEmail: '<!everyone>', language: '<@U1>' }),
    { minConfidence: 0.6 },
  );
  // plain_text (the header) is shown literally by Slack and never parsed, so only mrkdwn must be escaped.
  const text = allText(blocks, true) + alertFallbackText(ticket({ subject: evil }));
  t.true(allText(blocks, true).includes("see &lt;https://evil.example|your invoice&gt;"));
  t.is((blocks[0] as any).text.type, 'plain_text');
  for (const bad of ['<!channel>', '<!here>', '<!everyone>', '<@U12345>', '<@U1>', '<https://evil.example|']) {
    t.false(text.includes(bad), `${bad} leaked`);
  }
  t.true(text.includes('&lt;!channel&gt;'));
  t.true(text.includes('&amp;'));
});

test('long texts are cut to Block Kit limits without breaking an escape sequence', (t) => {
  const huge = `${'x'.repeat(2997)}&&&&${'y'.repeat(10_000)}`;
  const blocks = buildAlertBlocks(ticket({ subject: 'S'.repeat(500), summary: huge, body: huge, requesterName: huge }), { minConfidence: 0.6 });
  const header = blocks[0] as any;
  t.true(header.text.text.length <= 150);
  for (const b of blocks as any[]) {
    if (b.text) t.true(b.text.text.length <= 3000, `section of ${b.text.text.length}`);
    for (const f of b.fields ?? []) t.true(f.text.length <= 2000);
  }
  t.false(/&[a-z]{0,4}…/.test(allText(blocks)), 'a half entity before the ellipsis');
  t.is(truncate('ab&amp;cd', 5), 'ab…');
  t.is(truncate('a😀b', 3), 'a…');
});

test('an empty subject falls back to the ticket number in the header', (t) => {
  const blocks = buildAlertBlocks(ticket({ subject: '   ' }), { minConfidence: 0.6 });
  t.is((blocks[0] as any).text.text, 'Ticket #42');
});

test('activity lines round-trip through the card and stay within 50 blocks', (t) => {
  const lines = Array.from({ length: 80 }, (_, i) => activityLine(`step ${i}`, userMention('U123ABC'), new Date(0)));
  const blocks = buildAlertBlocks(ticket(), { minConfidence: 0.6, activity: lines });
  t.true(blocks.length <= 50);
  const back = activityFromBlocks(JSON.parse(JSON.stringify(blocks)));
  t.is(back.at(-1), lines.at(-1));
  t.true(back.length > 0 && back.length < 80);
  t.is(userMention('<!channel>'), 'someone');
  t.is(escapeMrkdwn('<a&b>'), '&lt;a&amp;b&gt;');
});

test('stats blocks show totals, shares per category, per-day counts, confidence, pending and low confidence', (t) => {
  const blocks = buildStatsBlocks(
    {
      total_tickets: 10,
      period_days: 7,
      categories: [{ category: 'billing', count: 3 }, { category: 'technical', count: 7 }],
      daily_counts: { '2026-11-23': 4, '2026-11-24': 6 },
      average_confidence: 0.815,
      pending_classification: 2,
      low_confidence: 1,
    },
    { title: 'Support stats' },
  );
  const text = allText(blocks);
  for (const part of ['*Tickets*\n10', '82%', 'technical*: 7 (70%)', 'billing*: 3 (30%)', '`2026-11-23`', '6', '*Waiting for classification*\n2', '*Low confidence*\n1', 'last 7 days']) {
    t.true(text.includes(part), `missing ${part}`);
  }
  t.true(text.indexOf('technical') < text.indexOf('billing'), 'largest category first');
});

test('stats blocks show the satisfaction average and answers, and nothing without answers', (t) => {
  const base = { total_tickets: 3, period_days: 7, categories: [], daily_counts: {}, average_confidence: null };
  t.true(allText(buildStatsBlocks({ ...base, csat: { responses: 3, average: 3.333 } }, { title: 'x' })).includes('*Satisfaction*\n3.33 / 5 (3 answers)'));
  t.true(allText(buildStatsBlocks({ ...base, csat: { responses: 1, average: 5 } }, { title: 'x' })).includes('5.00 / 5 (1 answer)'));
  t.false(allText(buildStatsBlocks({ ...base, csat: { responses: 0, average: null } }, { title: 'x' })).includes('Satisfaction'));
  const grouped = allText(buildStatsBlocks({
    ...base,
    csat: {
      responses: 3, average: 3.333, by_category: { technical: { responses: 1, average: 1 }, billing: { responses: 2, average: 4.5 } },
      by_agent: [{ slack_user_id: 'UANN00001', responses: 2, average: 4.5 }, { slack_user_id: '<!channel>', responses: 1, average: 1 }],
      by_company: [{ name: 'Acme <!here>', responses: 2, average: 4.5 }],
    },
  }, { title: 'x' }));
  t.true(grouped.includes('*by category*: billing 4.50 (2) · technical 1.00 (1)'), grouped);
  t.true(grouped.includes('*by agent*: <@UANN00001> 4.50 (2)'));
  t.false(grouped.includes('<!channel>') || grouped.includes('<!here>'), 'no broadcast from stored text');
  t.true(grouped.includes('*by company*: Acme &lt;!here&gt; 4.50 (2)'), grouped);
});

test('stats blocks and their fallback text show the incidents opened and their tickets, and nothing without one', (t) => {
  const base = { total_tickets: 12, period_days: 1, categories: [], daily_counts: {}, average_confidence: null };
  t.true(allText(buildStatsBlocks({ ...base, incidents: { opened: 2, tickets: 9 } }, { title: 'x' })).includes('*Incidents opened*\n2 incidents (9 tickets)'));
  t.true(allText(buildStatsBlocks({ ...base, incidents: { opened: 1, tickets: 1 } }, { title: 'x' })).includes('1 incident (1 ticket)'));
  t.false(allText(buildStatsBlocks({ ...base, incidents: { opened: 0, tickets: 0 } }, { title: 'x' })).includes('Incident'));
  t.is(statsFallbackText({ ...base, incidents: { opened: 2, tickets: 9 }, spam: 3 }, { title: 'Digest' }), 'Digest: 12 tickets, 2 incidents (9 tickets), 3 kept as spam');
  t.is(statsFallbackText({ ...base, incidents: { opened: 0, tickets: 0 } }, { title: 'Digest' }), 'Digest: 12 tickets');
});

test('stats blocks show SLA attainment per priority, most urgent first, and nothing without SLA', (t) => {
  const base = { total_tickets: 3, period_days: 7, categories: [], daily_counts: {}, average_confidence: null };
  const blocks = buildStatsBlocks({
    ...base,
    sla: {
      first_response: { low: { met: 1, breached: 0, pending: 0, attainment: 1 }, urgent: { met: 2, breached: 1, pending: 1, attainment: 0.6667 } },
      resolution: { urgent: { met: 0, breached: 0, pending: 3, attainment: null } },
    },
  }, { title: 'Support stats' });
  const text = allText(blocks);
  t.true(text.includes('*urgent*: first response 67% (2 of 3, 1 running) · resolution n/a (0 of 0, 3 running)'), text);
  t.true(text.includes('*low*: first response 100% (1 of 1)'));
  t.true(text.indexOf('*urgent*') < text.indexOf('*low*'));
  t.false(allText(buildStatsBlocks({ ...base, sla: { first_response: {}, resolution: {} } }, { title: 'x' })).includes('SLA'));
});

test('stats command arguments: days and category in either order, defaults, and clear errors', (t) => {
  const cats = CATEGORIES;
  t.deepEqual(parseStatsArgs('', cats), { days: 7 });
  t.deepEqual(parseStatsArgs('30', cats), { days: 30 });
  t.deepEqual(parseStatsArgs('30 Billing', cats), { days: 30, category: 'billing' });
  t.deepEqual(parseStatsArgs('technical 1', cats), { days: 1, category: 'technical' });
  for (const bad of ['0', '91', '-3', '1.5', 'abc', '7 8', 'billing technical', '1 2 3', 'help']) {
    t.true('error' in parseStatsArgs(bad, cats), bad);
  }
  const e = parseStatsArgs('<!channel>', cats);
  t.true('error' in e && !e.error.includes('<!channel>'));
  t.true(statsUsage('/support-stats', cats).includes('/support-stats [days] [category]'));
});

test('Reply only where a door can answer; a failed reply shows why (escaped) and a Retry carrying the reply id', (t) => {
  const ids = (blocks: any[]) => blocks.find((b) => b.type === 'actions').elements.map((e: any) => e.action_id);
  t.false(ids(buildAlertBlocks(ticket(), { minConfidence: 0.6 })).includes(ACTION_IDS.reply), 'no door: no Reply');
  t.true(ids(buildAlertBlocks(ticket(), { minConfidence: 0.6, canReply: true })).includes(ACTION_IDS.reply));
  t.true(ids(buildAlertBlocks(ticket({ status: 'resolved' }), { minConfidence: 0.6, canReply: true })).includes(ACTION_IDS.reply), 'a resolved ticket can still be answered');
  const failed = buildAlertBlocks(ticket({ status: 'waiting_on_customer' }), { minConfidence: 0.6, canReply: true, failedReply: { id: 7, error: 'SMTP: 550 <!channel> no such user' } });
  const retry = (failed.find((b) => b.type === 'actions') as any).elements.find((e: any) => e.action_id === ACTION_IDS.retryReply);
  t.is(retry.value, '7');
  const text = JSON.stringify(failed);
  t.true(text.includes('could not be sent'));
  t.false(text.includes('<!channel>'), 'the server\'s answer cannot ping the channel');
  t.true(ids(failed).includes(ACTION_IDS.acknowledge), 'waiting on the customer can still be acknowledged');
});
