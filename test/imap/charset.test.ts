/**
 * Headers in raw 8-bit bytes with no declared charset (GBK, Big5, Shift_JIS, EUC-KR mailers): subjects,
 * display names and attachment filenames must come out readable, never as U+FFFD when a charset reads them.
 */
import { Readable } from 'node:stream';
import test from 'ava';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { decodeHeaderBytes, headerCharsetCandidates, headerCharsetName } from '../../src/inbound/imap/header-charset.ts';
import { classifyNoise } from '../../src/inbound/imap/noise.ts';
import { parseEmail } from '../../src/inbound/imap/parse-mail.ts';
import { FIXTURES, rawHeaderMail } from '../fixtures/mail/make-8bit-headers.ts';
import { fixture, SUPPORT } from './harness.ts';

const opts = { attachmentMaxBytes: 1024 };
const bytes = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const decode = (hex: string, declared: string[] = []) => {
  const raw = bytes(hex);
  return decodeHeaderBytes(raw, headerCharsetCandidates(declared, raw));
};

test('decoder: hand-made byte sequences in each legacy charset read as their text when the message names the charset', (t) => {
  t.is(decode('b7 a2 c6 b1', ['gb2312']).text, '发票');
  t.is(decode('b1 62 b8 b9', ['big5']).text, '帳號');
  t.is(decode('83 65 83 58 83 67', ['Shift_JIS']).text, 'テスト');
  t.is(decode('c8 af ba d2', ['ks_c_5601-1987']).text, '환불');
  t.is(decode('c0 c1 b5 e1 bd f1', ['euc-jp']).text, '請求書');
  // A declared charset that cannot read the bytes is passed over, not obeyed: Big5 has no 0x81 lead byte.
  t.is(decode('81 40 b7 a2 c6 b1', ['big5', 'gbk']).text, '丂发票');
});

test('decoder: strict UTF-8 first, even when the message declares a legacy charset that would also read the bytes', (t) => {
  const utf8 = decode('e5 8f 91 e7 a5 a8', ['gbk']);
  t.is(utf8.text, '发票');
  t.is(utf8.charset, 'utf-8');
  t.is(iconv.decode(bytes('e5 8f 91 e7 a5 a8'), 'gbk').includes('\uFFFD'), false, 'GBK reads these bytes too: the order matters');
  // Overlong or truncated UTF-8 is not UTF-8.
  t.not(decode('c0 af 41').charset, 'utf-8');
  t.not(decode('e5 8f').charset, 'utf-8');
});

test('decoder: undeclared bytes go to the detector; Latin-1 names stay Latin, not one Chinese character in a word', (t) => {
  t.is(decode('4d fc 6c 6c 65 72').text, 'Müller');
  t.is(decode('5a 6f eb').text, 'Zoë');
  t.is(decode(iconv.encode('自动回复：我正在休假', 'gbk').toString('hex')).text, '自动回复：我正在休假');
  t.is(decode(iconv.encode('パスワードを忘れました', 'shift_jis').toString('hex')).text, 'パスワードを忘れました');
  t.is(decode(iconv.encode('결제 오류 문의', 'euc-kr').toString('hex')).text, '결제 오류 문의');
  t.is(decode(iconv.encode('Не могу войти в аккаунт', 'windows-1251').toString('hex')).text, 'Не могу войти в аккаунт');
});

test('decoder: bytes no charset reads cleanly give a best effort and say so; ASCII passes untouched; labels', (t) => {
  const junk = decode('48 65 6c 70 20 81 ff 80 fe 00 20 6e 6f 77');
  t.false(junk.clean);
  t.true(junk.text.startsWith('Help ') && junk.text.endsWith(' now'), junk.text);
  t.deepEqual(decode('48 69'), { text: 'Hi', charset: 'ascii', clean: true });
  t.deepEqual(decodeHeaderBytes(Buffer.alloc(0), []), { text: '', charset: 'ascii', clean: true });
  t.is(headerCharsetName('GB2312'), 'gb18030');
  t.is(headerCharsetName('"Shift_JIS"'), 'cp932');
  t.is(headerCharsetName('iso-8859-1'), 'windows-1252');
  t.is(headerCharsetName('utf-7'), null, 'not a byte-per-character charset');
  t.is(headerCharsetName('x-no-such-charset'), null);
});

test('fixtures: raw GBK, Big5, Shift_JIS and EUC-KR headers, with and without a declared body charset, read as written', async (t) => {
  for (const [name, o] of Object.entries(FIXTURES)) {
    const m = await parseEmail(fixture(name), opts);
    t.is(m.subject, o.subject, name);
    t.deepEqual(m.from, { address: o.fromAddress, name: o.fromName }, name);
    t.deepEqual(m.attachments.map((a) => a.filename), o.attachmentName ? [o.attachmentName] : [], name);
    t.is(m.text.trim(), o.body, name);
    t.deepEqual(m.problems, [], name);
    t.is(m.headers.subject, o.subject, `${name}: the header record the noise rules read`);
  }
});

test('every charset with and without a declared body charset; the short name rides on the subject\'s signal', async (t) => {
  const texts: Record<string, { subject: string; name: string; body: string }> = {
    gbk: { subject: '我的账户被锁定了，无法登录', name: '王芳', body: '我的账户被锁定了。' },
    big5: { subject: '請問如何申請退款？訂單編號 5521', name: '林美玲', body: '請問如何申請退款。' },
    shift_jis: { subject: '請求書の金額が間違っています', name: '佐藤花子', body: '請求書の金額が間違っています。' },
    'euc-jp': { subject: 'ログインできません。助けてください', name: '鈴木一郎', body: 'ログインできません。' },
    'euc-kr': { subject: '비밀번호를 재설정할 수 없습니다', name: '이영희', body: '비밀번호를 재설정할 수 없습니다.' },
  };
  for (const [charset, x] of Object.entries(texts)) {
    for (const declared of [true, false]) {
      const raw = rawHeaderMail({
        headerCharset: charset, subject: x.subject, fromName: x.name, fromAddress: 'c@customer.example', messageId: `<${charset}-${declared}@customer.example>`,
        body: declared ? x.body : 'plain ascii body', ...(declared ? { bodyCharset: charset } : {}), attachmentName: `${x.name}.pdf`,
      });
      const m = await parseEmail(raw, opts);
      const label = `${charset}, body charset ${declared ? 'declared' : 'absent'}`;
      t.is(m.subject, x.subject, label);
      t.is(m.from?.name, x.name, label);
      t.is(m.attachments[0]?.filename, `${x.name}.pdf`, label);
    }
  }
});

test('property: a subject in a declared charset always reads back exactly; undeclared it never shows U+FFFD', async (t) => {
  const alphabets: Record<string, string> = {
    gbk: '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可发票账户退款',
    big5: '的一是不了人我在有他這中大來上國個到說們為子和你地出道也時年得就那要下以生會自著去之過家學對可發票帳戶退款',
    shift_jis: 'あいうえおかきくけこさしすせそたちつてとアイウエオカキクケコ請求書金額間違登録確認日本語',
    'euc-kr': '가나다라마바사아자차카타파하결제환불비밀번호계정로그인문의드립니다',
  };
  for (const [charset, alphabet] of Object.entries(alphabets)) {
    const chars = [...alphabet];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...chars, ' ', 'A', '7'), { minLength: 1, maxLength: 30 }), fc.boolean(), async (list, declared) => {
        const subject = list.join('').trim() || chars[0]!;
        const m = await parseEmail(
          rawHeaderMail({ headerCharset: charset, subject, fromName: chars[1]!, fromAddress: 'p@customer.example', messageId: '<p@customer.example>', body: 'x', ...(declared ? { bodyCharset: charset } : {}) }),
          opts,
        );
        // Strict UTF-8 goes first, so a legacy byte string that also happens to be valid UTF-8 (one or two
        // characters at most, in practice) reads as UTF-8: the one case a declared charset does not decide.
        const alsoUtf8 = (() => {
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(iconv.encode(subject, charset));
            return true;
          } catch {
            return false;
          }
        })();
        if (declared && !alsoUtf8) return m.subject === subject.replace(/\s+/g, ' ');
        return !!m.subject && !m.subject.includes('\uFFFD') && !(m.from?.name ?? '').includes('\uFFFD');
      }),
      { numRuns: 60 },
    );
  }
  t.pass();
});

test('mixed: an encoded-word beside raw bytes, raw bytes inside a Q encoded-word, a folded raw subject', async (t) => {
  const head = (subject: Buffer, extra = '') =>
    Buffer.concat([Buffer.from(`From: a@customer.example\r\nSubject: `), subject, Buffer.from(`\r\n${extra}Content-Type: text/plain; charset=gbk\r\n\r\nbody\r\n`)]);
  const mixed = await parseEmail(head(Buffer.concat([Buffer.from('=?utf-8?B?' + Buffer.from('回复：').toString('base64') + '?= '), iconv.encode('发票问题', 'gbk')])), opts);
  t.is(mixed.subject, '回复： 发票问题');
  // What old Outlook versions wrote: an ISO-8859-1 encoded-word with the byte itself instead of =F6.
  const inWord = await parseEmail(Buffer.from('From: a@customer.example\r\nSubject: =?iso-8859-1?Q?Die_Hasen_und_die_Fr\xf6sche?=\r\n\r\nbody\r\n', 'latin1'), opts);
  t.is(inWord.subject, 'Die Hasen und die Frösche');
  const folded = await parseEmail(head(Buffer.concat([iconv.encode('关于发票', 'gbk'), Buffer.from('\r\n '), iconv.encode('金额的问题', 'gbk')])), opts);
  t.is(folded.subject, '关于发票 金额的问题');
});

test('raw UTF-8 ending in byte 0xA0 ("你", "à") survives; one charset for all of a message\'s short names', async (t) => {
  const utf8 = (subject: string) => parseEmail(Buffer.concat([Buffer.from('From: a@customer.example\r\nSubject: '), Buffer.from(subject), Buffer.from('\r\n\r\nbody\r\n')]), opts);
  t.is((await utf8('你')).subject, '你');
  t.is((await utf8('Voilà')).subject, 'Voilà');
  const g = (s: string) => iconv.encode(s, 'gbk');
  const names = await parseEmail(
    Buffer.concat([
      Buffer.from('From: "'), g('张伟'), Buffer.from('" <a@customer.example>\r\nTo: '), g('李娜'), Buffer.from(' <b@customer.example>, "'), g('王芳, 财务'),
      Buffer.from('" <c@customer.example>\r\nSubject: '), g('你好'), Buffer.from('\r\n\r\nbody\r\n'),
    ]),
    opts,
  );
  t.is(names.subject, '你好');
  t.is(names.from?.name, '张伟');
  t.deepEqual(names.to.map((a) => a.name), ['李娜', '王芳, 财务']);
});

test('streamed in small chunks, a mail reads the same as from one buffer', async (t) => {
  for (const name of ['gbk-raw-headers.eml', 'shift-jis-raw-headers.eml']) {
    const raw = fixture(name);
    const chunks: Buffer[] = [];
    for (let i = 0; i < raw.length; i += 7) chunks.push(raw.subarray(i, i + 7));
    const [whole, streamed] = [await parseEmail(raw, opts), await parseEmail(Readable.from(chunks), opts)];
    t.is(streamed.subject, whole.subject, name);
    t.deepEqual(streamed.from, whole.from, name);
    t.deepEqual(streamed.attachments.map((a) => a.filename), whole.attachments.map((a) => a.filename), name);
  }
});

test('an auto-reply in raw GBK is recognised now that its subject reads; a customer mail in GBK is not noise', async (t) => {
  const ooo = rawHeaderMail({ headerCharset: 'gbk', subject: '自动回复：我正在休假', fromName: '张伟', fromAddress: 'zhang@customer.example', messageId: '<ooo@customer.example>', body: 'x' });
  t.is(classifyNoise(await parseEmail(ooo, opts), { supportAddresses: [SUPPORT] })?.kind, 'auto-reply');
  t.is(classifyNoise(await parseEmail(fixture('gbk-raw-headers.eml'), opts), { supportAddresses: [SUPPORT] }), undefined);
});

test('hostile: undecodable header bytes, NUL bytes and hundreds of 8-bit filenames parse without a crash', async (t) => {
  const junk = await parseEmail(Buffer.from('From: \x81\xff\x80 <x@customer.example>\r\nSubject: Help \x81\xff\x80\xfe\x00 now\r\n\r\nThe body is fine.\r\n', 'latin1'), opts);
  t.regex(junk.subject ?? '', /^Help .* now$/);
  t.is(junk.from?.address, 'x@customer.example');
  t.true(junk.problems.some((p) => /subject header: 8-bit bytes in no known charset/.test(p)), junk.problems.join('; '));
  t.is(junk.text.trim(), 'The body is fine.');

  const parts = Array.from({ length: 300 }, (_, i) =>
    Buffer.concat([Buffer.from(`--b\r\nContent-Type: application/octet-stream; name="`), iconv.encode(`附件${i}.bin`, 'gbk'), Buffer.from('"\r\n\r\nx\r\n')]),
  );
  const many = await parseEmail(Buffer.concat([Buffer.from('From: a@customer.example\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'), ...parts, Buffer.from('--b--\r\n')]), opts);
  t.is(many.attachments.length, 300);
  t.deepEqual(many.attachments.map((a) => a.filename), parts.map((_, i) => `附件${i}.bin`));
  t.false(many.attachments.some((a) => a.filename?.includes('\uFFFD')));
});

test('a declared charset wins for CJK text between ASCII letters ("A的A的大" in Big5 is not windows-1252)', async (t) => {
  // Found by the property above: the wide-character-inside-a-word heuristic (meant for a detector's wrong
  // guess) threw out the declared Big5 reading, and windows-1252 "AªºAªº¤j" won.
  for (const charset of ['big5', 'gbk']) {
    const m = await parseEmail(
      rawHeaderMail({ headerCharset: charset, subject: 'A的A的大', fromName: '大', fromAddress: 'p@customer.example', messageId: '<d@customer.example>', body: 'x', bodyCharset: charset }),
      opts,
    );
    t.is(m.subject, 'A的A的大', charset);
  }
});
