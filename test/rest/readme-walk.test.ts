/**
 * The README's "Using the API" block, run as written (bash and curl) against the real service after a few
 * tickets already exist, as after the Quick start's seed: every request must succeed on the ticket the POST
 * created, not on a seeded one, and the assignee filter must find the ticket just assigned. Only the address
 * changes (the test's port), and curl gets -f, so an HTTP error fails the walk, and a newline after each answer.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { curlOnPath } from '../kit/curl-stand-in.ts';
import { api, serveForTest } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');

function walkBlock(): string {
  const section = readme.slice(readme.indexOf('## Using the API'));
  const match = section.match(/```sh\n([\s\S]*?)```/);
  if (!match) throw new Error('no sh block under "## Using the API"');
  return match[1]!;
}

async function walk(t: ExecutionContext, standIn: boolean): Promise<void> {
  t.timeout(300_000);
  const svc = await serveForTest(t);
  // Tickets that exist before the walk, as the Quick start's seed leaves them.
  for (let i = 0; i < 3; i++) {
    t.is((await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: `Seeded ${i}`, body: `An earlier ticket number ${i} about an invoice` } })).status, 201);
  }
  const script = walkBlock().replaceAll('localhost:8000', svc.baseUrl.replace('http://', '')).replaceAll('curl -s ', "curl -sf -w '\\n' ");
  t.true(script.includes('$ID'), 'the walk uses the id the POST answered');
  t.false(/requests\/\d/.test(script), 'no fixed ticket id in the walk');
  // Classification is in the background: the correction and history steps need it done, as a reader's pace gives.
  const body = script.replace(/^echo "ticket \$ID"$/m, (line) => `${line}\nfor i in $(seq 1 100); do curl -sf ${svc.baseUrl}/api/v1/requests/$ID | grep -q '"classification":{' && break; sleep 0.3; done`);
  const env = { ...process.env, PATH: curlOnPath(process.env.PATH, { standIn }) };
  const { stdout } = await promisify(execFile)('bash', ['-eo', 'pipefail', '-c', body], { maxBuffer: 10 * 2 ** 20, env });

  const id = Number(stdout.match(/^ticket (\d+)$/m)?.[1]);
  t.is(id, 4, 'the fourth ticket, after the three that existed');
  const assigned = stdout.split('\n').find((l) => l.startsWith('{"items":[') && l.includes('"assignee"') && l.includes('U0123ABCD'));
  t.truthy(assigned, 'the assignee filter answered the ticket');
  t.deepEqual(JSON.parse(assigned!).items.map((i: { id: number }) => i.id), [id]);

  // The walk's end: the earlier tickets untouched, the walked one corrected and then deleted.
  const earlier = await api(svc.baseUrl, '/api/v1/requests/1');
  t.like(earlier.json, { status: 'open', assignee: null });
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`)).status, 404);
  const history = await waitFor(async () => {
    const r = await svc.service.db.sql.query<{ classifier: string }>('select classifier from classifications where ticket_id = $1 order by id', [id]);
    return r.length ? r : undefined;
  });
  t.is(history.at(-1)!.classifier, 'human');
}

test('the README walk acts on the ticket its POST created, seeded tickets or not, and the assignee filter finds it', (t) => walk(t, false));

// Where the machine has no curl, the walk runs on the stand-in: it must behave as curl does for these commands.
test('the same walk on the curl stand-in', (t) => walk(t, true));
