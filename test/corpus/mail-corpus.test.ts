/**
 * Robustness against ~1,200 real-world mails nobody here wrote (../shared/data/mail-corpus, read in place):
 * everything parses, nothing readable ends up empty, bounces and auto-replies are recognised at the rates
 * the corpus's source projects assert. Rates are asserted with a floor and logged, never exact outputs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyNoise } from '../../src/inbound/imap/noise.ts';
import { parseEmail } from '../../src/inbound/imap/parse-mail.ts';
import { toInboundMessage } from '../../src/inbound/imap/to-inbound.ts';
import { visibleText } from '../../src/inbound/imap/visible-text.ts';
import { corpus, corpusTest, emlFiles, MAIL_FOLDERS } from './corpus.ts';

// Without the corpus this registers one failing test (./corpus.ts).
const run = corpusTest();

const opts = { attachmentMaxBytes: 256 * 1024 };
const ctx = { mailbox: 'INBOX', uid: 1, uidValidity: '1', supportAddresses: ['support@triage.test'] };

const rate = (n: number, of: number) => (of ? n / of : 1);

run('every corpus mail parses and normalizes; no mail with readable text gets an empty body', async (t) => {
  const files = MAIL_FOLDERS.flatMap((d) => emlFiles(path.join(corpus, d)));
  t.true(files.length > 800, `found ${files.length} mails`);
  let withText = 0;
  for (const file of files) {
    const mail = await parseEmail(readFileSync(file), opts);
    const msg = toInboundMessage(mail, ctx);
    t.true(msg.body.trim().length > 0, file);
    t.true((msg.externalId ?? '').length <= 255, file);
    if (mail.text.replace(/\s/g, '').length > 0) {
      withText++;
      t.true(msg.body.replace(/\s/g, '').length > 0 && !/^\((no text|empty message)\)/.test(msg.body), `text lost: ${file}`);
    }
  }
  t.log(`${files.length} mails parsed, ${withText} with text`);
});

run('decoding agrees with the Stalwart parser on senders and readable bodies', async (t) => {
  const root = path.join(corpus, 'stalwart_mail_parser');
  const expected = JSON.parse(readFileSync(path.join(root, 'expected_summary.json'), 'utf8')).expected as Record<
    string,
    { subject: string | null; from: { address: string }[] | null; text_body_len: number; text_body_head: string | null }
  >;
  let subjects = 0, subjectsOk = 0, senders = 0, sendersOk = 0, bodies = 0, bodiesOk = 0;
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  for (const [file, e] of Object.entries(expected)) {
    const mail = await parseEmail(readFileSync(path.join(root, file)), opts);
    if (e.subject && !e.subject.includes('\uFFFD')) {
      subjects++;
      if (norm(mail.subject ?? '') === norm(e.subject)) subjectsOk++;
    }
    if (e.from?.[0]?.address) {
      senders++;
      if (mail.from?.address === e.from[0].address.toLowerCase()) sendersOk++;
    }
    if (e.text_body_len > 0 && (e.text_body_head ?? '').trim()) {
      bodies++;
      if (mail.text.trim()) bodiesOk++;
    }
  }
  t.log(`subjects ${subjectsOk}/${subjects}, senders ${sendersOk}/${senders}, non-empty bodies ${bodiesOk}/${bodies}`);
  t.true(rate(sendersOk, senders) >= 0.95);
  t.is(bodiesOk, bodies);
  t.true(rate(subjectsOk, subjects) >= 0.95, 'raw 8-bit subjects are decoded (62/74 before, 72/74 since)');
});

run('Sisimai set: bounces are recognised (delays apart), auto-replies too, and the not-bounces pass', async (t) => {
  const root = path.join(corpus, 'sisimai');
  const expected = JSON.parse(readFileSync(path.join(root, 'expected.json'), 'utf8')).expected as Record<string, { recipients: { reason: string }[] }>;
  const counts = { bounces: 0, asBounce: 0, asDelay: 0, vacations: 0, asAutoReply: 0, feedback: 0, asFeedback: 0, asTicket: 0 };
  for (const file of readdirSync(path.join(root, 'eml')).sort()) {
    const reason = expected[file]?.recipients[0]?.reason;
    if (!reason) continue;
    const kind = classifyNoise(await parseEmail(readFileSync(path.join(root, 'eml', file)), opts), ctx)?.kind;
    if (!kind) counts.asTicket++;
    if (reason === 'vacation') {
      counts.vacations++;
      if (kind === 'auto-reply') counts.asAutoReply++;
    } else if (reason === 'feedback') {
      counts.feedback++;
      if (kind === 'feedback-report') counts.asFeedback++;
    } else if (reason !== 'delivered') {
      counts.bounces++;
      if (kind === 'bounce') counts.asBounce++;
      if (kind === 'delay') counts.asDelay++;
    }
  }
  t.log(JSON.stringify(counts));
  t.log(`bounce rate ${(100 * rate(counts.asBounce, counts.bounces)).toFixed(1)}%, bounce-or-delay ${(100 * rate(counts.asBounce + counts.asDelay, counts.bounces)).toFixed(1)}%`);
  t.true(rate(counts.asBounce + counts.asDelay, counts.bounces) >= 0.97);
  t.true(rate(counts.asBounce, counts.bounces) >= 0.9);
  t.is(counts.asAutoReply, counts.vacations);
  t.true(rate(counts.asFeedback, counts.feedback) >= 0.7);
  for (const file of ['is-not-bounce-01.eml', 'is-not-bounce-02.eml']) {
    t.is(classifyNoise(await parseEmail(readFileSync(path.join(root, 'not-bounce', file)), opts), ctx), undefined, file);
  }
});

run('human mail from the other corpora is rarely taken for noise', async (t) => {
  const files = ['stalwart_mail_parser', 'mailparser'].flatMap((d) => emlFiles(path.join(corpus, d)));
  const noisy: string[] = [];
  for (const file of files) {
    const v = classifyNoise(await parseEmail(readFileSync(file), opts), ctx);
    if (v) noisy.push(`${path.relative(corpus, file)}: ${v.kind} (${v.reason})`);
  }
  t.log(`${noisy.length}/${files.length} classified as noise:\n${noisy.join('\n')}`);
  t.true(rate(noisy.length, files.length) <= 0.05);
});

run('reply parser fixtures: new text matches the expected visible text, and is never empty', (t) => {
  const root = path.join(corpus, 'reply_parser');
  const expected = JSON.parse(readFileSync(path.join(root, 'expected.json'), 'utf8')) as Record<
    string,
    { fixtures: Record<string, { expected_visible_text: string | null }[]> }
  >;
  const norm = (s: string) => s.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd()).join('\n').trim();
  let literal = 0, matched = 0, files = 0;
  for (const [source, entry] of Object.entries(expected)) {
    for (const [fixture, cases] of Object.entries(entry.fixtures)) {
      const file = path.join(root, source, 'emails', fixture);
      if (!existsSync(file)) continue;
      files++;
      const body = readFileSync(file, 'utf8');
      const { visible } = visibleText(body);
      if (body.trim()) t.true(visible.trim().length > 0, fixture);
      for (const c of cases) {
        if (c.expected_visible_text === null) continue;
        literal++;
        if (norm(visible) === norm(c.expected_visible_text)) matched++;
      }
    }
  }
  t.log(`${matched}/${literal} literal expectations met over ${files} fixtures`);
  t.true(files > 100);
  t.true(rate(matched, literal) >= 0.8);
});

run('raw 8-bit headers: a subject or display name shows U+FFFD only where the sender\'s bytes are U+FFFD themselves', async (t) => {
  const files = MAIL_FOLDERS.flatMap((d) => emlFiles(path.join(corpus, d)));
  let eightBit = 0;
  const replaced: string[] = [];
  for (const file of files) {
    const raw = readFileSync(file);
    const end = raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
    const head = raw.subarray(0, end >= 0 ? end : raw.length);
    if (head.some((b) => b >= 0x80)) eightBit++;
    const mail = await parseEmail(raw, opts);
    const names = [mail.from, ...mail.replyTo, ...mail.to, ...mail.cc].map((a) => a?.name ?? '');
    if (![mail.subject ?? '', ...names].some((s) => s.includes('\uFFFD'))) continue;
    replaced.push(path.relative(corpus, file));
    t.true(head.includes(Buffer.from('\uFFFD')), `U+FFFD although no replacement character was sent: ${file}`);
  }
  t.log(`${eightBit} mails with 8-bit top-level headers; ${replaced.length} keep U+FFFD in a subject or name: ${replaced.join(', ')}`);
  t.true(eightBit > 20, 'the corpus still has raw 8-bit headers to test against');
});
