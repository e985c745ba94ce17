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
