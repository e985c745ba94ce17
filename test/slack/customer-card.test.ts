/**
 * The alert card's customer lines (src/slack/cards/customer-lines.ts) from a real database: who wrote, their
 * company and tier, open tickets, the last tickets with status and console links, possibly related ones of the
 * same customer only; no lines for a ticket whose message named nobody.
 */
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { CUSTOMER_BLOCK_ID } from '../../src/slack/cards/alert-blocks.ts';
import { renderCard } from '../../src/slack/cards/alert-card.ts';
import { api, startTestService, type TestService } from '../kit/service.ts';

let svc: TestService;
test.before(async () => {
  svc = await startTestService({}, { classifier: createKeywordClassifier() });
});
test.after.always(async () => svc?.stop());

const create = async (email: string | undefined, subject: string) =>
  (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject, body: `About: ${subject}`, ...(email ? { requester_email: email, requester_name: 'Grace Hopper' } : {}) } })).json.id as number;
const customerText = async (id: number) => {
  const card = await renderCard({ db: svc.service.db, minConfidence: 0.6, publicUrl: 'https://support.example/', replySenders: [], relatedDays: 30 }, id);
  const block = card!.blocks.find((b) => 'block_id' in b && b.block_id === CUSTOMER_BLOCK_ID) as { elements: { text: string }[] } | undefined;
  return block?.elements[0]!.text;
};

test('the card names the customer, company and tier, open tickets, last tickets and related ones, with links', async (t) => {
  t.is((await api(svc.baseUrl, '/api/v1/companies', { method: 'POST', json: { name: 'Navy', tier: 'gold', domains: ['navy.example'] } })).status, 201);
  const first = await create('grace@navy.example', 'Compiler crashes on COBOL input');
  const other = await create('grace@navy.example', 'Invoice address');
  const colleague = await create('ada@navy.example', 'Compiler crashes on COBOL input too');
  const current = await create('grace@navy.example', 'Compiler crashes on COBOL input again');
  const text = (await customerText(current))!;
  const [who, last, related] = text.split('\n');
  t.is(who, ':bust_in_silhouette: *Grace Hopper* · Navy (gold) · 3 open');
  t.regex(last!, new RegExp(`^Last: <https://support.example/console/tickets/${other}\\|#${other}> Invoice address \\((open|processing)\\) · <https://support.example/console/tickets/${first}\\|#${first}>`));
  t.regex(related!, new RegExp(`^Possibly related: <https://support.example/console/tickets/${first}\\|#${first}>`));
  t.false(text.includes(`#${colleague}`));
});

test('a ticket without a customer has no customer lines', async (t) => {
  t.is(await customerText(await create(undefined, 'Who am I')), undefined);
});
