/**
 * The dashboard's response and resolution times are the minutes the SLA clock ran, as the SLA targets count
 * them: time waiting on the customer and snoozed is left out (business hours too: test/unit/sla-rules.test.ts),
 * not the wall-clock time from the clock's start.
 */
import test from 'ava';
import { signedIn } from '../kit/console.ts';
import { api, startTestService } from '../kit/service.ts';
import { waitFor } from '../kit/wait.ts';

test('a ticket resolved 600 minutes after its clock started, 300 of them waiting on the customer, took 300 minutes', async (t) => {
  const svc = await startTestService({ SLA_FIRST_RESPONSE_MINUTES: 'medium=480', SLA_RESOLUTION_MINUTES: 'medium=2880', SLA_BUSINESS_HOURS: '24/7' });
  t.teardown(() => svc.stop());
  const sql = svc.service.db.sql;
  const id = (await api(svc.baseUrl, '/api/v1/requests', { method: 'POST', json: { subject: 'Export fails', body: 'The export fails since Monday.', requester_email: 'tim@times.example' } })).json.id as number;
  await waitFor(async () => (await sql.query('select 1 from ticket_slas where ticket_id = $1', [id])).length === 1, { what: 'the clocks started' });
  // The clock started 600 minutes ago and was paused for 300 of them (the customer took that long to answer).
  const ago = (m: number) => Date.now() - m * 60_000;
  await sql.query(`update ticket_slas set started_at = $2, pauses = $3::jsonb where ticket_id = $1`, [id, new Date(ago(600)), JSON.stringify([[ago(500), ago(200)]])]);
  t.is((await api(svc.baseUrl, `/api/v1/requests/${id}`, { method: 'PATCH', json: { status: 'resolved' } })).status, 200);

  const client = await signedIn(svc.baseUrl, svc.service, 'viewer');
  const csv = (await client.get('/console/dashboard?days=7&format=csv&table=times')).text;
  const resolution = csv.split('\r\n').find((line) => line.startsWith('resolution,'))!.split(',');
  t.true(Math.abs(Number(resolution[1]) - 300) < 1, `p50 ${resolution[1]} minutes: the clock's running time, not the 600 wall-clock minutes`);
  t.is(resolution[3], '1');
  const first = csv.split('\r\n').find((line) => line.startsWith('first response,'))!.split(',');
  t.is(first[3], '0', 'nobody answered: no first-response time');
});
