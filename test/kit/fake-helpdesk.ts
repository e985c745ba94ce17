/**
 * A fake helpdesk API on 127.0.0.1 (real node:http). Each test declares the routes the helpdesk documents
 * (method + path pattern) and what they answer; the fake records every request (method, path, headers, raw
 * body, parsed JSON) so the test checks what left the service. A request to an undeclared route answers 404,
 * as the real API would. An answer can be a status with a body and headers, a hang (never answers) or a
 * dropped connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, type Loopback } from './loopback.ts';

export interface RecordedCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  json: any;
  /** Date.now() when the request was read. */
  at: number;
}

export type FakeReply =
  | { status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | 'hang'
  | 'drop';

export interface FakeRoute {
  method: string;
  path: RegExp;
  /** Answers in order; the last one repeats. */
  replies: FakeReply[];
}

export class FakeHelpdesk {
  readonly calls: RecordedCall[] = [];
  readonly #routes: FakeRoute[] = [];
  #server: Loopback | undefined;
  url = '';

  route(method: string, path: RegExp, ...replies: FakeReply[]): this {
    this.#routes.push({ method, path, replies });
    return this;
  }

  /** Replaces the answers of a declared route. */
  answer(method: string, path: RegExp, ...replies: FakeReply[]): this {
    const r = this.#routes.find((x) => x.method === method && String(x.path) === String(path));
    if (!r) throw new Error(`no route ${method} ${path}`);
    r.replies = replies;
    return this;
  }

  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  async start(): Promise<this> {
    this.#server = await listenOnLoopback((req, res) => void this.#handle(req, res));
    this.url = this.#server.url;
    return this;
  }

  async close(): Promise<void> {
    await this.#server?.close();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let json: any;
    try {
      json = raw ? JSON.parse(raw) : undefined;
    } catch {
      json = undefined;
    }
    const path = req.url ?? '';
    this.calls.push({ method: req.method ?? '', path, headers: req.headers, raw, json, at: Date.now() });
    const route = this.#routes.find((r) => r.method === req.method && r.path.test(path.split('?')[0]!));
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'RecordNotFound', description: `no route ${req.method} ${path}` }));
      return;
    }
    const reply = route.replies.length > 1 ? route.replies.shift()! : route.replies[0]!;
    if (reply === 'hang') return;
    if (reply === 'drop') {
      req.socket.destroy();
      return;
    }
    const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
    res.writeHead(reply.status, { ...(reply.json !== undefined ? { 'content-type': 'application/json' } : {}), ...reply.headers });
    res.end(body);
  }
}

export async function startFakeHelpdesk(): Promise<FakeHelpdesk> {
  return new FakeHelpdesk().start();
}
