/** The console's page shell: head (CSP-clean: no inline script or style), top bar, navigation, content. */
import { html, type HtmlValue, type SafeHtml } from '../lib/html.ts';
import type { ConsoleUser } from './session.ts';
import { ASSET_PREFIX } from './assets.ts';

export const NAV = [
  { href: '/console', label: 'Inbox', key: 'inbox' },
  { href: '/console/incidents', label: 'Incidents', key: 'incidents' },
  { href: '/console/saved-replies', label: 'Saved replies', key: 'saved-replies' },
  { href: '/console/health', label: 'Intake health', key: 'health' },
  { href: '/console/search', label: 'Search', key: 'search' },
  { href: '/console/dashboard', label: 'Dashboard', key: 'dashboard' },
  { href: '/console/spam', label: 'Spam', key: 'spam' },
] as const;

/** Pages only admins may open: shown to them only. */
export const ADMIN_NAV = [
  { href: '/console/audit', label: 'Audit', key: 'audit' },
  { href: '/console/privacy', label: 'Privacy', key: 'privacy' },
] as const;

export function page(opts: { title: string; user?: ConsoleUser | undefined; active?: string; body: HtmlValue }): SafeHtml {
  const { user } = opts;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"historyCacheSize":0}'>
<title>${opts.title} · Support Triage</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_PREFIX}/console.css">
<script src="${ASSET_PREFIX}/htmx.min.js" defer></script>
<script src="${ASSET_PREFIX}/keys.js" defer></script>
<script src="${ASSET_PREFIX}/live.js" defer></script>
</head>
<body${user ? html` hx-boost="true" hx-headers='${JSON.stringify({ 'X-CSRF-Token': user.csrfToken })}'` : ''}>
<header class="top">
  <a class="brand" href="/console">Support Triage</a>
  ${user
    ? html`<nav aria-label="Console">${NAV.map((n) =>
        'later' in n
          ? html`<span class="nav-later" title="Coming later">${n.label}</span>`
          // The dashboard's chart scripts run on a full page load only (htmx swaps never run scripts).
          : html`<a href="${n.href}"${opts.active === n.key ? html` aria-current="page"` : ''}${n.key === 'dashboard' ? html` hx-boost="false"` : ''}>${n.label}</a>`)}${user.role === 'admin'
        ? ADMIN_NAV.map((n) => html`<a href="${n.href}"${opts.active === n.key ? html` aria-current="page"` : ''}>${n.label}</a>`)
        : ''}</nav>
      <form class="top-search" method="get" action="/console/search" role="search"><input type="search" name="q" aria-label="Search tickets" placeholder="Search  /" data-search-box></form>
      <div class="who"><span>${user.name ?? user.userId}</span> <span class="role">${user.role}</span>
        <form method="post" action="/console/sign-out" class="inline"><input type="hidden" name="_csrf" value="${user.csrfToken}"><button class="link">Sign out</button></form>
      </div>`
    : ''}
</header>
<main>${opts.body}</main>
</body>
</html>`;
}

/** An error page in the console's look (401/403/404/422). */
export function errorPage(status: number, detail: string, user?: ConsoleUser): SafeHtml {
  return page({
    title: `Error ${status}`,
    user,
    body: html`<section class="card narrow"><h1>${status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : status === 401 ? 'Signed out' : 'Something is wrong'}</h1>
      <p>${detail}</p><p><a href="/console">Back to the inbox</a>${status === 401 ? html` · <a href="/console/sign-in">Sign in</a>` : ''}</p></section>`,
  });
}
