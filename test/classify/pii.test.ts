import test from 'ava';
import { ibanValid, luhnValid, redactPii } from '../../src/classify/pii.ts';

test('e-mail addresses, phone numbers, cards and IBANs are masked and counted', (t) => {
  const r = redactPii(
    'Mail jane.o\'neil+billing@mail.example.co.uk or call +49 (30) 1234-5678 / 0171 2345678 / (555) 123-4567. ' +
      'Card 4111 1111 1111 1111, also 5500-0055-5555-5559. IBAN GB82WEST12345698765432 and DE89 3704 0044 0532 0130 00.',
  );
  t.is(
    r.text,
    'Mail [EMAIL] or call [PHONE] / [PHONE] / [PHONE]. Card [CARD], also [CARD]. IBAN [IBAN] and [IBAN].',
  );
  t.deepEqual(r.counts, { email: 1, phone: 3, card: 2, iban: 2 });
});

test('numbers that are not personal data stay: order ids, dates, versions, failed checksums', (t) => {
  const text =
    'Order 1234567 on 2024-03-15 (15.03.2024), app v2.3.14, invoice INV-2024-000123, ' +
    'card-like 4111 1111 1111 1112 fails Luhn, IBAN-like DE89 3704 0044 0532 0130 01 fails mod 97.';
  const r = redactPii(text);
  t.is(r.text, text);
  t.deepEqual(r.counts, { email: 0, phone: 0, card: 0, iban: 0 });
});

test('a phone next to a date or a version: the phone goes, the date and version stay', (t) => {
  t.is(redactPii('Tél. 01.23.45.67.89, rappel le 02.05.2024').text, 'Tél. [PHONE], rappel le 02.05.2024');
  t.is(redactPii('call +1 555 0100 2024-05-01 after 3pm').text, 'call [PHONE] 2024-05-01 after 3pm');
  t.is(redactPii('v2.1 4000 0000 0000 0002').text, 'v2.1 [CARD]');
});

test('an IBAN followed by a word keeps the word', (t) => {
  t.is(redactPii('pay to DE89 3704 0044 0532 0130 00 TODAY').text, 'pay to [IBAN] TODAY');
});

test('Luhn and mod-97 checks', (t) => {
  t.true(luhnValid('4111111111111111'));
  t.true(luhnValid('378282246310005'));
  t.false(luhnValid('4111111111111112'));
  t.false(luhnValid('1234'));
  t.true(ibanValid('DE89370400440532013000'));
  t.true(ibanValid('fr14 2004 1010 0505 0001 3m02 606'));
  t.false(ibanValid('DE89370400440532013001'));
  t.false(ibanValid('DE8937'));
});

// Property tests: whatever the surrounding words, generated personal data never survives redaction.
import fc from 'fast-check';

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

function withLuhnDigit(partial: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(partial + d)) return partial + d;
  throw new Error('unreachable');
}

function withIbanCheck(country: string, bban: string): string {
  for (let c = 2; c <= 98; c++) {
    const iban = `${country}${String(c).padStart(2, '0')}${bban}`;
    if (ibanValid(iban)) return iban;
  }
  throw new Error('unreachable');
}

const words = fc.array(fc.constantFrom('please', 'refund', 'my', 'order', 'Bestellung', 'factura', 'merci', 'v2.1', '2024-05-01', 'ok'), { maxLength: 6 }).map((w) => w.join(' '));
const group4 = (s: string) => s.replace(/(.{4})(?=.)/g, '$1 ');

test('property: Luhn-valid card numbers, plain or grouped, are always masked', (t) => {
  fc.assert(
    fc.property(words, fc.constantFrom('4', '5', '37'), digits(14), fc.boolean(), words, (before, prefix, rest, grouped, after) => {
      const card = withLuhnDigit((prefix + rest).slice(0, 15));
      const shown = grouped ? group4(card) : card;
      const out = redactPii(`${before} ${shown} ${after}`).text;
      return !out.includes(shown) && out.includes('[CARD]');
    }),
  );
  t.pass();
});

test('property: IBANs with valid check digits, compact or grouped, are always masked', (t) => {
  fc.assert(
    fc.property(words, fc.constantFrom('DE', 'FR', 'ES', 'NL', 'AT'), digits(18), fc.boolean(), words, (before, country, bban, grouped, after) => {
      const iban = withIbanCheck(country, bban);
      const shown = grouped ? group4(iban) : iban;
      const out = redactPii(`${before} ${shown} ${after}`).text;
      return !out.includes(shown) && out.includes('[IBAN]');
    }),
  );
  t.pass();
});

test('property: e-mail addresses are always masked', (t) => {
  fc.assert(
    fc.property(words, fc.emailAddress(), words, (before, email, after) => {
      const out = redactPii(`${before} <${email}> ${after}`).text;
      return !out.includes(email);
    }),
  );
  t.pass();
});

test('property: international phone numbers (+country, groups of 2-4 digits, 8-15 digits) are always masked', (t) => {
  const group = fc.integer({ min: 2, max: 4 }).chain((n) => digits(n));
  fc.assert(
    fc.property(words, fc.integer({ min: 1, max: 999 }), fc.array(group, { minLength: 2, maxLength: 4 }), fc.constantFrom(' ', '-', '.'), words, (before, cc, groups, sep, after) => {
      const phone = `+${cc} ${groups.join(sep)}`;
      fc.pre(phone.replace(/\D/g, '').length >= 8 && phone.replace(/\D/g, '').length <= 15); // E.164 lengths
      // groups that read as a date (0000-05-01, 05.01.2024) are deliberately left alone
      fc.pre(!/\d{4}[.-]\d{1,2}[.-]\d{1,2}(?!\d)|\d{1,2}[.-]\d{1,2}[.-]\d{4}/.test(groups.join(sep)));
      const out = redactPii(`${before} ${phone} ${after}`).text;
      return !out.includes(phone);
    }),
  );
  t.pass();
});
