/**
 * Raw 8-bit header bytes -> text. RFC 5322 headers are ASCII (RFC 2047 encoded-words carry the rest), but
 * many mailers, Chinese and Japanese ones above all, write GBK, Big5, Shift_JIS or EUC-KR bytes straight into
 * `Subject:`, display names and attachment filenames without naming the charset. Decoded as UTF-8 they become
 * U+FFFD. The order mature mail readers use: strict UTF-8 when the bytes validate, then the charsets the message
 * declares for its parts (the same mailer wrote both), then a charset detector on the header bytes. A candidate
 * wins when it decodes the bytes cleanly and plausibly; else the first clean one, else the least damaged one.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Labels mail software writes but means a wider charset by (the WHATWG Encoding Standard's mapping, which
 * browsers and mail readers follow): "iso-8859-1" mail contains windows-1252 quotes, "gb2312" mail GBK, etc.
 */
const WIDER: Record<string, string> = {
  'us-ascii': 'windows-1252', ascii: 'windows-1252', 'iso-8859-1': 'windows-1252', latin1: 'windows-1252', 'iso8859-1': 'windows-1252',
  gb2312: 'gb18030', gbk: 'gb18030', 'x-gbk': 'gb18030', 'euc-cn': 'gb18030', cp936: 'gb18030',
  big5: 'big5hkscs', 'x-x-big5': 'big5hkscs',
  shift_jis: 'cp932', 'shift-jis': 'cp932', sjis: 'cp932', 'x-sjis': 'cp932', 'windows-31j': 'cp932', 'ms_kanji': 'cp932',
  'euc-kr': 'cp949', 'ks_c_5601-1987': 'cp949', 'windows-949': 'cp949',
  'iso-8859-9': 'windows-1254', 'iso-8859-11': 'windows-874', 'tis-620': 'windows-874',
};

/** Charsets that are not byte-per-character supersets of ASCII are no candidates for 8-bit header bytes. */
const NOT_FOR_HEADERS = /^(utf-?(7|16|32)|ucs-?[24]|iso-?2022|hz-gb|base64|binary)/;

/** The iconv-lite name a charset label stands for, or null when it is unusable for raw header bytes. */
export function headerCharsetName(label: string): string | null {
  const name = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (!name || NOT_FOR_HEADERS.test(name)) return null;
  if (name === 'utf-8' || name === 'utf8') return 'utf-8';
  const wide = WIDER[name] ?? name;
  return iconv.encodingExists(wide) ? wide : null;
}

const MIN_SAMPLE_BYTES = 256;

/**
 * The detector's ranking of a header sample, best first. chardet's multi-byte recognisers give every candidate
 * the same confidence below ten double-byte characters, shorter than most subjects; repeating the sample keeps
 * their statistic (the share of each language's common characters) and lets them rank.
 */
export function detectedCharsets(sample: Buffer): string[] {
  if (!sample.length) return [];
  let padded = sample;
  if (sample.length < MIN_SAMPLE_BYTES) {
    const copies = Math.ceil(MIN_SAMPLE_BYTES / (sample.length + 1));
    padded = Buffer.concat(Array.from({ length: copies }, () => Buffer.concat([sample, Buffer.from(' ')])));
  }
  return chardet
    .analyse(padded)
    .filter((m) => m.confidence > 0)
    .map((m) => ({ name: headerCharsetName(m.name), confidence: m.confidence }))
    .filter((m): m is { name: string; confidence: number } => m.name !== null && m.name !== 'utf-8' && m.name !== 'ascii')
    .sort((a, b) => b.confidence - a.confidence || prior(a.name) - prior(b.name))
    .map((m) => m.name);
}

/**
 * Ties (too few characters for the detector's statistic) go to the charset that more undeclared 8-bit mail
 * is written in: GBK mailers far outnumber the rest, then Shift_JIS, EUC-KR, Big5 and EUC-JP.
 */
const PRIOR = ['gb18030', 'cp932', 'cp949', 'big5hkscs', 'euc-jp'];
const prior = (name: string) => (PRIOR.includes(name) ? PRIOR.indexOf(name) : PRIOR.length);

/** When neither the message nor the detector names one: the web's and mail readers' default legacy charset. */
const LAST_RESORT = 'windows-1252';

/** The candidates for one message, in order: its declared part charsets, the detector's ranking, the last resort. */
export function headerCharsetCandidates(declared: readonly string[], sample: Buffer): string[] {
  const names = [...declared.map(headerCharsetName), ...detectedCharsets(sample), LAST_RESORT];
  return [...new Set(names.filter((n): n is string => n !== null && n !== 'utf-8'))];
}

/** Characters no sender means: replacement characters, controls (C0 except tab, C1), private use, unassigned. */
const DAMAGED = /[\uFFFD\u0000-\u0008\u000A-\u001F\u007F-\u009F\p{Co}\p{Cn}\p{Cs}]/gu;
const LETTER = /[\p{L}\p{M}]/u;
const LATIN_RUN = /[\u0080-\u024F]{4,}/u;
/** Half-width katakana: what Chinese and Korean double bytes turn into when read as Shift_JIS; modern mail never writes it. */
const HALF_WIDTH_KANA = /[\uFF61-\uFF9F]/u;
/** One wide character inside an ASCII word ("Gr廲e"): an accented Latin letter read as half of a double byte. */
const WIDE_INSIDE_WORD = /[A-Za-z][\u1100-\u11FF\u2E80-\uA4CF\uAC00-\uD7AF\uF900-\uFAFF][A-Za-z]/u;
const SINGLE_BYTE_LATIN = /^(windows-125[02478]|iso-8859-(1|2|3|4|9|10|13|14|15|16)|cp125[02478]|mac)/;

function damage(text: string): number {
  return text.match(DAMAGED)?.length ?? 0;
}

/**
 * Whether a clean decoding also looks like text: mostly letters outside ASCII (CJK bytes read as windows-1252
 * come out as punctuation and symbols), and, for Latin charsets, no long runs of accented letters (two CJK
 * characters are four high bytes in a row; European words put ASCII letters between their accents).
 */
/**
 * Share of double-byte characters in GB2312's area (both bytes 0xA1-0xFE), where nearly all simplified Chinese
 * text lies. Big5 text read as GBK falls outside it for about every other character (Big5 trail bytes
 * 0x40-0x7E), which tells the two apart when the detector cannot.
 */
function gb2312Share(raw: Buffer): number {
  let pairs = 0;
  let inArea = 0;
  for (let i = 0; i < raw.length; i++) {
    const lead = raw[i]!;
    if (lead < 0x81) continue;
    const trail = raw[i + 1] ?? 0;
    pairs++;
    if (lead >= 0xa1 && lead <= 0xf7 && trail >= 0xa1 && trail <= 0xfe) inArea++;
    i += trail >= 0x30 && trail <= 0x39 ? 3 : 1; // GB18030 four-byte sequences
  }
  return pairs ? inArea / pairs : 1;
}

function plausible(text: string, charset: string, raw: Buffer, declared: ReadonlySet<string>): boolean {
  if (charset === 'gb18030' && gb2312Share(raw) < 0.8) return false;
  let nonAscii = 0;
  let letters = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) continue;
    nonAscii++;
    if (LETTER.test(ch)) letters++;
  }
  if (!nonAscii) return true;
  // A wide character between ASCII letters is how a detector's wrong guess looks, but ordinary text in a
  // charset the message names ("A的A", "iPhone的X"): there it does not count against the decoding.
  if (letters / nonAscii < 0.7 || HALF_WIDTH_KANA.test(text) || (!declared.has(charset) && WIDE_INSIDE_WORD.test(text))) return false;
  return !(SINGLE_BYTE_LATIN.test(charset) && LATIN_RUN.test(text));
}

export interface DecodedHeader {
  text: string;
  /** The charset that won; `utf-8-lossy` when nothing decoded cleanly and UTF-8 with replacements was least bad. */
  charset: string;
  clean: boolean;
}

/** Decodes raw header bytes with the first candidate that reads them cleanly (see the file comment). */
export function decodeHeaderBytes(raw: Buffer, candidates: readonly string[], declared: ReadonlySet<string> = new Set()): DecodedHeader {
  if (!raw.some((b) => b >= 0x80)) return { text: raw.toString('latin1'), charset: 'ascii', clean: true };
  if (isUtf8(raw)) return { text: raw.toString('utf8'), charset: 'utf-8', clean: true };
  let cleanButOdd: DecodedHeader | undefined;
  let leastBad: DecodedHeader & { damage: number } = { text: raw.toString('utf8'), charset: 'utf-8-lossy', clean: false, damage: Infinity };
  leastBad.damage = damage(leastBad.text);
  for (const charset of candidates) {
    const text = iconv.decode(raw, charset);
    const bad = damage(text);
    if (bad === 0 && plausible(text, charset, raw, declared)) return { text, charset, clean: true };
    if (bad === 0) cleanButOdd ??= { text, charset, clean: true };
    else if (bad < leastBad.damage) leastBad = { text, charset, clean: false, damage: bad };
  }
  if (cleanButOdd) return cleanButOdd;
  return { text: leastBad.text, charset: leastBad.charset, clean: false };
}

/**
 * Decodes all the 8-bit header values of one message. One mailer wrote them all, so the first candidate
 * that reads every non-UTF-8 value cleanly and plausibly decodes them all: a two-character name then follows
 * its subject instead of being guessed alone. Only when no candidate reads them all is each value decoded on
 * its own.
 */
export function decodeHeaderValues(values: readonly Buffer[], candidates: readonly string[], declared: ReadonlySet<string> = new Set()): DecodedHeader[] {
  const legacy = values.filter((v) => v.some((b) => b >= 0x80) && !isUtf8(v));
  const shared = legacy.length > 1
    ? candidates.find((charset) => legacy.every((v) => {
        const text = iconv.decode(v, charset);
        return damage(text) === 0 && plausible(text, charset, v, declared);
      }))
    : undefined;
  return values.map((v) => (shared && legacy.includes(v) ? { text: iconv.decode(v, shared), charset: shared, clean: true } : decodeHeaderBytes(v, candidates, declared)));
}

function isUtf8(raw: Buffer): boolean {
  try {
    strictUtf8.decode(raw);
    return true;
  } catch {
    return false;
  }
}
