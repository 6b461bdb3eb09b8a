/**
 * English and Spanish. Every label the pages show comes from a message catalog (`messages/en.ts`,
 * `messages/es.ts`: the Spanish one is typed against the English keys, so a missing translation
 * does not compile); workflow vocabulary (events, states, fields) from `messages/domain.ts`;
 * error messages from the server's message catalogs (`src/messages/`), by their codes.
 */
import { fieldMessage, type ErrorCode, type FieldError, type Message } from '../errors.js';
import { renderMessage } from '../messages/format.js';
import { en, type MessageKey, type Messages } from './messages/en.js';
import { es } from './messages/es.js';
import { domainLabel, type DomainKind } from './messages/domain.js';

export type Lang = 'en' | 'es';
export const LANGS: readonly Lang[] = ['en', 'es'];
const CATALOGS: Record<Lang, Messages> = { en, es };

export type Vars = Readonly<Record<string, string | number>>;

function fill(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export interface Translator {
  readonly lang: Lang;
  /** A label of the catalog, with `{name}` placeholders filled. */
  t(key: MessageKey, vars?: Vars): string;
  /** A workflow word: an event type, a state, a payload field, a dossier kind, a goal or deadline kind. */
  domain(kind: DomainKind, id: string): string;
  /** The title of an error code (`validation_failed` -> "Check the highlighted fields"). */
  errorTitle(code: ErrorCode | 'internal_error'): string;
  /** An error's detail in this language, from its catalog message; a plain string as it is. */
  errorDetail(error: { readonly detail: Message } | string): string;
  /** A field error's message in this language (a bare `{ path, message }` as it is). */
  fieldError(e: FieldError): string;
  /** `YYYY-MM-DD` or an ISO instant as a date the reader's language writes. */
  date(value: string): string;
  /** An ISO instant as date and time in the reader's time zone, the zone named. */
  dateTime(value: string): string;
  /** The reader's IANA time zone (the `puente_tz` cookie the page script sets), UTC until known. */
  readonly timeZone: string;
}

/** `zone` when it is an IANA time zone this runtime knows, else undefined. */
export function validTimeZone(zone: string | undefined): string | undefined {
  if (!zone || zone.length > 64 || !/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+){0,2}$|^UTC$/.test(zone)) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** Translators made so far, one per language and time zone: each holds two Intl formatters, costly to build on every request. */
const translators = new Map<string, Translator>();

export function createTranslator(lang: Lang, timeZone = 'UTC'): Translator {
  const key = `${lang}|${timeZone}`;
  let t = translators.get(key);
  // A bounded set in practice (two languages, the zones users choose); capped all the same.
  if (!t) {
    if (translators.size >= 256) translators.clear();
    translators.set(key, (t = buildTranslator(lang, timeZone)));
  }
  return t;
}

function buildTranslator(lang: Lang, timeZone: string): Translator {
  const catalog = CATALOGS[lang];
  const locale = lang === 'es' ? 'es-MX' : 'en-US';
  const dateFmt = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone,
    timeZoneName: 'short',
  });
  return {
    lang,
    timeZone,
    t: (key, vars) => fill(catalog[key], vars),
    domain: (kind, id) => domainLabel(lang, kind, id),
    errorTitle: (code) => catalog[`error.${code}`],
    errorDetail: (error) => (typeof error === 'string' ? error : renderMessage(error.detail, lang)),
    fieldError: (e) => renderMessage(fieldMessage(e), lang),
    date: (value) => {
      const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
      return Number.isNaN(d.getTime()) ? value : dateFmt.format(d);
    },
    dateTime: (value) => {
      const d = new Date(value);
      return Number.isNaN(d.getTime()) ? value : dateTimeFmt.format(d);
    },
  };
}

/** The language a request asks for: the `puente_lang` cookie, else Accept-Language, else English. */
export function negotiateLang(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (cookie === 'en' || cookie === 'es') return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase();
    if (tag.startsWith('es')) return 'es';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

export type { MessageKey };
