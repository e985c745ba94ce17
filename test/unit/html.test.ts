/** html``: every interpolated value is text unless it is SafeHtml; URLs only http(s), mailto and relative. */
import test from 'ava';
import fc from 'fast-check';
import { escapeHtml, html, join, safeUrl, visibleText } from '../../src/lib/html.ts';

const unescape = (s: string) => s.replace(/&(lt|gt|quot|#39|#96|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`', amp: '&' })[e]!);

test('any text interpolated into content or a quoted attribute stays text', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (text) => {
      const out = html`<p title="${text}" data-x='${text}'>${text}</p>`.value;
      const inner = out.slice(out.indexOf('>') + 1, out.lastIndexOf('</p>'));
      return !/[<>"'`]/.test(inner) && unescape(inner) === text && out.split('"').length === 3 && out.split("'").length === 3;
    }),
  );
  t.pass();
});

test('SafeHtml nests unescaped, lists join, and null, undefined and booleans render nothing', (t) => {
  const item = (s: string) => html`<li>${s}</li>`;
  t.is(html`<ul>${['<a>', 'b'].map(item)}</ul>`.value, '<ul><li>&lt;a&gt;</li><li>b</li></ul>');
  t.is(html`${null}${undefined}${false}${true}${0}`.value, '0');
  t.is(join([html`<b>x</b>`, '<i>'], html`<br>`).value, '<b>x</b><br>&lt;i&gt;');
  // A look-alike object is not SafeHtml.
  t.is(html`${{ value: '<script>' } as never}`.value, '[object Object]');
  t.is(escapeHtml(`&<>"'\``), '&amp;&lt;&gt;&quot;&#39;&#96;');
});

test('safeUrl lets web, mail and relative links through and turns every other scheme into #', (t) => {
  for (const ok of ['https://example.com/a?b=1', 'http://x.test', 'mailto:a@example.com', '/console/tickets/1', '?tab=mine', '#top']) t.is(safeUrl(ok), ok);
  for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>', 'vbscript:x', '//evil.example', '/\\evil.example', 'file:///etc/passwd', '']) {
    t.is(safeUrl(bad), '#', JSON.stringify(bad));
  }
});

test('visibleText shows bidi overrides and zero-width characters as code points', (t) => {
  t.is(visibleText('abc\u202Egnp.exe'), 'abc⟨U+202E⟩gnp.exe');
  t.is(visibleText('a\u200Bb\uFEFFc\u2066d'), 'a⟨U+200B⟩b⟨U+FEFF⟩c⟨U+2066⟩d');
  t.is(visibleText('plain ünïcode 日本'), 'plain ünïcode 日本');
});
