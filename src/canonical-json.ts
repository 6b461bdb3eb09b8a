/**
 * RFC 8785 (JCS) canonical JSON: a leaf module with no puente imports, used by the store (to spell
 * stored records) and the engine (to hash them) alike (DESIGN §2: arrows point down only).
 */
import canonicalize from 'canonicalize';

/**
 * RFC 8785 canonical JSON. JCS serializes strings and numbers exactly as ECMAScript's
 * JSON.stringify does and sorts object keys by UTF-16 code units. The fast path copies the value
 * with its keys inserted in sorted order (checking numbers and Unicode on the way) and lets the
 * native JSON.stringify write it; objects with array-index keys ("0", "10"), which JavaScript
 * enumerates numerically rather than in code-unit order, take the explicit writer. A test pins
 * both paths to the `canonicalize` package.
 */
export function canonicalJson(value: unknown): string {
  const sorted = sortedCopy(value);
  return sorted === NEEDS_WRITER ? writeCanonical(value) : JSON.stringify(sorted);
}

const NEEDS_WRITER: unique symbol = Symbol('needs the explicit writer');
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

function checkScalar(value: unknown): void {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite numbers cannot be canonicalized');
  if (typeof value === 'string' && !value.isWellFormed()) throw new TypeError('lone surrogates cannot be canonicalized (RFC 8785 needs well-formed Unicode)');
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint')
    throw new TypeError('value cannot be canonicalized');
}

function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    checkScalar(value);
    return value;
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
        out[i] = null; // as JSON.stringify writes them in arrays
        continue;
      }
      const c = sortedCopy(v);
      if (c === NEEDS_WRITER) return NEEDS_WRITER;
      out[i] = c;
    }
    return out;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return sortedCopy((value as { toJSON(): unknown }).toJSON());
  const keys = Object.keys(value).sort();
  // Null prototype: a "__proto__" key stays an ordinary property.
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (INDEX_KEY.test(k)) return NEEDS_WRITER;
    if (!k.isWellFormed()) throw new TypeError('lone surrogates cannot be canonicalized (RFC 8785 needs well-formed Unicode)');
    const c = sortedCopy(v);
    if (c === NEEDS_WRITER) return NEEDS_WRITER;
    out[k] = c;
  }
  return out;
}

/** The explicit writer, for values the fast path cannot order. */
function writeCanonical(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    checkScalar(value);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i ? ',' : '') + (v === undefined || typeof v === 'function' || typeof v === 'symbol' ? 'null' : writeCanonical(v));
    }
    return `${out}]`;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return writeCanonical((value as { toJSON(): unknown }).toJSON());
  const keys = Object.keys(value).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!k.isWellFormed()) throw new TypeError('lone surrogates cannot be canonicalized (RFC 8785 needs well-formed Unicode)');
    out += `${first ? '' : ','}${JSON.stringify(k)}:${writeCanonical(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** The reference implementation, kept for tests that pin canonicalJson to it. */
export const referenceCanonicalize = canonicalize;

/**
 * True when `text` is exactly the RFC 8785 serialization of some JSON value, i.e. when
 * canonicalJson(JSON.parse(text)) === text, decided in one pass without building the value: no
 * whitespace, strings escaped only where JCS escapes (\" \\ \b \f \n \r \t, \u00xx for other
 * control characters) and well-formed, numbers in ECMAScript's shortest form, object keys unique
 * and ascending by UTF-16 code units. A property test pins it to that definition.
 */
export function isCanonicalJsonText(text: string): boolean {
  let i = 0;
  const n = text.length;

  // Reads a string literal at i (text[i] === '"'); returns its decoded value, or null when it is
  // not spelled the JCS way.
  const readString = (): string | null => {
    const start = ++i;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) return null;
      if (c === 0x5c) {
        escaped = true;
        const e = text.charCodeAt(i + 1);
        if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          i += 2;
          continue;
        }
        if (e !== 0x75) return null;
        const hex = text.slice(i + 2, i + 6);
        if (!/^00[01][0-9a-f]$/.test(hex)) return null; // \u only for control characters, lowercase
        const code = parseInt(hex, 16);
        if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return null; // these have short forms
        i += 6;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = text.charCodeAt(i + 1);
        if (!(d >= 0xdc00 && d <= 0xdfff)) return null;
        i += 2;
        continue;
      }
      if (c >= 0xdc00 && c <= 0xdfff) return null;
      i++;
    }
    if (i >= n) return null;
    const raw = text.slice(start, i);
    i++; // closing quote
    return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
  };

  const readNumber = (): boolean => {
    const start = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) i++;
      else break;
    }
    const token = text.slice(start, i);
    if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(token)) return false;
    const value = Number(token);
    return Number.isFinite(value) && String(value) === token;
  };

  const readValue = (depth: number): boolean => {
    if (depth > 512) return false;
    const c = text.charCodeAt(i);
    if (c === 0x22) return readString() !== null;
    if (c === 0x7b) {
      i++;
      if (text.charCodeAt(i) === 0x7d) {
        i++;
        return true;
      }
      let previous: string | null = null;
      for (;;) {
        if (text.charCodeAt(i) !== 0x22) return false;
        const key = readString();
        if (key === null || (previous !== null && !(previous < key))) return false; // ascending, unique
        previous = key;
        if (text.charCodeAt(i) !== 0x3a) return false;
        i++;
        if (!readValue(depth + 1)) return false;
        const d = text.charCodeAt(i);
        i++;
        if (d === 0x7d) return true;
        if (d !== 0x2c) return false;
      }
    }
    if (c === 0x5b) {
      i++;
      if (text.charCodeAt(i) === 0x5d) {
        i++;
        return true;
      }
      for (;;) {
        if (!readValue(depth + 1)) return false;
        const d = text.charCodeAt(i);
        i++;
        if (d === 0x5d) return true;
        if (d !== 0x2c) return false;
      }
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return true;
      }
    }
    return readNumber();
  };

  return n > 0 && readValue(0) && i === n;
}
