/**
 * npm run privacy: dry-run, export and erase from the command line (by address, domain or customer), beside a running service on PostgreSQL;
 * wrong arguments are exit code 2 with the usage.
 */
import test from 'ava';
import { createKeywordClassifier } from '../../src/classify/keyword.ts';
import { run } from '../cli/harness.ts';
import { api, serveForTest } from '../kit/service.ts';

test('dry-run, export and erase an address; bad arguments are refused', async (t) => {
  t.timeout(600_000);
  const svc = await serveForTest(t, {}, { database: 'postgres', classifier: createKeywordClassifier() });
  const env = { DATABASE_URL: svc.databaseUrl!, LOG_LEVEL: 'warn' };
  const id = (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'CLI', body: 'From Cleo Linehan', requester_email: 'cleo@cli.test', requester_name: 'Cleo Linehan' } })).json.id;

  const dry = await run(['src/cli/privacy.ts', 'dry-run', '--email', 'Cleo@CLI.test'], env);
  t.is(dry.code, 0, dry.stderr);
  t.is(JSON.parse(dry.stdout).tickets, 1);
  const [customer] = await svc.service.db.sql.query<{ customer_id: number }>('select customer_id from tickets where id = $1', [id]);
  const byCustomer = await run(['src/cli/privacy.ts', 'dry-run', '--customer', String(customer!.customer_id)], env);
  t.is(byCustomer.code, 0, byCustomer.stderr);
  t.is(JSON.parse(byCustomer.stdout).tickets, 1, 'the same ticket through its customer');
  const exported = await run(['src/cli/privacy.ts', 'export', '--domain', 'cli.test'], env);
  t.is(exported.code, 0, exported.stderr);
  t.is(JSON.parse(exported.stdout).places.tickets[0].requester_name, 'Cleo Linehan');
  const erased = await run(['src/cli/privacy.ts', 'erase', '--email', 'cleo@cli.test', '--mode', 'anonymise', '--by', 'dpo'], env);
  t.is(erased.code, 0, erased.stderr);
  t.is(JSON.parse(erased.stdout).counts.tickets, 1);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`)).json.requester_name, null);
  const audit = await svc.service.db.sql.query<{ actor: string }>(`select actor from audit_entries where action = 'erasure'`);
  t.deepEqual(audit.map((a) => a.actor), ['cli:dpo']);

  for (const args of [['erase', '--email', 'cleo@cli.test'], ['dry-run'], ['export', '--email', 'not an address'], ['shred', '--email', 'a@b.test'], ['dry-run', '--email', 'a@b.test', '--domain', 'b.test'], ['dry-run', '--customer', 'x1'], ['dry-run', '--customer', '1', '--email', 'a@b.test']]) {
    const bad = await run(['src/cli/privacy.ts', ...args], env);
    t.is(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
  }
});
