/**
 * Each user's e-mail notification preferences (issue 16 §2; DESIGN §10: GET and PUT
 * /v1/me/notifications, and the web's Notifications page): immediate mail per step, a daily
 * digest of the dates due within N days, or nothing.
 *
 * Mail is written in the language chosen here and links to the pages of the origin the
 * preferences were saved from (the dispatcher runs outside any request, so it keeps that origin).
 */
import { InputError, fieldError } from '../errors.js';
import type { NotificationPreferences, PutNotificationPreferences } from '../generated/schema-types.js';
import type { MailStore } from '../store/mail-store.js';
import type { Actor } from '../store/types.js';
import { SCHEMA_BASE, type Validator } from '../validation.js';
import type { Lang } from '../web/i18n.js';
import { DEFAULT_DIGEST_DAYS_AHEAD } from './dispatcher.js';

export type { NotificationPreferences, PutNotificationPreferences };

export interface NotificationSettings {
  /** The caller's preferences (the defaults, mode off, when they never saved any). */
  get(actor: Actor, lang: Lang): Promise<NotificationPreferences>;
  /** Validates and replaces the caller's preferences; `lang` when the body names none, `baseUrl` for the links in mail. */
  put(actor: Actor, body: unknown, opts: { lang: Lang; baseUrl: string }): Promise<NotificationPreferences>;
  /** The caller's account address (users.email), which mail goes to when they name none; null without one. */
  accountEmail(actor: Actor): Promise<string | null>;
  /** Whether this server sends mail (SMTP_URL and MAIL_FROM set). */
  readonly mailEnabled: boolean;
}

export function createNotificationSettings(deps: {
  readonly store: MailStore;
  readonly validator: Validator;
  readonly mailEnabled: boolean;
  readonly now?: () => Date;
}): NotificationSettings {
  const now = deps.now ?? (() => new Date());
  async function get(actor: Actor, lang: Lang): Promise<NotificationPreferences> {
    const [stored, account] = await Promise.all([deps.store.preferences(actor.id), deps.store.accountEmail(actor.id)]);
    const email = stored?.email ?? null;
    return {
      mode: stored?.mode ?? 'off',
      digestDaysAhead: stored?.digestDaysAhead ?? DEFAULT_DIGEST_DAYS_AHEAD,
      email,
      sendsTo: email ?? account,
      language: stored ? (stored.lang === 'es' ? 'es' : 'en') : lang,
      mailEnabled: deps.mailEnabled,
    };
  }
  return {
    mailEnabled: deps.mailEnabled,
    get,
    accountEmail: (actor) => deps.store.accountEmail(actor.id),
    async put(actor, body, opts) {
      deps.validator.check(`${SCHEMA_BASE}put-notification-preferences.json`, body, '', { code: 'invalid.notification_preferences' });
      const p = body as PutNotificationPreferences;
      const email = p.email ? p.email.toLowerCase() : null;
      if (p.mode !== 'off' && email === null && (await deps.store.accountEmail(actor.id)) === null) {
        throw new InputError({ code: 'notifications.email_required', params: { mode: p.mode } }, [
          fieldError('/email', { code: 'notifications.email_required_field' }),
        ]);
      }
      const lang = p.language ?? opts.lang;
      await deps.store.putPreferences({
        userId: actor.id,
        mode: p.mode,
        digestDaysAhead: p.digestDaysAhead ?? DEFAULT_DIGEST_DAYS_AHEAD,
        email,
        lang,
        baseUrl: opts.baseUrl,
        now: now().toISOString(),
      });
      return get(actor, lang);
    },
  };
}
