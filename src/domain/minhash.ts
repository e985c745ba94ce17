/**
 * How alike two tickets' texts are, cheaply and across instances: a MinHash signature of the text's word
 * 3-shingles (64 values). The share of equal values estimates the Jaccard similarity of the two shingle sets.
 * Chosen by measurement (bench/incident-grouping.ts, BENCHMARKS.md): at 0.25 (INCIDENT_SIMILARITY) it found
 * at least 99.7% of a flood's near-duplicates on five bursts and formed no false group among the ticket set's
 * look-alike tickets, where trigram similarity and TF-IDF cosine did. The salts are fixed, so signatures stored by one instance compare with another's.
 */

export const MINHASH_SIZE = 64;

/** Fixed salts from a seeded generator (never change them: stored signatures would stop matching). */
const SALTS: readonly number[] = (() => {
  let state = 0x5eed1e55;
  const out: number[] = [];
  for (let i = 0; i < MINHASH_SIZE; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    out.push((x ^ (x >>> 14)) >>> 0);
  }
  return out;
})();

/** Lower-case words of letters and digits, longer than one character. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 1);
}

/** FNV-1a of a shingle: hashed once, then mixed with each salt. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}

/** MurmurHash3's finalizer of the shingle's hash and a salt: one independent-looking hash per salt, as a signed 32-bit integer. */
function mix(h: number, salt: number): number {
  let x = h ^ salt;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** The text's signature; a text of fewer than three words is one shingle. Empty text: all values equal. */
export function minhash(text: string): number[] {
  const ws = wordsOf(text);
  const shingles = ws.length < 3 ? [ws.join(' ')] : ws.slice(0, -2).map((_, i) => `${ws[i]} ${ws[i + 1]} ${ws[i + 2]}`);
  const hashes = [...new Set(shingles)].map(fnv);
  return SALTS.map((salt) => {
    let min = Infinity;
    for (const h of hashes) {
      const v = mix(h, salt);
      if (v < min) min = v;
    }
    return min;
  });
}

/** Estimated Jaccard similarity of the two texts' shingles (0..1); 0 when the signatures do not fit together. */
export function similarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Fewer words than this say too little to tell one problem from another: such texts are not compared. */
export const MIN_COMPARED_WORDS = 8;

/** The text a ticket is compared by: its subject and its first message. */
export const comparedText = (t: { subject: string | null; body: string }) => `${t.subject ?? ''}\n${t.body}`;
