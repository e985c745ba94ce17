/**
 * Raw RFC 822 message -> the facts the inbox door needs. Pure (no IMAP, no database) and streaming:
 * the source may be a Buffer or a Readable, attachments are counted as they flow and their content is
 * kept only up to `attachmentMaxBytes`, so a 20 MB attachment never sits in memory.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { convert as htmlToText } from 'html-to-text';
import { MailParser, type AddressObject, type AttachmentStream, type HeaderValue, type MessageText } from 'mailparser';
import type { InboundAttachment } from '../../domain/inbound-message.ts';
import { PartHeaderCollector, repairRawHeaders, type RawHeaderLine } from './raw-headers.ts';
import { addresses, type ParsedAddress, requesterOf } from './requester.ts';

export interface ParsedEmail {
  /** Angle brackets included, as in the header; null when the mail has none. */
  messageId: string | null;
  subject: string | null;
  /** Who wrote it: see requester.ts for the headers tried, in order. */
  from: ParsedAddress | null;
  /** The header `from` was taken from (null when none named anyone). */
  fromHeader: 'from' | 'sender' | null;
  /** A From header is there but names no usable address (to-inbound.ts may then take Reply-To). */
  fromBroken: boolean;
  replyTo: ParsedAddress[];
  to: ParsedAddress[];
  cc: ParsedAddress[];
  date: Date | null;
  inReplyTo: string | null;
  references: string[];
  /** The whole readable text (HTML-only mail converted). */
  text: string;
  hasHtml: boolean;
  attachments: InboundAttachment[];
  /** Top-level headers, lower-case names, values as text (first occurrence). For the noise classifier. */
  headers: Record<string, string>;
  /** Top-level content type, lower case, e.g. `multipart/report`, and its report-type parameter. */
  contentType: string;
  reportType: string | null;
  /** Text of message/delivery-status and text/rfc822-headers parts (capped), for bounce analysis. */
  reportText: string;
  /** Message ids named anywhere in the raw message other than this mail's own (embedded originals of bounces). */
  mentionedMessageIds: string[];
  /** Decoding problems worth recording (never fatal). */
  problems: string[];
  size: number;
}

export interface ParseOptions {
  attachmentMaxBytes: number;
  /** HTML above this many characters is stripped crudely instead of rendered (bounded CPU and memory). */
  maxHtmlToConvert?: number;
}

const REPORT_PART_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status', 'text/rfc822-headers', 'message/feedback-report', 'message/disposition-notification']);
const REPORT_TEXT_CAP = 64 * 1024;
const MSGID_HEADER = /^(message-id|in-reply-to|references|original-message-id)\s*:(.*)$/i;
const MSGID_TOKEN = /<([^<>\s]{1,250}@[^<>\s]{1,250})>/g;

/**
 * Finds message ids on Message-ID / In-Reply-To / References lines (and their folded continuations) as bytes
 * flow by, and hands every line to the part-header collector (declared charsets, 8-bit filenames).
 */
class MessageIdScanner extends Transform {
  readonly ids = new Set<string>();
  readonly parts = new PartHeaderCollector();
  size = 0;
  private tail = '';
  private inIdHeader = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    const text = this.tail + chunk.toString('latin1');
    const lines = text.split('\n');
    // A very long unterminated line is not a header we care about; keep memory bounded.
    this.tail = (lines.pop() ?? '').slice(-2048);
    for (const line of lines) this.scan(line.endsWith('\r') ? line.slice(0, -1) : line);
    done(null, chunk);
  }

  /** The same scan over a whole message at once. */
  scanBuffer(buf: Buffer): void {
    this.size = buf.length;
    const text = buf.toString('latin1');
    this.parts.scanText(text);
    // Cheap pre-check: most mails name a message id only in their own header block.
    if (!/(message-id|in-reply-to|references)\s*:/i.test(text)) return;
    for (const line of text.split('\n')) this.scan(line.endsWith('\r') ? line.slice(0, -1) : line);
  }

  override _flush(done: TransformCallback): void {
    this.scan(this.tail);
    this.parts.finish();
    done();
  }

  private scan(line: string): void {
    this.parts.line(line);
    if (this.ids.size >= 100) return;
    const m = MSGID_HEADER.exec(line);
    let value: string | undefined;
    if (m) {
      this.inIdHeader = true;
      value = m[2];
    } else if (this.inIdHeader && /^[ \t]/.test(line)) {
      value = line;
    } else {
      this.inIdHeader = false;
    }
    if (value) for (const t of value.matchAll(MSGID_TOKEN)) this.ids.add(`<${t[1]}>`);
  }
}

function headerText(value: HeaderValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => headerText(v as HeaderValue)).join(', ');
  if (typeof value === 'object' && 'text' in value && typeof value.text === 'string') return value.text;
  if (typeof value === 'object' && 'value' in value) {
    const params = 'params' in value && value.params ? Object.entries(value.params).map(([k, v]) => `; ${k}=${v}`).join('') : '';
    return `${String(value.value)}${params}`;
  }
  return String(value);
}

function normalizeMessageId(raw: string | undefined | null): string | null {
  if (!raw) return null;
  const t = raw.trim();
  const m = /<([^<>]+)>/.exec(t);
  const inner = (m ? m[1] : t)?.trim().replace(/\s+/g, '');
  return inner ? `<${inner}>` : null;
}

function idList(value: HeaderValue | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : headerText(value);
  const ids = [...text.matchAll(/<[^<>]+>/g)].map((m) => normalizeMessageId(m[0])).filter((v): v is string => !!v);
  return [...new Set(ids)];
}

/** HTML -> readable text: line breaks kept, images dropped, link targets only when they add information. */
export function htmlToReadableText(html: string, maxChars = 2_000_000): string {
  if (html.length > maxChars) {
    // Too big to render safely: strip tags crudely rather than risk the loop's CPU and memory.
    return html.slice(0, maxChars).replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/[ \t]+/g, ' ').trim();
  }
  return htmlToText(html, {
    wordwrap: false,
    limits: { maxDepth: 200, maxInputLength: maxChars },
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'table', format: 'dataTable' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
      { selector: 'style', format: 'skip' },
      { selector: 'head', format: 'skip' },
    ],
  }).trim();
}

async function collectAttachment(att: AttachmentStream, cap: number, reportParts: string[], sink: InboundAttachment[]): Promise<void> {
  const isReport = REPORT_PART_TYPES.has(att.contentType.toLowerCase());
  const chunks: Buffer[] = [];
  let kept = 0;
  let size = 0;
  const keepLimit = Math.max(cap, isReport ? REPORT_TEXT_CAP : 0);
  try {
    for await (const chunk of att.content as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (kept < keepLimit) {
        const part = chunk.subarray(0, keepLimit - kept);
        chunks.push(part);
        kept += part.length;
      }
    }
  } finally {
    att.release?.();
  }
  const content = Buffer.concat(chunks);
  if (isReport) reportParts.push(content.subarray(0, REPORT_TEXT_CAP).toString('utf8'));
  sink.push({
    filename: att.filename ?? null,
    contentType: att.contentType,
    size,
    // Content is stored only when the whole attachment fits under the cap.
    ...(size <= cap ? { content } : {}),
  });
}

/** Parses one message. Throws only when the bytes cannot be read as a message at all. */
export async function parseEmail(source: Buffer | Readable, options: ParseOptions): Promise<ParsedEmail> {
  const scanner = new MessageIdScanner();
  const parser = new MailParser({
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    checksumAlgo: false,
    keepDeliveryStatus: true,
    maxHtmlLengthToParse: options.maxHtmlToConvert ?? 2_000_000,
  });
  const attachments: InboundAttachment[] = [];
  const reportParts: string[] = [];
  let headers: Map<string, HeaderValue> = new Map();
  let textMsg: MessageText | undefined;
  const pending: Promise<void>[] = [];

  let rawDate: string | undefined;
  let rootLines: readonly RawHeaderLine[] = [];
  parser.on('headers', (h: Map<string, HeaderValue>) => {
    headers = h;
  });
  parser.on('headerLines', (lines: readonly RawHeaderLine[]) => {
    rootLines = lines;
    // mailparser substitutes "now" for a missing or bad Date; we need the truth (dedupe hash, receivedAt).
    rawDate = lines.find((l) => l.key === 'date')?.line.replace(/^date\s*:/i, '').trim();
  });
  parser.on('data', (data: AttachmentStream | MessageText) => {
    if (data.type === 'attachment') pending.push(collectAttachment(data, options.attachmentMaxBytes, reportParts, attachments));
    else textMsg = data;
  });

  if (Buffer.isBuffer(source)) {
    // In memory already: no stream plumbing (it costs more than the parse of a small mail).
    scanner.scanBuffer(source);
    await new Promise<void>((resolve, reject) => {
      parser.on('error', reject);
      parser.on('end', resolve);
      parser.resume();
      parser.end(source);
    });
  } else {
    await pipeline(source, scanner, parser);
  }
  await Promise.all(pending);

  const problems: string[] = [];
  const repair = await repairRawHeaders(rootLines, scanner.parts);
  if (repair) {
    for (const [key, value] of repair.headers) if (headers.has(key)) headers.set(key, value);
    for (const a of attachments) if (a.filename) a.filename = repair.filenames.get(a.filename) ?? a.filename;
    problems.push(...repair.problems);
  }
  let text = textMsg?.text ?? '';
  const html = textMsg?.html;
  if (!text.trim() && html) {
    try {
      text = htmlToReadableText(html, options.maxHtmlToConvert);
    } catch (err) {
      problems.push(`html conversion failed: ${(err as Error).message}`);
      text = html.replace(/<[^>]*>/g, ' ').trim();
    }
  }
  if (text.includes('\uFFFD')) problems.push('text contains undecodable bytes');

  const flat: Record<string, string> = {};
  for (const [k, v] of headers) flat[k.toLowerCase()] = headerText(v).slice(0, 2000);
  const ct = headers.get('content-type');
  const contentType = (ct && typeof ct === 'object' && 'value' in ct ? String(ct.value) : 'text/plain').toLowerCase();
  const params = ct && typeof ct === 'object' && 'params' in ct ? (ct.params as Record<string, string | undefined> | undefined) : undefined;
  const reportType = params?.['report-type']?.toLowerCase() ?? null;

  const parsedDate = rawDate ? new Date(rawDate.replace(/\s+/g, ' ')) : null;
  const date = parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : null;
  const subjectRaw = headers.get('subject');
  const subject = typeof subjectRaw === 'string' ? subjectRaw.replace(/\s+/g, ' ').trim() || null : null;
  const messageId = normalizeMessageId(headerText(headers.get('message-id')));
  const requester = await requesterOf(headers, rootLines);
  if (requester.problem) problems.push(requester.problem);

  return {
    messageId,
    subject,
    from: requester.from,
    fromHeader: requester.via,
    fromBroken: requester.fromBroken,
    replyTo: addresses(headers.get('reply-to')),
    to: addresses(headers.get('to')),
    cc: addresses(headers.get('cc')),
    date,
    inReplyTo: idList(headers.get('in-reply-to'))[0] ?? null,
    references: idList(headers.get('references')),
    text: text.replace(/\r\n?/g, '\n'),
    hasHtml: !!html,
    attachments,
    headers: flat,
    contentType,
    reportType,
    reportText: reportParts.join('\n'),
    mentionedMessageIds: [...scanner.ids].filter((id) => id !== messageId),
    problems,
    size: scanner.size,
  };
}

/** The dedupe key of a mail: its Message-ID, or for mail without one a hash of sender, date and content. */
export function externalIdOf(mail: ParsedEmail): string {
  if (mail.messageId) return mail.messageId.slice(0, 255);
  const h = createHash('sha256');
  h.update(mail.from?.address ?? '');
  h.update('\0');
  h.update(mail.date?.toISOString() ?? '');
  h.update('\0');
  h.update(mail.subject ?? '');
  h.update('\0');
  h.update(mail.text);
  for (const a of mail.attachments) h.update(`\0${a.filename ?? ''}:${a.size}`);
  return `<no-message-id.${h.digest('hex').slice(0, 40)}@support-triage.invalid>`;
}

/** `[#123]` in a subject names our ticket 123. */
export function ticketReferenceOf(subject: string | null): number | undefined {
  const m = subject ? /\[#(\d{1,9})\]/.exec(subject) : null;
  return m ? Number(m[1]) : undefined;
}
