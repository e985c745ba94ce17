/**
 * Recovery after faults, on a throw-away PostgreSQL cluster of its own, with the real service as a child
 * process under mixed REST + webhook load (clients retrying as real clients do):
 *  (a) kill -9 mid-load, restart: seconds from the restart until the last alert of the tickets acknowledged
 *      in that round (median and max over --kills rounds);
 *  (b) PostgreSQL stopped --outage seconds under load: seconds from its return to the first 201, and to the
 *      last alert; the 503s answered meanwhile (count, slowest, Retry-After).
 *   node bench/faults.ts [--kills 3] [--outage 15]
 */
import { parseArgs } from 'node:util';
import { startFakeSlack } from '../test/kit/fake-slack.ts';
import { startPgCluster } from '../test/kit/pg-cluster.ts';
import { freePort } from '../test/kit/net.ts';
import { killAllServices, spawnService } from '../test/kit/process.ts';
import { type Acknowledged, faultEnv, startLoad, waitForDelivery } from '../test/faults/load.ts';
import { machine, median } from './lib.ts';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '3' }, outage: { type: 'string', default: '15' } } });
const kills = Number(values.kills);
const outageS = Number(values.outage);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const cluster = await startPgCluster();
const slack = await startFakeSlack();
const port = await freePort();
const env = faultEnv(slack, cluster.url);
try {
  let svc = spawnService(env, port);
  await svc.ready();

  // (a) kill -9 rounds
  const rounds: { tickets: number; lastAlertS: number; complete: boolean; duplicates: number }[] = [];
  for (let round = 1; round <= kills; round += 1) {
    const load = startLoad({ targets: [svc.baseUrl], clients: 4, pauseMs: 800, tag: `bench-kill${round}-${Date.now().toString(36)}` });
    await sleep(7_000);
    await svc.kill();
    svc = spawnService(env, port);
    await svc.ready();
    const restartedAt = Date.now();
    await sleep(2_000);
    const { acknowledged } = await load.stop();
    const d = await waitForDelivery(cluster.url, slack, acknowledged, restartedAt + 180_000);
    rounds.push({
      tickets: acknowledged.length,
      lastAlertS: ((d.lastAlertAt ?? restartedAt) - restartedAt) / 1000,
      complete: !d.missing.length && !d.unclassified.length && !d.unalerted.length,
      duplicates: d.duplicated.length + d.doubleAlerted.length,
    });
  }

  // (b) database outage
  const load = startLoad({ targets: [svc.baseUrl], clients: 4, pauseMs: 800, tag: `bench-outage-${Date.now().toString(36)}` });
  await sleep(5_000);
  cluster.stop();
  const downAt = Date.now();
  await sleep(outageS * 1000);
  cluster.start();
  const backAt = Date.now();
  let firstCreatedAt = 0;
  for (let i = 0; !firstCreatedAt && Date.now() < backAt + 120_000; i += 1) {
    const res = await fetch(`${svc.baseUrl}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `Recovery probe number ${i} after the outage` }) }).catch(() => undefined);
    if (res?.status === 201) firstCreatedAt = Date.now();
    else await sleep(100);
  }
  await sleep(2_000);
  const { acknowledged } = await load.stop();
  const outage = await waitForDelivery(cluster.url, slack, acknowledged as Acknowledged[], backAt + 180_000);
  const during = load.answers.filter((a) => a.at > downAt + 500 && a.at + a.ms < backAt);
  const unavailable = during.filter((a) => a.status === 503);

  console.log(`# Fault recovery benchmark\n\n${new Date().toISOString()} · ${machine()} · PostgreSQL (own cluster)\n`);
  console.log(`command: node bench/faults.ts --kills ${kills} --outage ${outageS}\n`);
  console.log('| fault | rounds | tickets | restart/return → last alert (median) | (max) | → first 201 | all delivered | duplicates |');
  console.log('|---|---|---|---|---|---|---|---|');
  const delays = rounds.map((r) => r.lastAlertS);
  console.log(`| kill -9 mid-load, restart | ${rounds.length} | ${rounds.reduce((a, r) => a + r.tickets, 0)} | ${median(delays).toFixed(1)} s | ${Math.max(...delays).toFixed(1)} s | | ${rounds.every((r) => r.complete) ? 'yes' : 'NO'} | ${rounds.reduce((a, r) => a + r.duplicates, 0)} |`);
  const outageComplete = !outage.missing.length && !outage.unclassified.length && !outage.unalerted.length;
  console.log(`| PostgreSQL down ${outageS} s under load | 1 | ${acknowledged.length} | ${sec((outage.lastAlertAt ?? backAt) - backAt)} | | ${firstCreatedAt ? sec(firstCreatedAt - backAt) : 'none in 120 s'} | ${outageComplete ? 'yes' : 'NO'} | ${outage.duplicated.length + outage.doubleAlerted.length} |`);
  const slowest = unavailable.length ? Math.max(...unavailable.map((a) => a.ms)) : NaN;
  console.log(`\nDuring the outage: ${during.length} answers, ${unavailable.length} of them 503 with Retry-After ${[...new Set(unavailable.map((a) => a.retryAfter))].join('/')}, slowest ${slowest} ms, median ${median(unavailable.map((a) => a.ms))} ms; other statuses: ${[...new Set(during.filter((a) => a.status !== 503).map((a) => a.status))].join(', ') || 'none'}.`);
} finally {
  await killAllServices();
  await slack.close();
  cluster.destroy();
}
process.exit(0);
