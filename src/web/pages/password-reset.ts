/**
 * The page where a user sets a password of their own with the one-time reset credential an
 * administrator issued (issue 8). No session is needed: the credential is the proof, and it
 * only sets a password.
 */
import type { FieldError } from '../../errors.js';
import { html } from '../html.js';
import { page, type WebContext } from '../layout.js';

export function renderPasswordReset(ctx: WebContext, opts: { csrf: string; error?: string; errors?: readonly FieldError[] }): string {
  const { t } = ctx;
  const errors = opts.errors ?? [];
  const at = (pointer: string) => errors.filter((e) => e.path === pointer);
  const field = (id: string, pointer: string, label: string, type: string, autocomplete: string, maxlength: number) => {
    const mine = at(pointer);
    return html`<div class="field">
      <label for="${id}">${label}</label>
      ${mine.length ? html`<p class="field-error" id="${id}-error">${mine.map((e) => t.fieldError(e)).join('; ')}</p>` : ''}
      <input id="${id}" name="${id}" type="${type}" autocomplete="${autocomplete}" required maxlength="${String(maxlength)}"${mine.length ? html` aria-describedby="${id}-error" aria-invalid="true"` : ''}>
    </div>`;
  };
  const body = html`<h1>${t.t('reset.title')}</h1>
  ${opts.error ? html`<div class="error-summary" role="alert" tabindex="-1" id="reset-error"><p>${opts.error}</p></div>` : ''}
  <p>${t.t('reset.intro')}</p>
  <form method="post" action="/password-reset" novalidate>
    <input type="hidden" name="_csrf" value="${opts.csrf}">
    ${field('resetToken', '/resetToken', t.t('reset.token'), 'text', 'one-time-code', 100)}
    ${field('newPassword', '/newPassword', t.t('reset.newPassword'), 'password', 'new-password', 1024)}
    <button type="submit">${t.t('reset.submit')}</button>
  </form>`;
  return page(ctx, { title: t.t('reset.title'), body });
}
