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
 * Reusable scratch buffers. For dedupe, table[2b] === generation marks bucket b as already seen in this
 * text and table[2b + 1] says where its count is: O(1), no Map, no clearing between texts.
 */
const MAX_FEATURES = 1 << 16;
const scratchIdx = new Int32Array(MAX_FEATURES);
const scratchCount = new Float32Array(MAX_FEATURES);
const scratchVal = new Float32Array(MAX_FEATURES);
// per bucket two ints side by side, [generation, slot], so a lookup touches one cache line
const tables = new Map<number, Int32Array>();
let generation = 0;

function tableFor(bits: number): Int32Array {
  let t = tables.get(bits);
  if (!t) {
    t = new Int32Array(2 << bits);
    tables.set(bits, t);
  }
  return t;
}

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
  const table = tableFor(opts.bits);
  generation = (generation + 1) | 0;
  if (generation === 0 || generation === -2147483648) {
    for (const t of tables.values()) t.fill(0);
    generation = 1;
  }
  const gen = generation;
  let n = 0;
  // Inlined "add bucket b" (hot): count it if seen in this text, else give it the next slot.
  const add = (h: number) => {
    const b = (h & mask) << 1;
    if (table[b] === gen) scratchCount[table[b + 1]!]! += 1;
    else if (n < MAX_FEATURES) {
      table[b] = gen;
      table[b + 1] = n;
      scratchIdx[n] = b >> 1;
      scratchCount[n] = 1;
      n++;
    }
  };
  const lo = opts.charNgrams?.[0] ?? 0;
  const hi = opts.charNgrams?.[1] ?? 0;
  let prevWordHash = 0;
  let havePrev = false;
  let i = 0;
  while (i < len) {
    while (i < len && !isWordChar(codes[i]!)) i++;
    if (i >= len) break;
    const start = i;
    let h = (FNV_OFFSET ^ WORD_SEED) >>> 0;
    while (i < len && isWordChar(codes[i]!)) {
      h = Math.imul(h ^ codes[i]!, FNV_PRIME);
      i++;
    }
    const end = i;
    if (opts.words) add(h >>> 0);
    if (opts.bigrams && havePrev) add(Math.imul((prevWordHash ^ BIGRAM_SEED) + Math.imul(h, 31), FNV_PRIME) >>> 0);
    prevWordHash = h;
    havePrev = true;
    if (hi > 0) {
      // the padded word ' ' + word + ' ' occupies virtual positions 0 .. wl-1
      const wl = end - start + 2;
      for (let s = 0; s + lo <= wl; s++) {
        let ch = (FNV_OFFSET ^ CHAR_SEED) >>> 0;
        const top = Math.min(hi, wl - s);
        for (let k = 0; k < top; k++) {
          const p = s + k;
          ch = Math.imul(ch ^ (p === 0 || p === wl - 1 ? 0x20 : codes[start + p - 1]!), FNV_PRIME);
          if (k + 1 >= lo) add(ch >>> 0);
        }
      }
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
