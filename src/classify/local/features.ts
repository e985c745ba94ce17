/**
 * Text -> sparse hashed features: word unigrams, word bigrams and character n-grams (3..5) inside
 * words (padded with spaces, fastText style, which helps with German compounds and inflection).
 * Hashing keeps the model a fixed size whatever the vocabulary; computed from char codes without
 * building substrings, so featurizing is a few microseconds per ticket.
 */
export interface FeatureOptions {
  /** log2 of the number of hash buckets. */
  bits: number;
  words: boolean;
  bigrams: boolean;
  /** inclusive range of character n-gram lengths, or null for none */
  charNgrams: [number, number] | null;
  /** characters of subject+body looked at (long tails are quotes and signatures) */
  maxChars: number;
}

export const DEFAULT_FEATURES: FeatureOptions = {
  bits: 18,
  words: true,
  bigrams: true,
  charNgrams: [3, 5],
  maxChars: 2000,
};

/** A sparse vector: parallel arrays of bucket indices and values, L2-normalized. */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const WORD_SEED = 0x9e3779b1;
const BIGRAM_SEED = 0x85ebca6b;
const CHAR_SEED = 0xc2b2ae35;

function isWordChar(c: number): boolean {
  // ASCII letters/digits fast path, then any letter or digit above 0x7f (accents, umlauts, ß)
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
  return c >= 0xc0 && c !== 0xd7 && c !== 0xf7;
}

/**
 * Reusable scratch buffers. Dedupe within one text uses a small open-addressing table (bucket -> slot)
 * that stays in L1 cache whatever the model's hash size; a generation stamp per cell avoids clearing it.
 */
const MAX_FEATURES = 1 << 13; // distinct features kept per text (600 chars yield about 1,000)
const TABLE_BITS = 14; // twice MAX_FEATURES cells: the table is never more than half full
const TABLE_MASK = (1 << TABLE_BITS) - 1;
const scratchIdx = new Int32Array(MAX_FEATURES);
const scratchCount = new Float32Array(MAX_FEATURES);
const scratchVal = new Float32Array(MAX_FEATURES);
// cell c: cells[3c] = generation, cells[3c + 1] = bucket, cells[3c + 2] = slot
const cells = new Int32Array(3 << TABLE_BITS);
const scratchRaw = new Int32Array(1 << 16); // feature occurrences of one text, before counting
const scratchPadded = new Uint16Array(256); // one padded word (longer words are cut)
let generation = 0;

const scratchCodes = new Uint16Array(1 << 16);

/** Features of one text, as a fresh vector (training keeps many). */
export function featurize(subject: string | null | undefined, body: string, opts: FeatureOptions): SparseVector {
  const v = featurizeScratch(subject, body, opts);
  return { idx: v.idx.slice(), val: v.val.slice() };
}

/**
 * Features of one text in shared scratch buffers: no allocation, valid only until the next call. The
 * inference hot path scores it immediately.
 */
export function featurizeScratch(subject: string | null | undefined, body: string, opts: FeatureOptions): SparseVector {
  const text = ((subject ? subject + '\n' : '') + body).slice(0, Math.min(opts.maxChars, scratchCodes.length)).toLowerCase();
  const len = text.length;
  const codes = scratchCodes;
  for (let i = 0; i < len; i++) codes[i] = text.charCodeAt(i);
  const mask = (1 << opts.bits) - 1;
  const lo = opts.charNgrams?.[0] ?? 0;
  const hi = opts.charNgrams?.[1] ?? 0;

  // Pass 1: every feature occurrence as a bucket number, in a tight loop without calls.
  const raw = scratchRaw;
  let m = 0;
  let prevWordHash = 0;
  let havePrev = false;
  let i = 0;
  while (i < len && m < raw.length - 2 * (hi + 2)) {
    while (i < len && !isWordChar(codes[i]!)) i++;
    if (i >= len) break;
    const start = i;
    let h = (FNV_OFFSET ^ WORD_SEED) >>> 0;
    while (i < len && isWordChar(codes[i]!)) {
      h = Math.imul(h ^ codes[i]!, FNV_PRIME);
      i++;
    }
    const end = i;
    if (opts.words) raw[m++] = h & mask;
    if (opts.bigrams && havePrev) raw[m++] = Math.imul((prevWordHash ^ BIGRAM_SEED) + Math.imul(h, 31), FNV_PRIME) & mask;
    prevWordHash = h;
    havePrev = true;
    if (hi > 0) {
      // the padded word ' ' + word + ' '
      const padded = scratchPadded;
      const wl = Math.min(end - start, padded.length - 2) + 2;
      padded[0] = 0x20;
      for (let k = 1; k < wl - 1; k++) padded[k] = codes[start + k - 1]!;
      padded[wl - 1] = 0x20;
      for (let s = 0; s + lo <= wl && m < raw.length - hi; s++) {
        let ch = (FNV_OFFSET ^ CHAR_SEED) >>> 0;
        const top = Math.min(hi, wl - s);
        for (let k = 0; k < top; k++) {
          ch = Math.imul(ch ^ padded[s + k]!, FNV_PRIME);
          if (k + 1 >= lo) raw[m++] = ch & mask;
        }
      }
    }
  }

  // Pass 2: count distinct buckets (open addressing, linear probing, generation-stamped cells).
  generation = (generation + 1) | 0;
  if (generation <= 0) {
    cells.fill(0);
    generation = 1;
  }
  const gen = generation;
  let n = 0;
  for (let j = 0; j < m; j++) {
    const b = raw[j]!;
    let c = Math.imul(b, 0x9e3779b1) >>> (32 - TABLE_BITS);
    for (;;) {
      const at = c * 3;
      if (cells[at] !== gen) {
        if (n < MAX_FEATURES) {
          cells[at] = gen;
          cells[at + 1] = b;
          cells[at + 2] = n;
          scratchIdx[n] = b;
          scratchCount[n] = 1;
          n++;
        }
        break;
      }
      if (cells[at + 1] === b) {
        scratchCount[cells[at + 2]!]! += 1;
        break;
      }
      c = (c + 1) & TABLE_MASK;
    }
  }
  const idx = scratchIdx.subarray(0, n);
  const val = scratchVal.subarray(0, n);
  let norm = 0;
  for (let j = 0; j < n; j++) {
    const v = Math.log1p(scratchCount[j]!);
    val[j] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let j = 0; j < n; j++) val[j]! /= norm;
  return { idx, val };
}
