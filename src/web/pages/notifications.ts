/**
 * The Notifications page (issue 16 §2): the reader's e-mail preferences, saved as with PUT
 * /v1/me/notifications (the same service and schema, so the same refusals at the same pointers,
 * shown next to their fields).
 */
import type { FieldError } from '../../errors.js';
import type { NotificationPreferences, NotificationSettings } from '../../mail/preferences.js';
import type { Actor } from '../../store/types.js';
import { flag, html } from '../html.js';
import { LANGS } from '../i18n.js';
import { csrfField, page, type WebContext } from '../layout.js';

/** The form as the page shows it: saved preferences, or what was typed when they were refused. */
interface FormState {
  readonly mode: string;
  readonly digestDaysAhead: string;
  readonly email: string;
  readonly language: string;
}

const stateOf = (p: NotificationPreferences): FormState => ({
  mode: p.mode,
  digestDaysAhead: String(p.digestDaysAhead),
  email: p.email ?? '',
  language: p.language,
});

/** The posted form as the PUT body: a number where digits were typed (else the text, for the schema to refuse), an empty address as none. */
export function notificationsBody(values: Record<string, unknown>): Record<string, unknown> {
  const text = (k: string) => {
    const v = values[k];
    return typeof v === 'string' ? v.trim() : undefined;
  };
  const days = text('digestDaysAhead');
  const email = text('email');
  return {
    ...(text('mode') !== undefined ? { mode: text('mode') } : {}),
    ...(days ? { digestDaysAhead: /^\d{1,6}$/.test(days) ? Number(days) : days } : {}),
    ...(email ? { email } : {}),
    ...(text('language') ? { language: text('language') } : {}),
  };
}

export async function renderNotifications(
  ctx: WebContext,
  opts: {
    notifications: Pick<NotificationSettings, 'get' | 'accountEmail'>;
    actor: Actor;
    flash?: string;
    /** A refused form: what was typed, the problem's detail and its field errors. */
    refused?: { values: Record<string, unknown>; detail: string; errors: readonly FieldError[] };
  },
): Promise<string> {
  const { t } = ctx;
  const [saved, account] = await Promise.all([opts.notifications.get(opts.actor, ctx.lang), opts.notifications.accountEmail(opts.actor)]);
  const typed = (k: string, fallback = '') => {
    const value = opts.refused?.values[k];
    return typeof value === 'string' ? value : fallback;
  };
  const v: FormState = opts.refused
    ? { mode: typed('mode'), digestDaysAhead: typed('digestDaysAhead'), email: typed('email'), language: typed('language', ctx.lang) }
    : stateOf(saved);
  const errors = opts.refused?.errors ?? [];
  const errorsAt = (pointer: string) => errors.filter((e) => e.path === pointer || (pointer === '/mode' && e.path === ''));
  const errorOf = (id: string, pointer: string) => {
    const mine = errorsAt(pointer);
    return mine.length ? html`<p class="field-error" id="${id}-error">${mine.map((e) => t.fieldError(e)).join('; ')}</p>` : '';
  };
  const described = (id: string, pointer: string, hint?: string) => {
    const ids = [hint, errorsAt(pointer).length ? `${id}-error` : undefined].filter(Boolean).join(' ');
    return html`${ids ? html` aria-describedby="${ids}"` : ''}${errorsAt(pointer).length ? html` aria-invalid="true"` : ''}`;
  };
  const modes = [
    ['immediate', t.t('notifications.mode.immediate'), t.t('notifications.mode.immediateHelp')],
    ['digest', t.t('notifications.mode.digest'), t.t('notifications.mode.digestHelp')],
    ['off', t.t('notifications.mode.off'), ''],
  ] as const;
  const body = html`<h1>${t.t('notifications.title')}</h1>
  ${opts.refused ? html`<div class="error-summary" role="alert" tabindex="-1" id="notifications-error"><p>${opts.refused.detail}</p></div>` : ''}
  <p>${t.t('notifications.intro')}</p>
  ${saved.mailEnabled ? '' : html`<p class="notice" id="mail-off">${t.t('notifications.mailOff')}</p>`}
  ${saved.sendsTo && saved.mode !== 'off' ? html`<p id="sends-to">${t.t('notifications.sendsTo', { address: saved.sendsTo })}</p>` : ''}
  <form method="post" action="/notifications" novalidate>
    ${csrfField(ctx)}
    <fieldset${described('mode', '/mode')}>
      <legend>${t.t('notifications.mode.legend')}</legend>
      ${errorOf('mode', '/mode')}
      ${modes.map(
        ([value, label, help]) => html`<div class="field choice">
        <input type="radio" id="mode-${value}" name="mode" value="${value}"${flag('checked', v.mode === value)}${help ? html` aria-describedby="mode-${value}-hint"` : ''}>
        <label for="mode-${value}">${label}</label>
        ${help ? html`<p class="hint" id="mode-${value}-hint">${help}</p>` : ''}
      </div>`,
      )}
    </fieldset>
    <div class="field">
      <label for="digestDaysAhead">${t.t('notifications.days')}</label>
      <p class="hint" id="digestDaysAhead-hint">${t.t('notifications.daysHelp')}</p>
      ${errorOf('digestDaysAhead', '/digestDaysAhead')}
      <input id="digestDaysAhead" name="digestDaysAhead" type="number" min="1" max="90" step="1" inputmode="numeric" value="${v.digestDaysAhead}"${described('digestDaysAhead', '/digestDaysAhead', 'digestDaysAhead-hint')}>
    </div>
    <div class="field">
      <label for="email">${t.t('notifications.email')}</label>
      <p class="hint" id="email-hint">${account ? t.t('notifications.emailHelp', { account }) : t.t('notifications.emailHelpNone')}</p>
      ${errorOf('email', '/email')}
      <input id="email" name="email" type="email" autocomplete="email" maxlength="254" value="${v.email}"${described('email', '/email', 'email-hint')}>
    </div>
    <div class="field">
      <label for="language">${t.t('notifications.language')}</label>
      ${errorOf('language', '/language')}
      <select id="language" name="language"${described('language', '/language')}>
        ${LANGS.map((l) => html`<option value="${l}"${flag('selected', v.language === l)}>${l === 'es' ? 'Español' : 'English'}</option>`)}
      </select>
    </div>
    <button type="submit">${t.t('notifications.save')}</button>
  </form>`;
  return page(ctx, { title: t.t('notifications.title'), body, flash: opts.flash });
}
