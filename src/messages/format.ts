/**
 * Renders a message (`{ code, params }`) in a language: the catalog's ICU MessageFormat text
 * through intl-messageformat, with parameters first rendered for that language by name:
 *
 * - `event`, `*Event` (event types), `state`, `workflow`, `role`, `kind` (dossier kinds): the id in
 *   English, «its label» in Spanish (`src/web/messages/domain.ts`); `roles`, `kinds`: lists of them;
 * - `route`, `types`, `format`, `pattern`, `allowedValues`, `comparison`, ...: words in Spanish;
 * - a parameter that is itself a message (a reference's label and status, or a list of them,
 *   `reasons`) is rendered in the same language (lists of reasons are joined with "; ");
 * - other lists are joined with ", "; everything else is `String(value)`.
 *
 * Pure: no I/O.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { domainLabel } from '../web/messages/domain.js';
import { en, type Catalog } from './catalog-en.js';
import { es } from './catalog-es.js';
import { isMessage, type Lang, type Message, type MessageCode } from './codes.js';

export type { Lang, Message, MessageCode } from './codes.js';
export { msg, isMessage, LANGUAGES } from './codes.js';

export const CATALOGS: Readonly<Record<Lang, Catalog>> = { en, es };
const LOCALES: Readonly<Record<Lang, string>> = { en: 'en-US', es: 'es-MX' };

const compiled = new Map<string, IntlMessageFormat>();

function compile(code: MessageCode, lang: Lang): IntlMessageFormat {
  const key = `${lang}\u0000${code}`;
  let f = compiled.get(key);
  if (!f) {
    const text = CATALOGS[lang][code];
    if (text === undefined) throw new Error(`no message ${code} in ${lang}`);
    f = new IntlMessageFormat(text, LOCALES[lang], undefined, { ignoreTag: true });
    compiled.set(key, f);
  }
  return f;
}

/**
 * The message `code` with `params` in `lang`. Never throws (it runs while answering an error): a
 * message that cannot be rendered (a parameter missing) falls back to English, then to its code.
 */
export function formatMessage(code: MessageCode, params: Readonly<Record<string, unknown>> | undefined, lang: Lang): string {
  try {
    const values: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(params ?? {})) values[name] = renderParam(name, value, lang);
    const out = compile(code, lang).format(values);
    return Array.isArray(out) ? out.join('') : String(out);
  } catch {
    return lang === 'en' ? String(code) : formatMessage(code, params, 'en');
  }
}

/** A message in `lang`. */
export function renderMessage(message: Message, lang: Lang): string {
  return formatMessage(message.code, message.params, lang);
}

/** A text that is a message (rendered in `lang`) or a plain string (as it is). */
export function textOf(value: Message | string, lang: Lang = 'en'): string {
  return typeof value === 'string' ? value : renderMessage(value, lang);
}

/** A message in English: what `Error.message` and the logs hold. */
export function english(message: Message): string {
  return renderMessage(message, 'en');
}

/**
 * The language of an `Accept-Language` header: Spanish when `es` (or `es-MX`, `es-419`, ...)
 * ranks above English, English otherwise (and by default).
 */
export function negotiateLanguage(header: string | readonly string[] | undefined): Lang {
  const text = Array.isArray(header) ? header.join(',') : (header as string | undefined);
  if (!text) return 'en';
  let best: Lang = 'en';
  let bestQ = -1;
  for (const [i, part] of text.split(',').entries()) {
    const [tag = '', ...attrs] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    const lang: Lang | undefined = primary === 'es' ? 'es' : primary === 'en' || primary === '*' ? 'en' : undefined;
    if (!lang) continue;
    let q = 1;
    for (const a of attrs) {
      if (!/^\s*q\s*=/i.test(a)) continue;
      const m = /^\s*q\s*=\s*([01](?:\.[0-9]{0,3})?)\s*$/i.exec(a);
      q = m ? Number(m[1]) : 0;
    }
    if (!(q > 0)) continue;
    // Equal weights: the first listed wins.
    const rank = q - i * 1e-6;
    if (rank > bestQ) {
      bestQ = rank;
      best = lang;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Parameters

const quoted = (s: string): string => `«${s}»`;

/** JSON Schema types as ajv names them. */
const TYPE_ES: Readonly<Record<string, string>> = {
  string: 'un texto',
  number: 'un número',
  integer: 'un número entero',
  boolean: 'verdadero o falso',
  object: 'un objeto',
  array: 'una lista',
  null: 'nulo',
};

/** ajv format names. */
const FORMAT_ES: Readonly<Record<string, string>> = {
  date: 'una fecha válida AAAA-MM-DD',
  'date-time': 'una fecha y hora RFC 3339 válida',
  time: 'una hora válida',
  uuid: 'un identificador UUID',
  uri: 'una URI válida',
  'uri-reference': 'una referencia URI válida',
  email: 'un correo electrónico válido',
  hostname: 'un nombre de host válido',
  ipv4: 'una dirección IPv4',
  ipv6: 'una dirección IPv6',
  regex: 'una expresión regular válida',
};

/** Patterns a person types, described in English words with an example (guide issue 13 §5). */
const PATTERN_EN: Readonly<Record<string, string>> = {
  '^K[0-9]{6}$': 'be a K number: K and 6 digits, e.g. K261234',
  '^DEN[0-9]{6}$': 'be a DEN number: DEN and 6 digits, e.g. DEN240001',
  '^[A-Z]{3}$': 'be three capital letters, e.g. LOX',
  '^21 CFR [0-9]{3}\\.[0-9]{1,5}$': 'be a regulation citation like "21 CFR 870.5100"',
  '^P[0-9]{6}(/S[0-9]{3})?$': 'be a P number: P and 6 digits, with an optional supplement suffix, e.g. P240001 or P240001/S001',
  '^P[0-9]{6}$': 'be a P number: P and 6 digits, e.g. P240001',
  '^H[0-9]{6}$': 'be an H number: H and 6 digits, e.g. H240001',
  '^Q[0-9]{6}$': 'be a Q number: Q and 6 digits, e.g. Q240001',
  '^(K[0-9]{6}|DEN[0-9]{6}|P[0-9]{6}(/S[0-9]{3})?|H[0-9]{6})$': 'be an FDA K, DEN, P or H number, e.g. K261234, DEN240001, P240001, H240001',
  '\\S': 'not be blank (at least one character that is not a space)',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2}))?$':
    'be a date YYYY-MM-DD or an RFC 3339 date and time, e.g. 2026-03-15 or 2026-03-15T10:30:00-06:00',
  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$': 'be a lower-case UUID',
};

/** Patterns of the schemas, described in words. */
const PATTERN_ES: Readonly<Record<string, string>> = {
  '^K[0-9]{6}$': 'un número K: la letra K y 6 dígitos (p. ej., K261234)',
  '^DEN[0-9]{6}$': 'un número DEN: DEN y 6 dígitos (p. ej., DEN240001)',
  '^[A-Z]{3}$': 'tres letras mayúsculas (p. ej., LOX)',
  '^21 CFR [0-9]{3}\\.[0-9]{1,5}$': 'una cita de reglamento como «21 CFR 870.5100»',
  '^P[0-9]{6}(/S[0-9]{3})?$': 'un número P: P y 6 dígitos, con sufijo de suplemento opcional (p. ej., P240001 o P240001/S001)',
  '^P[0-9]{6}$': 'un número P: P y 6 dígitos (p. ej., P240001)',
  '^H[0-9]{6}$': 'un número H: H y 6 dígitos (p. ej., H240001)',
  '^Q[0-9]{6}$': 'un número Q: Q y 6 dígitos (p. ej., Q240001)',
  '^(K[0-9]{6}|DEN[0-9]{6}|P[0-9]{6}(/S[0-9]{3})?|H[0-9]{6})$': 'un número K, DEN, P o H de la FDA (p. ej., K261234, DEN240001, P240001, H240001)',
  '\\S': 'al menos un carácter que no sea espacio',
  '^[\\x21-\\x7E]{1,64}$': 'de 1 a 64 caracteres ASCII visibles, sin espacios',
  '^[A-Z][A-Z0-9_]{0,63}$': 'un tipo de evento en mayúsculas (p. ej., SUBMIT)',
  '^[0-9a-f]{64}$': '64 dígitos hexadecimales en minúsculas',
  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$': 'un identificador UUID en minúsculas',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2}))?$':
    'una fecha AAAA-MM-DD o una fecha y hora RFC 3339',
  '^[1-9][0-9]{0,14}$': 'un número entero positivo',
  '^(0|[1-9][0-9]{0,14})$': 'un número entero no negativo',
  '^[Hh][Tt][Tt][Pp][Ss]?://': 'una URL http:// o https://',
};

const COMPARE_ES: Readonly<Record<string, string>> = {
  '>=': 'mayor o igual que',
  '<=': 'menor o igual que',
  '>': 'mayor que',
  '<': 'menor que',
};

/** A COFEPRIS route as Spanish writes it after "la vía". */
function routeEs(r: string): string {
  return r === 'third-party' ? 'de tercero autorizado' : r === 'equivalence' ? 'de equivalencia' : domainLabel('es', 'input', r).toLowerCase();
}

/** An enum value the API takes: JSON in English; in Spanish «its label» ("value") where there is one. */
function allowedValueEs(value: unknown): string {
  const json = JSON.stringify(value);
  if (typeof value !== 'string') return json;
  // An unknown value gets the same humanized fallback in both languages: nothing to add.
  const label = domainLabel('es', 'input', value);
  return label !== value && label !== domainLabel('en', 'input', value) ? `«${label}» (${json})` : json;
}

const CLASS_WORDS_ES: Readonly<Record<string, string>> = {
  'class I': 'clase I',
  'class II': 'clase II',
  'class III': 'clase III',
  unclassified: 'sin clasificar',
  'not classified': 'no clasificado',
  'a humanitarian use device (HDE)': 'un dispositivo de uso humanitario (HDE)',
};

/** `class II (21 CFR 870.5100)` as src/reference/product-classification.ts writes it. */
function classificationEs(text: string): string {
  const m = /^(class I{1,3}|unclassified|not classified|a humanitarian use device \(HDE\))(.*)$/.exec(text);
  return m ? `${CLASS_WORDS_ES[m[1]!] ?? m[1]}${m[2]}` : text;
}

type Renderer = (value: unknown, lang: Lang) => string;

const label =
  (kind: 'event' | 'state' | 'workflow' | 'role' | 'dossier'): Renderer =>
  (v, lang) =>
    lang === 'es' ? quoted(domainLabel('es', kind, String(v))) : String(v);

const list =
  (one: Renderer, sep = ', '): Renderer =>
  (v, lang) =>
    (Array.isArray(v) ? v : [v]).map((x) => one(x, lang)).join(sep);

const lowerInput: Renderer = (v, lang) => (lang === 'es' ? domainLabel('es', 'input', String(v)).toLowerCase() : String(v));

const RENDERERS: Readonly<Record<string, Renderer>> = {
  event: label('event'),
  sendEvent: label('event'),
  reportEvent: label('event'),
  state: label('state'),
  workflow: (v, lang) => (v === null || v === undefined ? (lang === 'es' ? 'desconocida' : 'unknown') : label('workflow')(v, lang)),
  role: label('role'),
  roles: list((v, lang) => (lang === 'es' ? domainLabel('es', 'role', String(v)) : String(v))),
  kind: label('dossier'),
  kinds: list(label('dossier')),
  route: (v, lang) => (lang === 'es' ? routeEs(String(v)) : String(v)),
  types: (v, lang) =>
    lang === 'es'
      ? (Array.isArray(v) ? v : String(v).split(',')).map((t) => TYPE_ES[String(t).trim()] ?? String(t).trim()).join(' o ')
      : Array.isArray(v)
        ? v.join(',')
        : String(v),
  format: (v, lang) => (lang === 'es' ? (FORMAT_ES[String(v)] ?? `un valor con el formato «${String(v)}»`) : String(v)),
  pattern: (v, lang) => {
    if (lang !== 'es') return PATTERN_EN[String(v)] ?? `match pattern "${String(v)}"`;
    const words = PATTERN_ES[String(v)];
    return words ? `ser ${words}` : `coincidir con el patrón «${String(v)}»`;
  },
  allowedValues: list((v, lang) => (lang === 'es' ? allowedValueEs(v) : JSON.stringify(v))),
  comparison: (v, lang) => (lang === 'es' ? (COMPARE_ES[String(v)] ?? String(v)) : String(v)),
  referenceClass: (v, lang) => (v === null || v === undefined || v === 'unknown' ? (lang === 'es' ? 'desconocida' : 'unknown') : `${v as string}`),
  classification: (v, lang) => (lang === 'es' ? classificationEs(String(v)) : String(v)),
  authorizationType: lowerInput,
  supplementType: lowerInput,
};

function renderParam(name: string, value: unknown, lang: Lang): string | number {
  if (isMessage(value)) return renderMessage(value, lang);
  if (Array.isArray(value) && value.length > 0 && value.every(isMessage)) return value.map((m) => renderMessage(m, lang)).join('; ');
  const r = RENDERERS[name];
  if (r) return r(value, lang);
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map(String).join(', ');
  return String(value);
}

/**
 * A workflow's refusal reasons (`explainRefusal`) as one sentence in `lang`, joined with "; "
 * as the 409 detail writes them; undefined when there are none.
 */
export function reasonsText(reasons: readonly Message[] | undefined, lang: Lang = 'en'): string | undefined {
  return reasons?.length ? reasons.map((r) => renderMessage(r, lang)).join('; ') : undefined;
}
