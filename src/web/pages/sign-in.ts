/** The sign-in page: name or e-mail and password. */
import { html } from '../html.js';
import { page, type WebContext } from '../layout.js';

export function renderSignIn(ctx: WebContext, opts: { csrf: string; next: string; identifier?: string; error?: string; notice?: string }): string {
  const { t } = ctx;
  const body = html`<h1>${t.t('signIn.title')}</h1>
  ${opts.error ? html`<div class="error-summary" role="alert" tabindex="-1" id="sign-in-error"><p>${opts.error}</p></div>` : ''}
  <form method="post" action="/sign-in" novalidate>
    <input type="hidden" name="_csrf" value="${opts.csrf}">
    <input type="hidden" name="next" value="${opts.next}">
    <div class="field">
      <label for="identifier">${t.t('signIn.identifier')}</label>
      <input id="identifier" name="identifier" type="text" autocomplete="username" required maxlength="254" value="${opts.identifier ?? ''}"${opts.error ? html` aria-describedby="sign-in-error" aria-invalid="true"` : ''}>
    </div>
    <div class="field">
      <label for="password">${t.t('signIn.password')}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${opts.error ? html` aria-describedby="sign-in-error" aria-invalid="true"` : ''}>
    </div>
    <button type="submit">${t.t('signIn.submit')}</button>
  </form>
  <p class="muted">${t.t('signIn.hint')}</p>`;
  return page(ctx, { title: t.t('signIn.title'), body, flash: opts.notice });
}
