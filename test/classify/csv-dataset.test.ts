import test from 'ava';
import { CsvError, parseCsv, parseCsvRecords } from '../../src/lib/csv.ts';
import { categoryFromQueue, DatasetError, examplesFromCsv, isHeldOut, splitHeldOut, textBucket } from '../../src/classify/local/dataset.ts';

test('quoted fields keep commas, doubled quotes and line breaks (LF and CRLF)', (t) => {
  const text = 'a,b,c\r\n1,"two, with ""quotes""","line one\nline two\r\nline three"\n4,,6';
  t.deepEqual(parseCsv(text), [
    ['a', 'b', 'c'],
    ['1', 'two, with "quotes"', 'line one\nline two\r\nline three'],
    ['4', '', '6'],
  ]);
});

test('a BOM, a trailing newline and an empty last field', (t) => {
  t.deepEqual(parseCsv('\uFEFFx,y\n1,\n'), [['x', 'y'], ['1', '']]);
});

test('broken CSV is a clear error, not a silent misparse', (t) => {
  t.throws(() => parseCsv('a,b\n"open,1\n'), { instanceOf: CsvError, message: /unterminated quoted field starting on line 2/ });
  t.throws(() => parseCsv('a\n"x"y\n'), { instanceOf: CsvError, message: /after closing quote on line 2/ });
  t.throws(() => parseCsvRecords('a,b\n1,2,3\n'), { instanceOf: CsvError, message: /record 1 has 3 fields, the header has 2/ });
});

test('queue -> category by the original rule', (t) => {
  t.is(categoryFromQueue('Technical Support'), 'technical');
  t.is(categoryFromQueue('IT Support'), 'technical');
  t.is(categoryFromQueue('Billing and Payments'), 'billing');
  for (const q of ['Product Support', 'Customer Service', 'Service Outages and Maintenance', 'Returns and Exchanges', 'Sales and Pre-Sales', 'Human Resources', 'General Inquiry']) {
    t.is(categoryFromQueue(q), 'general', q);
  }
});

test('rows become examples with category from queue or category, priority critical -> urgent', (t) => {
  const ex = examplesFromCsv('subject,body,queue,priority,language\nS,"Body, text",IT Support,critical,de\n,Other,Customer Service,,\n');
  t.deepEqual(ex, [
    { subject: 'S', body: 'Body, text', category: 'technical', priority: 'urgent', language: 'de' },
    { subject: '', body: 'Other', category: 'general', priority: undefined, language: undefined },
  ]);
  t.is(examplesFromCsv('body,category\nhello,Billing\n')[0]!.category, 'billing');
  t.throws(() => examplesFromCsv('body,category\nhello,sales\n'), { instanceOf: DatasetError, message: /row 1: category "sales"/ });
  t.throws(() => examplesFromCsv('body\nhello\n'), { instanceOf: DatasetError, message: /needs a category or a queue/ });
  t.throws(() => examplesFromCsv('body,queue\n  ,IT Support\n'), { instanceOf: DatasetError, message: /row 1: empty body/ });
});

test('the held-out split depends only on the text: stable, disjoint, about 20%', (t) => {
  const rows = Array.from({ length: 2000 }, (_, i) => ({ subject: `s${i}`, body: `body ${i}` }));
  const a = splitHeldOut(rows);
  const b = splitHeldOut([...rows].reverse());
  t.deepEqual(a.heldOut.map((r) => r.subject).sort(), b.heldOut.map((r) => r.subject).sort());
  t.is(a.train.length + a.heldOut.length, rows.length);
  t.false(a.train.some((r) => a.heldOut.includes(r)));
  t.true(a.heldOut.length > 330 && a.heldOut.length < 470, `held out ${a.heldOut.length}`);
  t.is(isHeldOut(rows[0]!), textBucket(rows[0]!) < 0.2);
  t.not(textBucket({ subject: 'x', body: 'y' }), textBucket({ subject: 'x', body: 'y' }, 'fold'));
});
