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

/** Reusable scratch buffers so featurizing allocates only its result. */
const scratchIdx = new Int32Array(1 << 16);
const scratchCount = new Float32Array(1 << 16);

export function featurize(subject: string | null | undefined, body: string, opts: FeatureOptions): SparseVector {
  const text = ((subject ? subject + '\n' : '') + body).slice(0, opts.maxChars).toLowerCase();
  const mask = (1 << opts.bits) - 1;
  const seen = new Map<number, number>(); // bucket -> slot in scratch
  let n = 0;
  const add = (h: number) => {
    const b = h & mask;
    const slot = seen.get(b);
    if (slot !== undefined) scratchCount[slot]! += 1;
    else if (n < scratchIdx.length) {
      seen.set(b, n);
      scratchIdx[n] = b;
      scratchCount[n] = 1;
      n++;
    }
  };
  const len = text.length;
  let prevWordHash = 0;
  let havePrev = false;
  let i = 0;
  while (i < len) {
    while (i < len && !isWordChar(text.charCodeAt(i))) i++;
    if (i >= len) break;
    const start = i;
    let h = (FNV_OFFSET ^ WORD_SEED) >>> 0;
    while (i < len && isWordChar(text.charCodeAt(i))) {
      h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
      i++;
    }
    const end = i;
    if (opts.words) add(h >>> 0);
    if (opts.bigrams && havePrev) add(Math.imul((prevWordHash ^ BIGRAM_SEED) + Math.imul(h, 31), FNV_PRIME) >>> 0);
    prevWordHash = h;
    havePrev = true;
    if (opts.charNgrams) {
      const [lo, hi] = opts.charNgrams;
      // padded word: ' ' + word + ' '
      const wl = end - start + 2;
      for (let s = 0; s < wl; s++) {
        let ch = (FNV_OFFSET ^ CHAR_SEED) >>> 0;
        for (let k = 0; k < hi && s + k < wl; k++) {
          const p = s + k;
          const c = p === 0 || p === wl - 1 ? 0x20 : text.charCodeAt(start + p - 1);
          ch = Math.imul(ch ^ c, FNV_PRIME);
          if (k + 1 >= lo) add(ch >>> 0);
        }
      }
    }
  }
  const idx = scratchIdx.slice(0, n);
  const val = new Float32Array(n);
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
