/**
 * Repair of headers written in raw 8-bit bytes without a declared charset (see header-charset.ts for how the
 * bytes are decoded). mailparser reads such bytes as UTF-8 and hands over U+FFFD, or for attachment filenames
 * the bytes as Latin-1 characters, so the repair works on the raw bytes: the top-level header lines mailparser
 * reports, and the MIME part headers seen while the message streams by (their declared charsets and their
 * 8-bit filenames). Encoded-words and address syntax stay mailparser's: repaired lines are re-parsed by it.
 */
import { MailParser, type HeaderValue } from 'mailparser';
import { decodeHeaderValues, headerCharsetCandidates, headerCharsetName } from './header-charset.ts';

/** The top-level headers whose text reaches a ticket. */
const REPAIRED = new Set(['subject', 'from', 'sender', 'reply-to', 'to', 'cc']);
const EIGHT_BIT = /[\x80-\xff]/;
const CONTENT_HEADER = /^content-(type|disposition)[ \t]*:(.*)$/i;
const CHARSET_PARAM = /;\s*charset\s*=\s*"?([A-Za-z0-9_.:+-]{1,40})/gi;
const NAME_PARAM = /;\s*(?:file)?name\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)/gi;
const MAX_FIELDS = 500;
const MAX_FIELD_CHARS = 4096;

/**
 * Collects, from raw lines (Latin-1 strings, one byte per character), the charsets the message's parts
 * declare and the filenames written in 8-bit bytes. Bounded: a hostile message cannot grow it without limit.
 */
export class PartHeaderCollector {
  readonly declaredCharsets: string[] = [];
  readonly eightBitFilenames = new Set<string>();
  private field: string | null = null;
  private fields = 0;

  /** One raw line, without its line break. */
  line(line: string): void {
    const start = CONTENT_HEADER.exec(line);
    if (start) {
      this.finish();
      this.field = start[2] ?? '';
    } else if (this.field !== null && (line.startsWith(' ') || line.startsWith('\t'))) {
      if (this.field.length < MAX_FIELD_CHARS) this.field += line;
    } else {
      this.finish();
    }
  }

  /** A whole message at once: one regular-expression pass instead of a call per line. */
  scanText(text: string): void {
    for (const m of text.matchAll(/^content-(?:type|disposition)[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)/gim)) {
      this.field = (m[1] ?? '').slice(0, MAX_FIELD_CHARS).replace(/\r?\n/g, '');
      this.finish();
    }
  }

  finish(): void {
    const value = this.field;
    this.field = null;
    if (value === null || this.fields >= MAX_FIELDS) return;
    this.fields++;
    for (const m of value.matchAll(CHARSET_PARAM)) {
      const cs = m[1]!.toLowerCase();
      if (!this.declaredCharsets.includes(cs) && this.declaredCharsets.length < 20) this.declaredCharsets.push(cs);
    }
    if (!EIGHT_BIT.test(value)) return;
    for (const m of value.matchAll(NAME_PARAM)) {
      const raw = m[1]!;
      const name = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
      if (EIGHT_BIT.test(name) && this.eightBitFilenames.size < MAX_FIELDS) this.eightBitFilenames.add(name.trim());
    }
  }
}

/**
 * Raw 8-bit bytes inside a Q encoded-word belong to the word's own charset (`=?iso-8859-1?Q?Fr\xF6sche?=`):
 * written as the =XX escapes the sender should have used, mailparser decodes them with that charset.
 */
function escapeInEncodedWords(line: string): string {
  return line.replace(/=\?([^?\s]+)\?([Qq])\?([^?]*)\?=/g, (_word, charset: string, q: string, text: string) => {
    const escaped = text.replace(/[\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    return `=?${charset}?${q}?${escaped}?=`;
  });
}

/**
 * Decoded text -> an ASCII header line mailparser reads back exactly: every run of non-ASCII text becomes a
 * UTF-8 encoded-word. (Raw UTF-8 would not do: mailparser trims the header as Latin-1 before decoding it, and
 * a last byte 0xA0, the end of "你" or "à", is a no-break space to trim().) Whitespace between two runs goes
 * inside the word, and so does whitespace after an existing encoded-word, since decoders drop whitespace
 * between adjacent encoded-words.
 */
function asEncodedWords(line: string): string {
  return line.replace(/(\?=[ \t]+)?([^\x00-\x7F]+(?:[ \t]+[^\x00-\x7F]+)*)/g, (_m, after: string | undefined, run: string) => {
    const space = after ? after.slice(2) : '';
    return `${after ? '?=' : ''}=?UTF-8?B?${Buffer.from(space + run, 'utf8').toString('base64')}?=`;
  });
}

export interface RawHeaderLine {
  key: string;
  line: string;
}

/** Headers of a synthetic header block, parsed by mailparser as it parses a message's. */
async function parseHeaderBlock(block: Buffer): Promise<Map<string, HeaderValue>> {
  const parser = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true, checksumAlgo: false });
  let headers = new Map<string, HeaderValue>();
  parser.on('headers', (h: Map<string, HeaderValue>) => {
    headers = h;
  });
  parser.on('data', (d: { type: string; release?: () => void }) => d.release?.());
  await new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('end', resolve);
    parser.resume();
    parser.end(block);
  });
  return headers;
}

export interface Repair {
  /** Replacement values for top-level headers (subject, from, ...), as mailparser would have produced them. */
  headers: Map<string, HeaderValue>;
  /** Raw Latin-1 filename -> decoded filename. */
  filenames: Map<string, string>;
  problems: string[];
}

/** Decodes the 8-bit top-level header lines and part filenames of one message; null when it has none. */
export async function repairRawHeaders(rootLines: readonly RawHeaderLine[], parts: PartHeaderCollector): Promise<Repair | null> {
  const broken = rootLines
    .filter((l) => REPAIRED.has(l.key) && EIGHT_BIT.test(l.line))
    .map((l) => ({ key: l.key, bytes: Buffer.from(escapeInEncodedWords(l.line.replace(/\r?\n(?=[ \t])/g, '')), 'latin1') }));
  if (!broken.length && !parts.eightBitFilenames.size) return null;

  // One sample for the detector: the same mailer wrote every header of the message, and more bytes rank better.
  const values = broken.map((b) => b.bytes.subarray(b.bytes.indexOf(':') + 1));
  const sample = Buffer.concat([...values, ...[...parts.eightBitFilenames].map((n) => Buffer.from(n, 'latin1'))].flatMap((b) => [b, Buffer.from(' ')]));
  const candidates = headerCharsetCandidates(parts.declaredCharsets, sample);
  const problems: string[] = [];

  const names = [...parts.eightBitFilenames];
  const declared = new Set(parts.declaredCharsets.map(headerCharsetName).filter((n): n is string => n !== null));
  const decoded = decodeHeaderValues([...broken.map((b) => b.bytes), ...names.map((n) => Buffer.from(n, 'latin1'))], candidates, declared);
  const decodedLines = broken.map((b, i) => {
    const d = decoded[i]!;
    if (!d.clean) problems.push(`${b.key} header: 8-bit bytes in no known charset (best effort: ${d.charset})`);
    return d.text;
  });
  let headers = new Map<string, HeaderValue>();
  if (decodedLines.length) {
    try {
      const reparsed = await parseHeaderBlock(Buffer.from(`${decodedLines.map(asEncodedWords).join('\r\n')}\r\n\r\n`, 'latin1'));
      headers = new Map([...reparsed].filter(([key]) => REPAIRED.has(key)));
    } catch (error) {
      problems.push(`re-reading decoded headers failed: ${(error as Error).message}`);
    }
  }
  const filenames = new Map<string, string>();
  names.forEach((raw, i) => {
    const d = decoded[broken.length + i]!;
    if (!d.clean) problems.push(`attachment filename: 8-bit bytes in no known charset (best effort: ${d.charset})`);
    filenames.set(raw, d.text);
  });
  return { headers, filenames, problems };
}
