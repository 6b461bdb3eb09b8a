/**
 * The page shell every web page shares: a skip link, a header landmark with the main navigation,
 * the language switch and sign-out, then `<main>`. Headings start at one `<h1>` per page.
 */
import { html, type SafeHtml } from './html.js';
import type { Lang, Translator } from './i18n.js';
import type { WebSession } from './sessions.js';

/** What every page handler knows about the request it renders for. */
export interface WebContext {
  readonly t: Translator;
  readonly lang: Lang;
  readonly session?: WebSession;
  /** The current path with its query, so the language switch comes back here. */
  readonly here: string;
}

/** The hidden CSRF field every form carries. */
export function csrfField(ctx: WebContext): SafeHtml {
  return ctx.session ? html`<input type="hidden" name="_csrf" value="${ctx.session.csrf}">` : html``;
}

export function page(ctx: WebContext, opts: { title: string; body: SafeHtml; flash?: string; scripts?: readonly string[] }): string {
  const { t } = ctx;
  const s = ctx.session;
  const role = s?.user.role;
  const other = t.t('nav.switchToLang');
  const nav = s
    ? html`<nav aria-label="${t.t('nav.main')}"><ul>
        ${role !== 'admin' ? html`<li><a href="/">${t.t('nav.portfolio')}</a></li>` : ''}
        ${role === 'manufacturer' ? html`<li><a href="/submissions/new">${t.t('nav.new')}</a></li>` : ''}
        ${role === 'auditor' ? html`<li><a href="/audit">${t.t('nav.audit')}</a></li>` : ''}
        ${role === 'admin' ? html`<li><a href="/users">${t.t('nav.users')}</a></li>` : ''}
        ${role !== 'admin' ? html`<li><a href="/calendar">${t.t('nav.calendar')}</a></li>` : ''}
        ${role !== 'admin' ? html`<li><a href="/notifications">${t.t('nav.notifications')}</a></li>` : ''}
        ${role !== 'admin' ? html`<li><a href="/insights">${t.t('nav.insights')}</a></li>` : ''}
      </ul></nav>`
    : '';
  const account = s
    ? html`<div class="account"><span>${t.t('nav.signedInAs', { name: s.user.name, role: t.domain('role', s.user.role) })}</span>
        <form method="post" action="/sign-out">${csrfField(ctx)}<button type="submit" class="link">${t.t('nav.signOut')}</button></form></div>`
    : '';
  const doc = html`<!doctype html>
<html lang="${ctx.lang === 'es' ? 'es-MX' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · puente</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
${(opts.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${t.t('nav.skip')}</a>
<header class="top">
  <p class="brand"><a href="/">puente</a> <span class="tagline">${t.t('app.tagline')}</span></p>
  ${nav}
  <div class="tools">
    <a href="/lang/${other}?next=${encodeURIComponent(ctx.here)}" lang="${other}" hreflang="${other}">${t.t('nav.switchTo')}</a>
    ${account}
  </div>
</header>
<main id="main" tabindex="-1">
${opts.flash ? html`<div class="flash" role="status">${opts.flash}</div>` : ''}
${opts.body}
</main>
</body>
</html>`;
  return doc.value;
}
