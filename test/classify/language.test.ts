/**
 * Language detection on the short texts tickets often are (chat messages, a subject, one line by mail),
 * written for this test in the five languages of the training data, and inputs that try to break it.
 */
import test from 'ava';
import { detectLanguage } from '../../src/classify/language.ts';

const SHORT: [string, string][] = [
  ['Since yesterday I cannot log in.', 'en'],
  ['Refund please', 'en'],
  ['The app crashes on start', 'en'],
  ['Where is my invoice?', 'en'],
  ['Meine Rechnung ist doppelt.', 'de'],
  ['Ich kann mich nicht anmelden', 'de'],
  ['Wo ist meine Bestellung?', 'de'],
  ['No puedo iniciar sesión', 'es'],
  ['¿Dónde está mi factura?', 'es'],
  ['Me cobraron dos veces', 'es'],
  ['Je ne peux pas me connecter', 'fr'],
  ['Où est ma facture ?', 'fr'],
  ['Remboursement svp', 'fr'],
  ['Não consigo entrar na conta', 'pt'],
  ['Fui cobrado duas vezes', 'pt'],
  ['Onde está minha fatura?', 'pt'],
];

test('short tickets in the five languages of the training data are detected right (one line, a subject)', (t) => {
  const wrong = SHORT.filter(([text, language]) => detectLanguage(text) !== language).map(([text, language]) => `${text} -> ${detectLanguage(text)} (not ${language})`);
  t.deepEqual(wrong, []);
});

test('the first 200 characters decide: a long English ticket with a German signature stays English', (t) => {
  const body = `${'My order arrived damaged and the replacement has not been sent yet, please help me with this. '.repeat(3)}\n\nMit freundlichen Grüßen aus Berlin, Ihr Kunde`;
  t.is(detectLanguage(body), 'en');
});

test('nothing to go by is und: empty, blanks, digits and punctuation, one or two letters', (t) => {
  for (const text of ['', '   ', '\n\t', '12345 !!!', '??', 'ok', '#42']) t.is(detectLanguage(text), 'und', JSON.stringify(text));
});

test('a script outside the likely languages gives und or a likely language, never a guess outside the list', (t) => {
  for (const text of ['我的发票在哪里', 'Where is my 請求書', 'مرحبا', '😀😀😀 🙏']) {
    t.true(['und', 'en', 'de', 'es', 'fr', 'pt', 'it', 'nl', 'pl', 'sv', 'da', 'fi', 'cs', 'tr', 'ru'].includes(detectLanguage(text)), text);
  }
});

test('very long input is cut, not scanned whole', (t) => {
  t.is(detectLanguage(`Please send me the invoice for last month. ${'x'.repeat(5_000_000)}`), 'en');
});
