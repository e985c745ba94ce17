/**
 * The new text of an e-mail: what the sender wrote this time, without the quoted history below it and
 * without the signature. Pure, line based and linear in the input (no backtracking regexes over the
 * whole text), so pathological bodies cannot stall the mailbox loop.
 */

const WROTE_VERBS =
  /(wrote|writes|schrieb|schreef|a écrit|escribió|escreveu|ha scritto|scrisse|skrev|kirjoitti|napisał|napsal|написал|написала|написал\(а\)|írta|yazdı|写道|寫道|のメッセージ|님이 작성)/i;
const WROTE_START = /^(on|am|le|el|il|op|den|em|på|w dniu|dne|il giorno|в|el día|le \w+|\d)/i;
const ORIGINAL_MESSAGE =
  /^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|messaggio originale|mensaje original|oorspronkelijk bericht|původní zpráva|alkuperäinen viesti|opprinnelig melding|oprindelig meddelelse|ursprungligt meddelande|mensagem original|исходное сообщение|forwarded message|weitergeleitete nachricht)\s*-{2,}\s*$/i;
const HEADER_FROM = /^\s*\*?(from|von|de|da|van|fra|från|от|lähettäjä|od|feladó)\s*:\*?\s*\S/i;
const HEADER_NEXT = /^\s*\*?(sent|date|gesendet|datum|envoyé|enviado|inviato|verzonden|sendt|skickat|отправлено|lähetetty|data|to|an|à|para|a|aan|til|till|кому|subject|betreff|objet|asunto|oggetto|onderwerp|emne|ämne|тема)\s*:/i;
const SIG_DELIMITER = /^(-- ?|—|__)\s*$/;
const MOBILE_SIGNATURE =
  /^(sent from my|sent from \w+ ?<https?:[^>\s]+>|sent from (outlook|mail|yahoo mail)|get outlook for|envoyé de mon|von meinem|gesendet von|enviado desde mi|enviado do meu|inviato da|verzonden vanaf mijn|skickat från min|sendt fra min)[\p{L}\p{N}\s\-'’®™.]{0,60}$/iu;

function isQuoted(line: string): boolean {
  return /^\s*>/.test(line);
}

/** Index of the first line of quoted history (and whether it is an "... wrote:" line), or -1. */
function quoteStart(lines: string[]): { at: number; wrote: boolean } {
  const at = quoteStartIndex(lines);
  return at;
}

function quoteStartIndex(lines: string[]): { at: number; wrote: boolean } {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (ORIGINAL_MESSAGE.test(line)) return { at: i, wrote: false };
    // "On <date>, <name> wrote:" — possibly wrapped over up to three lines.
    if (WROTE_START.test(line) && line.length < 400) {
      const joined = [line, lines[i + 1]?.trim() ?? '', lines[i + 2]?.trim() ?? ''];
      for (let n = 1; n <= 3; n++) {
        const candidate = joined.slice(0, n).join(' ');
        if (candidate.endsWith(':') && WROTE_VERBS.test(candidate) && !/https?:\/\/\S*(wrote|schrieb)/i.test(candidate)) return { at: i, wrote: true };
      }
    }
    // Outlook: a "From: ..." block followed closely by Sent/Date/To/Subject lines.
    if (HEADER_FROM.test(line)) {
      let headerLines = 0;
      for (let j = i + 1; j < Math.min(lines.length, i + 6); j++) if (HEADER_NEXT.test(lines[j]!)) headerLines++;
      if (headerLines >= 2) {
        // Include a separator rule ("_____" / "-----") just above the block.
        let k = i - 1;
        while (k >= 0 && !lines[k]!.trim()) k--;
        return { at: k >= 0 && /^[-_=]{10,}$/.test(lines[k]!.trim()) ? k : i, wrote: false };
      }
    }
    // A quoted block that runs (blank lines aside) to the end of the mail.
    if (isQuoted(line)) {
      let rest = true;
      for (let j = i + 1; j < lines.length; j++) {
        const l = lines[j]!.trim();
        if (l && !isQuoted(l)) {
          rest = false;
          break;
        }
      }
      if (rest) return { at: i, wrote: false };
    }
  }
  return { at: -1, wrote: false };
}

/** Lines written this time: above the first quote, plus replies written below a quote (bottom posting). */
function newLines(lines: string[], depth: number): string[] {
  const { at, wrote } = quoteStart(lines);
  if (at < 0) return lines;
  const head = lines.slice(0, at);
  if (!wrote || depth > 20) return head;
  // "On ... wrote:" + '>'-quoted lines, then the sender's own text again: keep that text.
  let j = at;
  while (j < Math.min(lines.length - 1, at + 2) && !lines[j]!.trim().endsWith(':')) j++;
  j++;
  while (j < lines.length && !lines[j]!.trim()) j++;
  if (j >= lines.length || !isQuoted(lines[j]!)) return head;
  while (j < lines.length && (!lines[j]!.trim() || isQuoted(lines[j]!))) j++;
  const rest = lines.slice(j);
  if (!rest.some((l) => l.trim())) return head;
  return [...head, ...newLines(rest, depth + 1)];
}

function stripSignature(lines: string[]): string[] {
  let end = lines.length;
  for (let i = 0; i < end; i++) {
    if (SIG_DELIMITER.test(lines[i]!) && lines.slice(0, i).some((l) => l.trim())) {
      end = i;
      break;
    }
  }
  let out = lines.slice(0, end);
  // Trailing mobile signatures ("Sent from my iPhone") and blank lines.
  for (;;) {
    while (out.length && !out[out.length - 1]!.trim()) out = out.slice(0, -1);
    const last = out[out.length - 1];
    if (last !== undefined && MOBILE_SIGNATURE.test(last.trim()) && out.length > 1) out = out.slice(0, -1);
    else break;
  }
  return out;
}

/** Splits a body into the new text (quotes and signature removed) and reports whether anything was removed. */
export function visibleText(fullText: string): { visible: string; trimmed: boolean } {
  const normalized = fullText.replace(/\r\n?/g, '\n');
  const visible = stripSignature(newLines(normalized.split('\n'), 0)).join('\n').trim();
  const full = normalized.trim();
  // Nothing new above the quote (e.g. a bare forward): keep everything rather than an empty ticket.
  if (!visible) return { visible: full, trimmed: false };
  return { visible, trimmed: visible !== full };
}
