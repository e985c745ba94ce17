/**
 * A fake OpenAI-compatible server on 127.0.0.1 (real node:http) implementing POST /v1/chat/completions, driven
 * through the official SDK with `baseURL: fake.baseURL`. It records every request body and answers according
 * to a plan: a good structured answer, malformed JSON, JSON off the schema, a refusal, an answer cut off
 * (finish_reason length), 429 with Retry-After, 500, a hang (never answers) or a dropped connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, type Loopback } from './loopback.ts';

export type FakeBehaviour =
  | 'ok'
  | 'malformed'
  | 'off-schema'
  | 'refuse'
  | 'length'
  | { status: 429; retryAfter: number }
  | 500
  | 'hang'
  | 'drop'
  /** hold the answer until release() is called, then answer well */
  | 'gate';

export interface FakeAnswer {
  category: string;
  priority: string;
  confidence: number;
  summary: string;
}

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** all message contents joined: what left the service */
  text: string;
}

export class FakeOpenAi {
  readonly requests: RecordedRequest[] = [];
  /** answer used by 'ok' */
  answer: FakeAnswer = { category: 'billing', priority: 'high', confidence: 0.9, summary: 'Customer was charged twice and asks for a refund.' };
  model = 'gpt-4o-mini-2024-07-18';
  /** Free text 'ok' answers with instead of the structured answer (a drafted reply). */
  content: string | undefined;
  #default: FakeBehaviour = 'ok';
  #planned: FakeBehaviour[] = [];
  #server: Loopback | undefined;
  #gated: Array<() => void> = [];
  url = '';

  /** The SDK's baseURL / OPENAI_BASE_URL. */
  get baseURL(): string {
    return `${this.url}/v1`;
  }

  /** Behaviour for every request from now on (after any planned ones). */
  always(b: FakeBehaviour): this {
    this.#default = b;
    this.#planned = [];
    return this;
  }

  /** Behaviours for the next requests, in order; afterwards the default applies again. */
  next(...b: FakeBehaviour[]): this {
    this.#planned.push(...b);
    return this;
  }

  /** Answers every request held by 'gate'. */
  release(): void {
    for (const answer of this.#gated.splice(0)) answer();
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
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const text = Array.isArray(body?.messages) ? body.messages.map((m: any) => String(m.content)).join('\n') : raw;
    this.requests.push({ path: req.url ?? '', headers: req.headers, body, text });
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      return this.#json(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    }
    const behaviour = this.#planned.shift() ?? this.#default;
    switch (behaviour) {
      case 'ok':
        return this.#completion(res, this.content ?? JSON.stringify(this.answer), 'stop');
      case 'malformed':
        return this.#completion(res, '{"category": "technical", "priority": ', 'stop');
      case 'off-schema':
        return this.#completion(res, JSON.stringify({ ...this.answer, category: 'sales' }), 'stop');
      case 'refuse':
        return this.#completion(res, null, 'stop', "I'm sorry, but I can't help with that request.");
      case 'length':
        return this.#completion(res, '{"category":"billing","priority":"hi', 'length');
      case 500:
        return this.#json(res, 500, { error: { message: 'The server had an error processing your request.', type: 'server_error' } });
      case 'hang':
        return; // never answer; close() destroys the socket
      case 'drop':
        req.socket.destroy();
        return;
      case 'gate':
        this.#gated.push(() => this.#completion(res, JSON.stringify(this.answer), 'stop'));
        return;
      default:
        res.setHeader('retry-after', String(behaviour.retryAfter));
        return this.#json(res, 429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } });
    }
  }

  #completion(res: ServerResponse, content: string | null, finish: 'stop' | 'length', refusal: string | null = null): void {
    this.#json(res, 200, {
      id: `chatcmpl-fake${this.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: this.model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal }, logprobs: null, finish_reason: finish }],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    });
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  return new FakeOpenAi().start();
}
