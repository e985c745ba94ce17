/**
 * Masks personal data before ticket text leaves for an LLM. Stored tickets keep the original text;
 * only the copy sent out is redacted. Card numbers must pass the Luhn check and IBANs the mod-97
 * check, so order numbers and invoice ids that merely look numeric stay readable for the model.
 */
export interface Redaction {
  text: string;
  /** how many of each kind were masked (for logs and metrics; never the values) */
  counts: { email: number; phone: number; card: number; iban: number };
}

export const PLACEHOLDERS = {
  email: '[EMAIL]',
  phone: '[PHONE]',
  card: '[CARD]',
  iban: '[IBAN]',
} as const;

// local part: RFC 5322 atext and dots (plus any letter); domain: labels of letters, digits and hyphens
const EMAIL = /[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.[\p{L}\p{N}-]{2,}/gu;
// Two letters, two check digits, then 11..30 alphanumerics: compact, or in groups of four separated by spaces.
const IBAN = /\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b/g;
// A run of digit groups separated by single spaces or dashes; card numbers are looked for inside it.
const DIGIT_RUN = /(?<![\d-])\d+(?:[ -]\d+)*(?!\d)/g;
// A phone number: optional +country code, optional (area code), then 2..5 digits and up to four more groups,
// each after ONE separator (space . - /), so "0171 2345678 / (555) 123-4567" is two numbers, not one. A group
// never starts a date, so "call +1 555 0100 2024-05-01" stops before the date.
// dates with a four-digit year (2024-05-01, 01.05.2024, 5/1/2024); "01.23.45.67.89" stays a (French) phone number
const DATE = String.raw`(?:\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{4})(?!\d)`;
const PHONE = new RegExp(
  String.raw`(?<![\w+\-/.])(?!${DATE})(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{2,5}(?:[ .\-/](?!${DATE})\d{2,8}){0,4}(?!\w)`,
  'g',
);

export function luhnValid(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/[ -]/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch; // A=10 .. Z=35
    for (const d of value) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

/**
 * Masks Luhn-valid card numbers inside a run of digit groups, left to right, longest first. A card is one
 * group of 13..19 digits or several groups of at least 3 digits (4-4-4-4, 4-6-5 ...) adding up to 13..19,
 * so a neighbouring version, date or count ("v2.1 4000 ...", "2024-05-01 4000 ...") does not hide it.
 */
function maskCards(run: string): { text: string; count: number } {
  const groups = [...run.matchAll(/\d+/g)].map((g) => ({ start: g.index, end: g.index + g[0].length, len: g[0].length }));
  let out = '';
  let pos = 0;
  let count = 0;
  for (let i = 0; i < groups.length; ) {
    let found = -1;
    for (let j = Math.min(groups.length - 1, i + 6); j >= i && found < 0; j--) {
      const span = groups.slice(i, j + 1);
      const digits = span.reduce((a, g) => a + g.len, 0);
      if (digits < 13 || digits > 19 || (span.length > 1 && span.some((g) => g.len < 3))) continue;
      if (luhnValid(run.slice(groups[i]!.start, groups[j]!.end).replace(/[ -]/g, ''))) found = j;
    }
    if (found < 0) {
      i++;
      continue;
    }
    out += run.slice(pos, groups[i]!.start) + PLACEHOLDERS.card;
    pos = groups[found]!.end;
    count++;
    i = found + 1;
  }
  return { text: out + run.slice(pos), count };
}

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) n++;
  return n;
}

function looksLikeDate(s: string): boolean {
  return /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/.test(s.trim());
}

export function redactPii(input: string): Redaction {
  const counts = { email: 0, phone: 0, card: 0, iban: 0 };
  let text = input.replace(EMAIL, () => {
    counts.email++;
    return PLACEHOLDERS.email;
  });
  text = text.replace(IBAN, (m) => {
    // A grouped match may have swallowed a following word ("... 0130 00 AND"): drop trailing groups until valid.
    let candidate = m;
    while (!ibanValid(candidate)) {
      const cut = candidate.lastIndexOf(' ');
      if (cut < 0) return m;
      candidate = candidate.slice(0, cut);
    }
    counts.iban++;
    return PLACEHOLDERS.iban + m.slice(candidate.length);
  });
  text = text.replace(DIGIT_RUN, (run) => {
    const masked = maskCards(run);
    counts.card += masked.count;
    return masked.text;
  });
  text = text.replace(PHONE, (m) => {
    const digits = digitCount(m);
    if (digits < 7 || digits > 15 || looksLikeDate(m)) return m;
    // A bare run of digits not starting with 0 is more likely an order or ticket number than a phone.
    if (/^[1-9]\d+$/.test(m)) return m;
    counts.phone++;
    return PLACEHOLDERS.phone;
  });
  return { text, counts };
}
