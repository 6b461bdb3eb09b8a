/** The administrator's page: users, their roles, and signing locks to clear (21 CFR 11.300(d)). */
import type { Users } from '../../users.js';
import { html } from '../html.js';
import { csrfField, page, type WebContext } from '../layout.js';

export async function renderUsers(ctx: WebContext, opts: { users: Pick<Users, 'list'>; flash?: string }): Promise<string> {
  const { t } = ctx;
  const users = await opts.users.list();
  const body = html`<h1>${t.t('users.title')}</h1>
  <table><thead><tr><th scope="col">${t.t('users.name')}</th><th scope="col">${t.t('users.email')}</th><th scope="col">${t.t('users.role')}</th><th scope="col">${t.t('users.organization')}</th><th scope="col">${t.t('users.signing')}</th></tr></thead>
  <tbody>${users.map(
    (
      u,
    ) => html`<tr><th scope="row">${u.name}</th><td>${u.email ?? t.t('common.none')}</td><td>${t.domain('role', u.role)}</td><td>${u.organization?.name ?? t.t('common.none')}</td>
    <td>${
      u.signingLocked
        ? html`<span class="bad">${t.t('users.locked')}</span> <form method="post" action="/users/${u.id}/unlock" style="display:inline">${csrfField(ctx)}<button type="submit" aria-label="${t.t('users.unlock')}: ${u.name}">${t.t('users.unlock')}</button></form>`
        : html`<span class="ok">${t.t('users.unlocked')}</span>`
    }</td></tr>`,
  )}</tbody></table>`;
  return page(ctx, { title: t.t('users.title'), body, flash: opts.flash });
}
