/**
 * The administrator's page: users, their roles, signing locks to clear (21 CFR 11.300(d)), and
 * offboarding (issue 8): disable and re-enable, reset a password (a one-time credential, never a
 * password the admin chooses), rotate a token. A new credential or token is shown once, on the
 * page that answers the form, never in a URL.
 */
import type { Users } from '../../users.js';
import { html } from '../html.js';
import { csrfField, page, type WebContext } from '../layout.js';

/** A credential or token just issued, to show this once. */
export interface IssuedSecret {
  readonly kind: 'reset' | 'token';
  readonly name: string;
  readonly secret: string;
  readonly expiresAt: string | null;
}

export async function renderUsers(ctx: WebContext, opts: { users: Pick<Users, 'list'>; flash?: string; issued?: IssuedSecret }): Promise<string> {
  const { t } = ctx;
  const users = await opts.users.list();
  const button = (userId: string, action: string, label: string, name: string) =>
    html`<form method="post" action="/users/${userId}/${action}" style="display:inline">${csrfField(ctx)}<button type="submit" aria-label="${label}: ${name}">${label}</button></form>`;
  const issued = opts.issued
    ? html`<div class="notice" role="status"><p>${
        opts.issued.kind === 'reset'
          ? t.t('users.resetIssued', { name: opts.issued.name, expiresAt: opts.issued.expiresAt ?? '' })
          : t.t('users.tokenIssued', { name: opts.issued.name })
      }</p><p><code id="issued-secret">${opts.issued.secret}</code></p></div>`
    : '';
  const body = html`<h1>${t.t('users.title')}</h1>
  ${issued}
  <table><thead><tr><th scope="col">${t.t('users.name')}</th><th scope="col">${t.t('users.email')}</th><th scope="col">${t.t('users.role')}</th><th scope="col">${t.t('users.organization')}</th><th scope="col">${t.t('users.signing')}</th><th scope="col">${t.t('users.status')}</th></tr></thead>
  <tbody>${users.map(
    (
      u,
    ) => html`<tr><th scope="row">${u.name}</th><td>${u.email ?? t.t('common.none')}</td><td>${t.domain('role', u.role)}</td><td>${u.organization?.name ?? t.t('common.none')}</td>
    <td>${
      u.signingLocked
        ? html`<span class="bad">${t.t('users.locked')}</span> <form method="post" action="/users/${u.id}/unlock" style="display:inline">${csrfField(ctx)}<button type="submit" aria-label="${t.t('users.unlock')}: ${u.name}">${t.t('users.unlock')}</button></form>`
        : html`<span class="ok">${t.t('users.unlocked')}</span>`
    } ${button(u.id, 'password-reset', t.t('users.resetPassword'), u.name)}</td>
    <td>${
      u.disabled
        ? html`<span class="bad">${t.t('users.disabled')}</span> ${button(u.id, 'enable', t.t('users.enable'), u.name)}`
        : html`<span class="ok">${t.t('users.active')}</span> ${button(u.id, 'disable', t.t('users.disable'), u.name)}`
    } ${button(u.id, 'token', t.t('users.rotateToken'), u.name)}</td></tr>`,
  )}</tbody></table>`;
  return page(ctx, { title: t.t('users.title'), body, flash: opts.flash });
}
