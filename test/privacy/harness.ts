/**
 * What only the privacy tests share: the service with a fake Slack, every door's admin key and a logger that
 * keeps the whole log output in memory; a scan of every text and JSON column of our tables and pg-boss's.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/lib/logger.ts';
import type { Sql } from '../../src/db/sql.ts';
import { SECRETS, sign } from '../kit/signing.ts';
import { api, type TestService, type TestServiceOptions } from '../kit/service.ts';
import { startSlackService, type SlackTestEnv } from '../slack/harness.ts';

export const ADMIN_KEY = 'privacy-admin-key-0123456789';
export const admin = { authorization: `Bearer ${ADMIN_KEY}` };

export interface PrivacyEnv extends SlackTestEnv {
  /** Every log line the service wrote so far. */
  logs(): string;
}

export async function startPrivacyService(env: Record<string, string> = {}, options: TestServiceOptions = {}): Promise<PrivacyEnv> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const started = await startSlackService({ API_KEYS: ADMIN_KEY, API_ADMIN_KEYS: ADMIN_KEY, ...SECRETS, PUBLIC_URL: 'http://triage.example.com', ...env }, { logger, ...options });
  return { ...started, logs: () => lines.join('') };
}

/** Occurrences (rows) per "schema.table.column" of any of the needles, case-insensitive; only non-zero ones. */
export async function scanAllTables(sql: Sql, needles: string[]): Promise<Record<string, number>> {
  const columns = await sql.query<{ table_schema: string; table_name: string; column_name: string }>(
    `select c.table_schema, c.table_name, c.column_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema in ('public', 'pgboss') and c.data_type in ('text', 'character varying', 'jsonb', 'json', 'bytea', 'ARRAY')
      order by 1, 2, 3`,
  );
  const patterns = needles.map((n) => `%${n}%`);
  const found: Record<string, number> = {};
  for (const c of columns) {
    const col = `"${c.column_name}"`;
    const asText = `convert_from(${col}, 'UTF8')`;
    const expr = c.column_name === 'content' && c.table_name === 'attachments' ? asText : `${col}::text`;
    const [row] = await sql.query<{ n: number }>(`select count(*)::int as n from "${c.table_schema}"."${c.table_name}" where ${expr} ilike any($1::text[])`, [patterns]);
    if (row!.n > 0) found[`${c.table_schema}.${c.table_name}.${c.column_name}`] = row!.n;
  }
  return found;
}

/** A ticket through the generic signed webhook. */
export async function webhookTicket(svc: TestService, o: { id: string; email: string; name: string; subject: string; body: string }): Promise<Response> {
  const body = JSON.stringify({ id: o.id, subject: o.subject, body: o.body, requester_email: o.email, requester_name: o.name });
  return fetch(`${svc.baseUrl}/webhooks/generic`, { method: 'POST', headers: sign.generic(body), body });
}

export async function restTicket(svc: TestService, o: { email: string; name: string; subject: string; body: string; key?: string }): Promise<number> {
  const res = await api(svc.baseUrl, '/api/v1/requests', {
    method: 'POST',
    headers: { ...admin, ...(o.key ? { 'idempotency-key': o.key } : {}) },
    json: { subject: o.subject, body: o.body, requester_email: o.email, requester_name: o.name },
  });
  if (res.status !== 201) throw new Error(res.text);
  return res.json.id as number;
}

/** A mail as the IMAP door hands it to ingest (the raw message kept in the doors' audit trail). */
export async function mailTicket(svc: TestService, o: { email: string; name: string; subject: string; body: string; messageId: string }): Promise<number> {
  const raw = `From: ${o.name} <${o.email}>\r\nTo: support@example.com\r\nSubject: ${o.subject}\r\nMessage-ID: ${o.messageId}\r\n\r\n${o.body}\r\n`;
  const result = await svc.service.ingest.deliver({
    door: 'email',
    deliveryId: o.messageId,
    payload: { raw, verified: true },
    metadata: { mailbox: 'INBOX', uid: 1 },
    content: {
      message: { source: 'email', externalId: o.messageId, subject: o.subject, body: o.body, requesterEmail: o.email, requesterName: o.name, receivedAt: new Date(),
        attachments: [{ filename: `${o.name} passport.txt`, contentType: 'text/plain', size: 40, content: Buffer.from(`passport of ${o.name}, ${o.email}`) }],
      },
    },
  });
  if (result.ticketId === null) throw new Error(`mail not stored: ${result.verdict} ${result.reason ?? ''}`);
  return result.ticketId;
}
