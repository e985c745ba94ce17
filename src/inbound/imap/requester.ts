/**
 * Who wrote a mail, for the ticket's requester. Real mail carries broken From headers (`"name" <>`, or two
 * From lines of which the first is garbage), and a ticket without a requester cannot be answered. So: the
 * first usable address of any From line, then Sender. Reply-To comes last, in to-inbound.ts (it knows the
 * support addresses a reply must not go to), and only for a From that is there but broken: a mail with no
 * From at all has no requester. Which header the requester came from is reported, so the ticket says when
 * its requester is a guess.
 */
import { type AddressObject, type HeaderValue, simpleParser } from 'mailparser';
import type { RawHeaderLine } from './raw-headers.ts';

export interface ParsedAddress {
  address: string;
  name: string | null;
}

/** The header a requester was taken from; `from` also when it was a later From line. */
export type RequesterHeader = 'from' | 'sender' | 'reply-to';

export interface Requester {
  from: ParsedAddress | null;
  via: 'from' | 'sender' | null;
  /** A From header is there but names no usable address. */
  fromBroken: boolean;
  /** Set when the requester is not the first From line's address: for parse problems. */
  problem: string | null;
}

// local@domain, neither part empty nor holding spaces or brackets: `<>` and `anna@` are not addresses.
const USABLE = /^[^\s@<>]+@[^\s@<>]+$/;

/** The usable addresses of a parsed address header, groups flattened, lower-cased. */
export function addresses(value: HeaderValue | undefined): ParsedAddress[] {
  if (!value || typeof value !== 'object' || !('value' in value)) return [];
  const list = Array.isArray(value) ? (value as AddressObject[]) : [value as AddressObject];
  const out: ParsedAddress[] = [];
  const walk = (entries: AddressObject['value']) => {
    for (const e of entries) {
      if (e.group) walk(e.group);
      else if (e.address && USABLE.test(e.address.trim())) out.push({ address: e.address.trim().toLowerCase(), name: e.name?.trim() || null });
    }
  };
  for (const a of list) walk(a.value ?? []);
  return out;
}

/** The addresses of one raw header line (mailparser keeps only the first From; later ones are read here). */
async function addressesOfLine(line: RawHeaderLine): Promise<ParsedAddress[]> {
  const parsed = await simpleParser(Buffer.from(`${line.line}\r\n\r\n`, 'latin1'), { skipHtmlToText: true, skipTextToHtml: true });
  return addresses(parsed.headers.get('from'));
}

export async function requesterOf(headers: Map<string, HeaderValue>, rootLines: readonly RawHeaderLine[]): Promise<Requester> {
  const first = addresses(headers.get('from'))[0];
  if (first) return { from: first, via: 'from', fromBroken: false, problem: null };
  const fromLines = rootLines.filter((l) => l.key === 'from');
  const fromBroken = fromLines.length > 0;
  for (const line of fromLines.slice(1)) {
    const later = (await addressesOfLine(line))[0];
    if (later) return { from: later, via: 'from', fromBroken, problem: `${FROM_UNUSABLE}; requester taken from a later From header` };
  }
  const sender = addresses(headers.get('sender'))[0];
  if (sender) return { from: sender, via: 'sender', fromBroken, problem: fromBroken ? `${FROM_UNUSABLE}; requester taken from Sender` : null };
  return { from: null, via: null, fromBroken, problem: fromBroken ? FROM_UNUSABLE : null };
}

export const FROM_UNUSABLE = 'the From header has no usable address';
