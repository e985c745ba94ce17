/**
 * A fake Slack Web API on 127.0.0.1 (real node:http), driven through the official clients with
 * `slackApiUrl: fake.apiUrl`. It keeps channels of messages (with threads and metadata), records every call,
 * and can be told to fail the next calls of a method: 429 + Retry-After, HTTP 500, `ok: false`, a hang
 * (no answer), or "post then hang" (the message is stored but the caller never hears back — a timeout
 * after Slack accepted it), or be put into an outage where every Web API call fails the same way until it
 * is over (setOutage). It can start on a port chosen earlier, so a service can be configured for a Slack
 * that is not there yet (connection refused) and that comes up later. Anything POSTed outside /api/ is
 * recorded as a response_url call.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeCall {
  method: string;
  params: Record<string, any>;
  token: string | undefined;
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: any[] | undefined;
  thread_ts: string | undefined;
  metadata: { event_type: string; event_payload: Record<string, unknown> } | undefined;
  user: string;
  bot_id: string;
  edited: number;
  /** A person's message (seeded as a customer or teammate wrote it): their workspace and profile. */
  user_team?: string;
  user_profile?: Record<string, unknown>;
  reply_count?: number;
  /** When the fake stored it (Date.now()). */
  postedAt: number;
}

export type Failure =
  | { kind: 'rate_limited'; retryAfter: number }
  | { kind: 'http_500' }
  | { kind: 'not_ok'; error: string }
  | { kind: 'hang' }
  | { kind: 'post_then_hang' };

/** Answered normally, but only once releaseHeld() is called (what the app sees as a slow Slack). */
type Held = { kind: 'held' };

interface PlannedFailure {
  failure: Failure | Held;
  when?: (params: Record<string, any>) => boolean;
}

/**
 * Slack's published limits, enforced when enforceLimits() is on: per method for the workspace (calls in any
 * sliding minute) and chat.postMessage per channel (~1 a second, short bursts of up to 3 allowed).
 */
export const FAKE_SLACK_LIMITS: Record<string, number> = {
  'chat.postMessage': 300, 'chat.update': 50, 'conversations.history': 50, 'conversations.replies': 50,
  'users.info': 100, 'views.open': 100, 'chat.postEphemeral': 100, 'auth.test': 100, 'apps.connections.open': 1,
};

export const BOT_USER_ID = 'UFAKEBOT1';
export const BOT_ID = 'BFAKEBOT1';

export class FakeSlack {
  readonly calls: FakeCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly responseUrlCalls: Array<{ path: string; body: any }> = [];
  /** Modals opened with views.open, in order. */
  readonly views: Array<{ triggerId: string; view: Record<string, any> }> = [];
  /** Home tabs published with views.publish, in order. */
  readonly homeViews: Array<{ userId: string; view: Record<string, any> }> = [];
  /** reactions.add calls that took (channel, ts, name); a second of the same is already_reacted. */
  readonly reactions: Array<{ channel: string; ts: string; name: string }> = [];
  /** users.info answers: the workspace's people by user id (others: user_not_found). */
  /** User groups (S…) and their members, as usergroups.users.list answers. */
  readonly userGroups = new Map<string, string[]>();
  readonly users = new Map<string, { name?: string; real_name?: string; profile?: { display_name?: string; real_name?: string; email?: string } }>();
  readonly #failures = new Map<string, PlannedFailure[]>();
  readonly #hanging = new Set<ServerResponse>();
  readonly #held: Array<() => void> = [];
  #outage: Exclude<Failure, { kind: 'hang' } | { kind: 'post_then_hang' }> | undefined;
  #limits: { speedup: number; perMinute: Record<string, number> } | undefined;
  readonly #windows = new Map<string, number[]>();
  readonly #channelBuckets = new Map<string, { tokens: number; at: number }>();
  /** Calls answered 429 because they were beyond the enforced limits (enforceLimits). */
  readonly limited: FakeCall[] = [];
  #server: Server | undefined;
  #seq = 0;
  #socket: Socket | undefined;
  #socketBuffer = Buffer.alloc(0);
  /** Socket Mode: every JSON message the app sent over the WebSocket (acks with their envelope_id). */
  readonly socketMessages: any[] = [];
  url = '';

  /** Base URL for WebClient's slackApiUrl / SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** Every Web API call fails this way until setOutage(undefined). */
  setOutage(failure: Exclude<Failure, { kind: 'hang' } | { kind: 'post_then_hang' }> | undefined): void {
    this.#outage = failure;
  }

  /**
   * Answers 429 + Retry-After to calls beyond Slack's limits (FAKE_SLACK_LIMITS per workspace and minute,
   * chat.postMessage 1 a second per channel); `speedup` runs the windows that many times faster.
   */
  enforceLimits(opts: { speedup?: number; perMinute?: Record<string, number> } = {}): void {
    this.#limits = { speedup: opts.speedup ?? 1, perMinute: { ...FAKE_SLACK_LIMITS, ...opts.perMinute } };
  }

  /** The most calls of `method` in any window of `windowMs` (sliding), among those Slack accepted. */
  maxCallsInWindow(method: string, windowMs: number, channel?: string): number {
    const limitedSet = new Set(this.limited);
    const at = this.calls.filter((c) => c.method === method && !limitedSet.has(c) && (channel === undefined || c.params.channel === channel)).map((c) => c.at);
    let max = 0;
    for (let i = 0, j = 0; i < at.length; i += 1) {
      while (at[i]! - at[j]! >= windowMs) j += 1;
      max = Math.max(max, i - j + 1);
    }
    return max;
  }

  /** Seconds until the call fits Slack's limits, or 0 when it may go now (and then counts it). */
  #overLimit(method: string, params: Record<string, any>, now: number): number {
    if (!this.#limits) return 0;
    const { speedup, perMinute } = this.#limits;
    let wait = 0;
    // Per workspace: at most perMinute calls in any sliding minute.
    const minute = 60_000 / speedup;
    const limit = perMinute[method];
    const times = limit === undefined ? [] : (this.#windows.get(method) ?? []).filter((t) => now - t < minute);
    if (limit !== undefined && times.length >= limit) wait = times[0]! + minute - now;
    // Per channel, "about one a second, short bursts allowed": a bucket of 3 that refills one a second.
    const channel = method === 'chat.postMessage' && params.channel ? String(params.channel) : undefined;
    const bucket = channel ? (this.#channelBuckets.get(channel) ?? { tokens: 3, at: now }) : undefined;
    if (bucket) {
      bucket.tokens = Math.min(3, bucket.tokens + ((now - bucket.at) * speedup) / 1000);
      bucket.at = now;
      if (bucket.tokens < 1) wait = Math.max(wait, ((1 - bucket.tokens) * 1000) / speedup);
    }
    if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
    if (limit !== undefined) this.#windows.set(method, [...times, now]);
    if (bucket && channel) {
      bucket.tokens -= 1;
      this.#channelBuckets.set(channel, bucket);
    }
    return 0;
  }

  /** Socket Mode: sends any text frame (a hostile envelope). */
  socketSendRaw(text: string): void {
    if (!this.#socket) throw new Error('no Socket Mode connection');
    this.#socket.write(wsFrame(0x1, Buffer.from(text)));
  }

  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    this.#server.on('upgrade', (req, socket: Socket) => this.#upgrade(req, socket));
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject);
      this.#server!.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Socket Mode: true once an app has opened the WebSocket (and was sent `hello`). */
  get socketConnected(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  /** Socket Mode: the connection is lost (no close frame), as in a network outage. */
  socketDrop(): void {
    this.#socket?.destroy();
  }

  /** Socket Mode: sends an envelope (slash_commands, interactive, events_api) to the connected app. */
  socketSend(envelope: Record<string, unknown>): void {
    if (!this.#socket) throw new Error('no Socket Mode connection');
    this.#socket.write(wsFrame(0x1, Buffer.from(JSON.stringify(envelope))));
  }

  /** A minimal RFC 6455 server: handshake, text frames both ways, ping -> pong, close. */
  #upgrade(req: IncomingMessage, socket: Socket): void {
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#socketBuffer = Buffer.concat([this.#socketBuffer, chunk]);
      for (;;) {
        const frame = readWsFrame(this.#socketBuffer);
        if (!frame) break;
        this.#socketBuffer = this.#socketBuffer.subarray(frame.size);
        if (frame.opcode === 0x1) this.socketMessages.push(JSON.parse(frame.payload.toString('utf8')));
        else if (frame.opcode === 0x9) socket.write(wsFrame(0xa, frame.payload));
        else if (frame.opcode === 0x8) socket.end(wsFrame(0x8, Buffer.alloc(0)));
      }
    });
    socket.on('error', () => undefined);
    this.socketSend({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'AFAKE' } });
  }

  async close(): Promise<void> {
    this.#socket?.destroy();
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
    this.#held.splice(0);
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** The next `times` calls of `method` (optionally only those matching `when`) fail as described. */
  failNext(method: string, failure: Failure | Held, times = 1, when?: (params: Record<string, any>) => boolean): void {
    const list = this.#failures.get(method) ?? [];
    for (let i = 0; i < times; i += 1) list.push({ failure, ...(when ? { when } : {}) });
    this.#failures.set(method, list);
  }

  /** How many calls are held (failNext with { kind: 'held' }). */
  get heldCount(): number {
    return this.#held.length;
  }

  /** Answers the held calls now, as if Slack had only just done them. */
  releaseHeld(): void {
    for (const answer of this.#held.splice(0)) answer();
  }

  /** Releases every hanging request (their sockets are destroyed, as a dead connection would be). */
  releaseHanging(): void {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
  }

  callsTo(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Top-level (non-thread-reply) messages of a channel in posting order. */
  channelMessages(channel: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel && (m.thread_ts === undefined || m.thread_ts === m.ts));
  }

  threadReplies(channel: string, threadTs: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.thread_ts === threadTs && m.ts !== threadTs);
  }

  /** Puts a message into a channel as if the bot had posted it earlier (e.g. before a crash). */
  seedMessage(m: Partial<FakeMessage> & { channel: string }): FakeMessage {
    const message: FakeMessage = {
      ts: this.#nextTs(),
      text: '',
      blocks: undefined,
      thread_ts: undefined,
      metadata: undefined,
      user: BOT_USER_ID,
      bot_id: BOT_ID,
      edited: 0,
      postedAt: Date.now(),
      ...m,
    };
    this.messages.push(message);
    return message;
  }

  #nextTs(): string {
    this.#seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.#seq).padStart(6, '0')}`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const params = parseParams(raw, String(req.headers['content-type'] ?? ''));
    if (!url.pathname.startsWith('/api/')) {
      this.responseUrlCalls.push({ path: url.pathname, body: params });
      return json(res, 200, { ok: true });
    }
    const method = url.pathname.slice('/api/'.length);
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : (params.token as string | undefined);
    const call = { method, params, token, at: Date.now() };
    this.calls.push(call);
    const over = this.#overLimit(method, params, call.at);
    if (over > 0) {
      this.limited.push(call);
      res.setHeader('Retry-After', String(over));
      return json(res, 429, { ok: false, error: 'ratelimited' });
    }

    const planned = this.#failures.get(method);
    const idx = planned?.findIndex((p) => !p.when || p.when(params)) ?? -1;
    const failure = this.#outage ?? (planned && idx >= 0 ? (planned.splice(idx, 1) as [PlannedFailure])[0].failure : undefined);
    if (failure) {
      switch (failure.kind) {
        case 'rate_limited':
          res.setHeader('Retry-After', String(failure.retryAfter));
          return json(res, 429, { ok: false, error: 'ratelimited' });
        case 'http_500':
          res.statusCode = 500;
          res.end('internal error');
          return;
        case 'not_ok':
          return json(res, 200, { ok: false, error: failure.error });
        case 'hang':
          this.#hanging.add(res);
          return;
        case 'post_then_hang':
          this.#dispatch(method, params, token);
          this.#hanging.add(res);
          return;
        case 'held':
          this.#held.push(() => {
            const { status, body } = this.#dispatch(method, params, token);
            json(res, status, body);
          });
          return;
      }
    }
    const { status, body } = this.#dispatch(method, params, token);
    json(res, status, body);
  }

  #dispatch(method: string, p: Record<string, any>, token: string | undefined): { status: number; body: any } {
    if (!token) return { status: 200, body: { ok: false, error: 'not_authed' } };
    switch (method) {
      case 'apps.connections.open':
        return { status: 200, body: { ok: true, url: `${this.url.replace(/^http/, 'ws')}/socket-mode` } };
      case 'auth.test':
        return { status: 200, body: { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'triage', team_id: 'TFAKE', user_id: BOT_USER_ID, bot_id: BOT_ID } };
      case 'chat.postMessage': {
        if (!p.channel) return notOk('channel_not_found');
        if (!p.text && !p.blocks) return notOk('no_text');
        const message = this.seedMessage({
          channel: String(p.channel),
          text: String(p.text ?? ''),
          blocks: p.blocks,
          thread_ts: p.thread_ts ? String(p.thread_ts) : undefined,
          metadata: p.metadata,
        });
        return { status: 200, body: { ok: true, channel: message.channel, ts: message.ts, message } };
      }
      case 'chat.update': {
        const m = this.messages.find((x) => x.channel === p.channel && x.ts === p.ts);
        if (!m) return notOk('message_not_found');
        if (p.text !== undefined) m.text = String(p.text);
        if (p.blocks !== undefined) m.blocks = p.blocks;
        m.edited += 1;
        return { status: 200, body: { ok: true, channel: m.channel, ts: m.ts, text: m.text } };
      }
      case 'chat.delete': {
        const i = this.messages.findIndex((x) => x.channel === p.channel && x.ts === p.ts);
        if (i < 0) return notOk('message_not_found');
        this.messages.splice(i, 1);
        return { status: 200, body: { ok: true, channel: p.channel, ts: p.ts } };
      }
      case 'views.open': {
        if (!p.trigger_id) return notOk('invalid_trigger_id');
        const view = typeof p.view === 'string' ? tryJson(p.view) : p.view;
        if (!view || typeof view !== 'object') return notOk('invalid_arguments');
        this.views.push({ triggerId: String(p.trigger_id), view: view as Record<string, any> });
        return { status: 200, body: { ok: true, view: { id: `V${this.views.length}`, ...(view as object) } } };
      }
      case 'views.publish': {
        if (!p.user_id) return notOk('invalid_arguments');
        const view = typeof p.view === 'string' ? tryJson(p.view) : p.view;
        if (!view || typeof view !== 'object' || (view as { type?: unknown }).type !== 'home') return notOk('invalid_arguments');
        if (((view as { blocks?: unknown[] }).blocks?.length ?? 0) > 100) return notOk('invalid_blocks');
        this.homeViews.push({ userId: String(p.user_id), view: view as Record<string, any> });
        return { status: 200, body: { ok: true, view: { id: `VH${this.homeViews.length}`, ...(view as object) } } };
      }
      case 'chat.postEphemeral':
        if (!p.channel || !p.user) return notOk('channel_not_found');
        return { status: 200, body: { ok: true, message_ts: this.#nextTs() } };
      case 'conversations.history': {
        const all = this.channelMessages(String(p.channel)).filter((m) => inRange(m.ts, p));
        const limit = Number(p.limit ?? 100);
        const page = all.reverse().slice(0, limit).map((m) => ({ ...m, reply_count: this.threadReplies(m.channel, m.ts).length || undefined }));
        const withMeta = p.include_all_metadata === true || p.include_all_metadata === 'true';
        return { status: 200, body: { ok: true, messages: page.map((m) => view(m, withMeta)), has_more: all.length > limit } };
      }
      case 'conversations.replies': {
        const parent = this.messages.find((m) => m.channel === p.channel && m.ts === p.ts);
        if (!parent) return notOk('thread_not_found');
        const replies = [parent, ...this.threadReplies(String(p.channel), String(p.ts))].filter((m) => m === parent || inRange(m.ts, p));
        const withMeta = p.include_all_metadata === true || p.include_all_metadata === 'true';
        return { status: 200, body: { ok: true, messages: replies.map((m) => view(m, withMeta)), has_more: false } };
      }
      case 'reactions.add': {
        if (!p.channel || !p.timestamp || !p.name) return notOk('invalid_arguments');
        const r = { channel: String(p.channel), ts: String(p.timestamp), name: String(p.name) };
        if (this.reactions.some((x) => x.channel === r.channel && x.ts === r.ts && x.name === r.name)) return notOk('already_reacted');
        this.reactions.push(r);
        return { status: 200, body: { ok: true } };
      }
      case 'usergroups.users.list': {
        const members = this.userGroups.get(String(p.usergroup));
        if (!members) return notOk('no_such_subteam');
        return { status: 200, body: { ok: true, users: members } };
      }
      case 'users.info': {
        const user = this.users.get(String(p.user));
        if (!user) return notOk('user_not_found');
        return { status: 200, body: { ok: true, user: { id: String(p.user), ...user } } };
      }
      default:
        return notOk('unknown_method');
    }
  }
}

export async function startFakeSlack(port = 0): Promise<FakeSlack> {
  return new FakeSlack().start(port);
}

/** The URL SLACK_API_URL would have for a fake Slack on `port` (started later, or never). */
export const apiUrlFor = (port: number) => `http://127.0.0.1:${port}/api/`;

function notOk(error: string) {
  return { status: 200, body: { ok: false, error } };
}

function inRange(ts: string, p: Record<string, any>): boolean {
  const t = Number(ts);
  const inclusive = p.inclusive === true || p.inclusive === 'true';
  if (p.oldest !== undefined && (inclusive ? t < Number(p.oldest) : t <= Number(p.oldest))) return false;
  if (p.latest !== undefined && (inclusive ? t > Number(p.latest) : t >= Number(p.latest))) return false;
  return true;
}

function view(m: FakeMessage, withMeta: boolean) {
  const { channel: _c, metadata, edited: _e, postedAt: _p, ...rest } = m;
  return { type: 'message', ...rest, ...(withMeta && metadata ? { metadata } : {}) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** WebClient sends form bodies with objects (blocks, metadata) as JSON strings; JSON bodies are used too. */
function parseParams(raw: string, contentType: string): Record<string, any> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) return JSON.parse(raw);
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? tryJson(v) : v;
  }
  return out;
}

function tryJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function wsFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126 && len < 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else if (len >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

/** One complete (client-masked) frame from the start of buf, or undefined when more bytes are needed. */
function readWsFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const maskOffset = offset;
  if (masked) offset += 4;
  if (buf.length < offset + len) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + len));
  if (masked) for (let i = 0; i < len; i += 1) payload[i]! ^= buf[maskOffset + (i % 4)]!;
  return { opcode, payload, size: offset + len };
}
