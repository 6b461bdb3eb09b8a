/**
 * Shared pieces of the hostile-input property tests: fast-check arbitraries for hostile values,
 * one-field mutations of valid JSON bodies, the response contract checks (never 5xx, problem+json
 * with JSON pointers, nothing internal leaked), database snapshots that prove a rejected request
 * wrote nothing, and an independent hash-chain check.
 */
import { createHash } from 'node:crypto';
import querystring from 'node:querystring';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { expectNoLeak } from '../http/helpers.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** Number of generated cases: `HOSTILE_RUNS` (default `fallback`). */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}

/**
 * fast-check parameters shared by every property: a fixed seed (override with HOSTILE_SEED;
 * fast-check prints seed and path of a failure so it can be replayed), no time-based skipping.
 */
export function fcParams<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env.HOSTILE_SEED === undefined ? 20261128 : Number(process.env.HOSTILE_SEED);
  return {
    numRuns,
    seed: Number.isFinite(seed) ? seed : 20261128,
    maxSkipsPerRun: 10,
    // The default report prints the whole counterexample; hostile ones can be megabytes.
    reporter: (details) => {
      if (!details.failed) return;
      const e = details.errorInstance;
      const cause = e instanceof Error ? e.message : String(e);
      throw new Error(shortenReport(`${fc.defaultReportMessage(details) ?? 'property failed'}\nCause: ${cause}`));
    },
  };
}

/** Cuts every very long line (megabyte strings, deep nesting) of a failure report. */
export function shortenReport(message: string): string {
  return message
    .split('\n')
    .map((line) => (line.length > 4000 ? `${line.slice(0, 2500)} ...[${line.length - 3000} chars cut]... ${line.slice(-500)}` : line))
    .join('\n');
}

// ---------------------------------------------------------------- hostile values

/** Strings that have hurt APIs before: SQL, paths, templates, control and bidi characters. */
export const SPECIAL_STRINGS: readonly string[] = [
  '',
  ' ',
  "'; DROP TABLE submissions; --",
  "' OR '1'='1",
  'select * from users',
  'insert into transitions values (1)',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/work/main/src/app.ts',
  '${process.env.DATABASE_URL}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\u202e\u2066evil',
  '\ufeff',
  '\u2028\u2029',
  '😀'.repeat(50),
  'é'.repeat(300),
  'Z̴̡̧̛̛̛̛̛̩͚͖̳̲̼̺͈͇̗̞͇̫̱̱̪̜̫̞',
  '%00',
  '%zz',
  '%',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  'K123456',
  'K1234567',
  '2026-02-30',
  '0000-00-00',
  '9999-12-31',
  '2026-11-28T25:00:00Z',
  'closed.withdrawn',
  'review.substantive',
  'fda-510k',
  'cofepris-registration',
  'A'.repeat(64),
  'A'.repeat(65),
  'a'.repeat(255),
  'a'.repeat(256),
  'a'.repeat(4001),
  'Bearer x',
  'SUBMIT',
  'submit',
  '\n\r\t',
  '"\\',
  '~0~1/~',
];

const WEIRD_CHARS = [
  '\u0000',
  '\u001f',
  '\u007f',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udc00',
  '😀',
  'é',
  'ß',
  '\n',
  '"',
  "'",
  '\\',
  '/',
  '~',
  '%',
  '.',
  '?',
  '#',
  '&',
  '=',
  '+',
  ' ',
  '\u2028',
  '中',
];

/** Hostile strings of every kind: ASCII, full unicode (including lone surrogates), special values. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...WEIRD_CHARS), maxLength: 12 }) },
);

/** A single character that may appear in an HTTP header value as Node sends it (latin1, no controls). */
const headerChar = fc
  .integer({ min: 0x20, max: 0xff })
  .filter((c) => c !== 0x7f)
  .map((c) => String.fromCharCode(c));
export const headerJunk: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: headerChar, maxLength: 60 }),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', ' ', '""', '"', '*', 'null', 'W/', '\u00e9\u00ff', ',', ';', '=', 'x'.repeat(300)),
);

/** Very long strings, at and beyond the schema and body limits (1 MB JSON). */
export const hugeString: fc.Arbitrary<string> = fc
  .record({
    n: fc.constantFrom(501, 4001, 65_537, 300_000, 1_100_000),
    ch: fc.constantFrom('a', 'é', '😀', '\u0000', '"', '\\', '\ud800'),
  })
  .map(({ n, ch }) => ch.repeat(n));

/** Arbitrary JSON values, ASCII or full unicode. */
export const anyJson: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }) as fc.Arbitrary<Json>,
);

/** A replacement value for one field: arbitrary JSON, a hostile string, edge values, huge or deep. */
export const hostileValue: fc.Arbitrary<Json | Deep> = fc.oneof(
  { weight: 3, arbitrary: anyJson },
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, '', [], {}, [null], { '': null }) },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: deepArb() },
);

/** Keys that try prototype pollution, plus other odd keys. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'valueOf', 'hasOwnProperty', 'isAdmin', 'role'),
  },
  { weight: 2, arbitrary: hostileString },
);

/** A pollution payload: `{"__proto__": {"polluted": true, "role": "admin"}}` and friends. */
export const pollutionValue: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  { polluted: true, role: 'admin', isAdmin: true },
  { prototype: { polluted: true } },
  { __proto__polluted: 1 },
  'polluted',
  [{ polluted: true }],
);

// ---------------------------------------------------------------- deep nesting (as text: JSON.stringify is recursive)

export interface Deep {
  readonly deep: number;
  readonly open: '[' | '{"a":';
}

export function deepArb(): fc.Arbitrary<Deep> {
  return fc.record({ deep: fc.constantFrom(64, 1_000, 10_000, 100_000), open: fc.constantFrom<'[' | '{"a":'>('[', '{"a":') });
}

function isDeep(v: unknown): v is Deep {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Deep).deep === 'number' && Object.keys(v).length === 2 && 'open' in v;
}

export function deepText(d: Deep): string {
  const close = d.open === '[' ? ']' : '}';
  return d.open.repeat(d.deep) + '1' + close.repeat(d.deep);
}

const DEEP_MARKER = '__hostile_deep_marker__';

// ---------------------------------------------------------------- one-field mutations of valid bodies

export type Mutation =
  | { readonly kind: 'none' }
  | { readonly kind: 'remove'; readonly pick: number }
  | { readonly kind: 'replace'; readonly pick: number; readonly value: Json | Deep }
  | { readonly kind: 'retype'; readonly pick: number }
  | { readonly kind: 'addKey'; readonly pick: number; readonly key: string; readonly value: Json | Deep };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Mutation>({ kind: 'none' }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: hostileValue }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('retype' as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('addKey' as const), pick: fc.nat(), key: hostileKey, value: fc.oneof(hostileValue, pollutionValue) }),
  },
);

type Path = (string | number)[];

function nodePaths(v: Json, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => nodePaths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) nodePaths(v[k] as Json, [...prefix, k], out);
  return out;
}

/** Sets an own property, even `__proto__` (never the prototype). */
function defineOwn(obj: JsonObject, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone(v: Json): Json {
  return JSON.parse(JSON.stringify(v)) as Json;
}

function getAt(root: Json, path: Path): Json {
  let cur: Json = root;
  for (const seg of path) cur = (cur as Record<string | number, Json>)[seg] as Json;
  return cur;
}

function retype(v: Json): Json {
  if (typeof v === 'string') return v.length ? (Number.isNaN(Number(v)) ? v.length : Number(v)) : 0;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 0;
  if (v === null) return 'null';
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x])) as JsonObject;
  return Object.values(v);
}

/**
 * Applies one mutation to a copy of `base` and serialises it. `Deep` values become deeply nested
 * text spliced into the JSON (JSON.stringify would recurse).
 */
export function mutateToText(base: Json, m: Mutation): string {
  const root = clone(base);
  const paths = nodePaths(root);
  let out: Json = root;
  let deep: Deep | undefined;
  const value = (v: Json | Deep): Json => {
    if (isDeep(v)) {
      deep = v;
      return DEEP_MARKER;
    }
    return v;
  };
  if (m.kind !== 'none') {
    const path = paths[m.pick % paths.length]!;
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1];
    const parent = path.length ? getAt(root, parentPath) : undefined;
    const set = (nv: Json) => {
      if (last === undefined) out = nv;
      else if (Array.isArray(parent)) parent[last as number] = nv;
      else defineOwn(parent as JsonObject, String(last), nv);
    };
    switch (m.kind) {
      case 'remove':
        if (last === undefined) out = null;
        else if (Array.isArray(parent)) parent.splice(last as number, 1);
        else delete (parent as JsonObject)[String(last)];
        break;
      case 'replace':
        set(value(m.value));
        break;
      case 'retype':
        set(retype(getAt(root, path)));
        break;
      case 'addKey': {
        const target = getAt(root, path);
        if (target !== null && typeof target === 'object' && !Array.isArray(target)) defineOwn(target, m.key, value(m.value));
        else if (Array.isArray(target)) target.push(value(m.value));
        else set({ [m.key]: value(m.value) });
        break;
      }
    }
  }
  let text = JSON.stringify(out) ?? 'null';
  if (deep) text = text.replace(JSON.stringify(DEEP_MARKER), deepText(deep));
  return text;
}

/** Bodies that are not JSON at all, or not quite. */
export function malformedJsonArb(validTexts: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.record({ t: fc.constantFrom(...validTexts), cut: fc.nat() }).map(({ t, cut }) => t.slice(0, cut % Math.max(1, t.length))),
    fc.constantFrom(...validTexts).map((t) => `${t}${t}`),
    fc.constantFrom(...validTexts).map((t) => `\ufeff${t}`),
    fc.constantFrom(...validTexts).map((t) => t.replace(/"/g, "'")),
    fc.constantFrom(
      '{',
      '}',
      '[',
      '{"a":1,}',
      '{a:1}',
      'NaN',
      'undefined',
      '{"a":NaN}',
      '{"a":01}',
      '{"a":"\\x41"}',
      '{"a":"\\ud800"}',
      '"',
      'null',
      '[]',
      '0',
      'true',
      '"string"',
      '{}',
    ),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );
}

// ---------------------------------------------------------------- URL pieces

/**
 * Percent-encodes a string for a URL; a lone surrogate becomes its (invalid) CESU-8 bytes so the
 * server must refuse to decode it.
 */
export function pctEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(s[i]!);
    }
  }
  return out;
}

/** Raw percent-encoding junk, sent as is. */
export const PCT_JUNK: readonly string[] = [
  '%',
  '%%',
  '%zz',
  '%1',
  '%C0%80',
  '%ED%A0%80',
  '%FF',
  '%00',
  '%2F',
  '%2f..%2f',
  '..',
  '.',
  '%2e%2e',
  '%5C',
  'a%00b',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '%25',
  '%252F',
  '+',
  '%20',
  ';',
  ',',
  '*',
  '~',
  "'",
  '!',
  '$',
];

export const pctJunk: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PCT_JUNK),
  fc.array(fc.constantFrom(...PCT_JUNK, 'a', 'Z', '0', '-'), { minLength: 1, maxLength: 8 }).map((a) => a.join('')),
);

/** One path segment: mostly `known` values, else hostile strings, junk encodings or very long ids. */
export function segmentArb(known: readonly string[]): fc.Arbitrary<string> {
  const k = known.length ? known : ['x'];
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...k).map(pctEncode) },
    { weight: 1, arbitrary: fc.uuid().map(pctEncode) },
    { weight: 3, arbitrary: hostileString.map(pctEncode) },
    { weight: 2, arbitrary: pctJunk },
    // Very long ids, within Node's 16 KB limit for the request head (beyond it Node itself answers 431).
    {
      weight: 1,
      arbitrary: fc
        .record({ n: fc.integer({ min: 37, max: 3000 }), c: fc.constantFrom('a', '0', '%C3%A9', '-') })
        .map(({ n, c }) => c.repeat(n).slice(0, 3000)),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ id: fc.constantFrom(...k), how: fc.constantFrom('upper', 'append', 'trunc', 'nul', 'space', 'dup', 'slash') })
        .map(({ id, how }) => {
          switch (how) {
            case 'upper':
              return pctEncode(id.toUpperCase());
            case 'append':
              return `${pctEncode(id)}x`;
            case 'trunc':
              return pctEncode(id.slice(0, -1));
            case 'nul':
              return `${pctEncode(id)}%00`;
            case 'space':
              return `%20${pctEncode(id)}%20`;
            case 'dup':
              return pctEncode(id + id);
            default:
              return `${pctEncode(id)}%2F`;
          }
        }),
    },
  );
}

/** A query string built from key/value pairs: proper encoding, raw junk, repeats, pollution keys. */
export function queryArb(keys: readonly string[], valueFor: (key: string) => fc.Arbitrary<string>): fc.Arbitrary<string> {
  const pair = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...keys).chain((k) => valueFor(k).map((v) => `${pctEncode(k)}=${pctEncode(v)}`)) },
    { weight: 1, arbitrary: fc.record({ k: hostileKey, v: hostileString }).map(({ k, v }) => `${pctEncode(k)}=${pctEncode(v)}`) },
    { weight: 1, arbitrary: fc.record({ k: fc.constantFrom(...keys), v: pctJunk }).map(({ k, v }) => `${k}=${v}`) },
    {
      weight: 1,
      arbitrary: fc
        .record({ k: fc.constantFrom(...keys, '__proto__', 'constructor'), v: fc.constantFrom('', '[]', '=', '%', '&') })
        .map(({ k, v }) => `${k}${v === '[]' ? '[]=x' : `=${v}`}`),
    },
    { weight: 1, arbitrary: fc.constantFrom(...keys).map((k) => k) },
  );
  // Capped so the request head stays within Node's 16 KB limit.
  return fc.array(pair, { maxLength: 6 }).map((pairs) => pairs.join('&').slice(0, 4000));
}

// ---------------------------------------------------------------- response contract

/** A JSON pointer (RFC 6901): empty, or `/`-separated tokens where `~` is only `~0` or `~1`. */
const JSON_POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

const EXTRA_LEAKS: readonly RegExp[] = [
  /SQLITE_|sqlite3/i,
  /\bselect\b[\s\S]*\bfrom\b/i,
  /\bupdate\s+"?\w+"?\s+set\b/i,
  /\bdelete\s+from\b/i,
  /duplicate key|violates .*constraint|syntax error at or near|invalid input syntax|invalid byte sequence|relation "|column "|unterminated quoted/i,
  /ECONNREFUSED|knex|\bpg-protocol\b/i,
  /\b(?:TypeError|RangeError|ReferenceError|SyntaxError)\b|Cannot read propert|is not a function|Maximum call stack|undefined is not/i,
  /\/(?:tmp|home|usr|opt|root|work)\/|[A-Za-z]:\\|file:\/\/|\.(?:ts|js|mjs|cjs):\d+/,
];

/** Everything a request carried that a problem's text may legitimately echo back. */
export function echoes(parts: { path: string; headers?: Record<string, string | undefined>; body?: string | Buffer }): string[] {
  const out = new Set<string>();
  const add = (s: string | undefined) => {
    if (s) out.add(s);
  };
  const decode = (s: string) => {
    add(s);
    try {
      add(decodeURIComponent(s));
    } catch {
      /* not decodable */
    }
    add(querystring.unescape(s));
    try {
      add(encodeURI(s));
    } catch {
      /* lone surrogate */
    }
  };
  const [pathname = '', query = ''] = parts.path.split('?', 2) as [string?, string?];
  decode(pathname);
  for (const seg of pathname.split('/')) decode(seg);
  decode(query);
  for (const pair of query.split('&')) {
    decode(pair);
    for (const kv of pair.split('=')) decode(kv);
  }
  for (const v of Object.values(parts.headers ?? {})) add(v);
  if (parts.body !== undefined) {
    const text = Buffer.isBuffer(parts.body) ? parts.body.toString('utf8') : parts.body;
    add(text);
    try {
      const walk = (v: unknown) => {
        if (typeof v === 'string') add(v);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object')
          for (const [k, x] of Object.entries(v)) {
            add(k);
            walk(x);
          }
      };
      if (text.length < 2_000_000) walk(JSON.parse(text));
    } catch {
      /* not JSON (or too deep) */
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

function scrub(text: string, echoed: readonly string[]): string {
  let t = text;
  for (const e of echoed) if (e.length && t.includes(e)) t = t.split(e).join('\u2420');
  return t;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

function short(s: string, n = 600): string {
  return s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s;
}

/**
 * The contract every answer must keep, whatever was sent: never 5xx; every 4xx is
 * application/problem+json with `code`, `status` and `errors[]` whose paths are JSON pointers;
 * and no stack trace, SQL or file path in the text (after removing what the request itself said).
 */
export function assertContract(label: string, res: HttpAnswer, echoed: readonly string[], method = 'GET'): void {
  const where = `${label}: ${res.status} ${short(res.text)}`;
  if (res.status >= 500 || res.status < 100) throw new Error(`5xx answer: ${where}`);
  if (res.status < 400) return;
  const ct = String(res.headers['content-type'] ?? '');
  if (!/^application\/problem\+json\b/.test(ct)) throw new Error(`4xx without application/problem+json (content-type ${ct}): ${where}`);
  if (method === 'HEAD') return;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    throw new Error(`problem body is not JSON: ${where}`);
  }
  if (typeof body.code !== 'string' || !/^[a-z_]+$/.test(body.code)) throw new Error(`problem without a stable code: ${where}`);
  if (body.status !== res.status) throw new Error(`problem status ${String(body.status)} differs from HTTP status: ${where}`);
  for (const k of ['type', 'title', 'detail']) if (typeof body[k] !== 'string' || !body[k].length) throw new Error(`problem.${k} missing: ${where}`);
  if (!Array.isArray(body.errors)) throw new Error(`problem.errors is not an array: ${where}`);
  for (const e of body.errors as unknown[]) {
    const fe = e as { path?: unknown; message?: unknown };
    if (typeof fe !== 'object' || fe === null || typeof fe.path !== 'string' || typeof fe.message !== 'string') {
      throw new Error(`problem error without string path/message: ${JSON.stringify(e)} in ${where}`);
    }
    if (!JSON_POINTER.test(fe.path)) throw new Error(`problem error path ${JSON.stringify(fe.path)} is not a JSON pointer: ${where}`);
  }
  if (/"stack"\s*:/.test(res.text)) throw new Error(`stack property in answer: ${where}`);
  const texts = [
    String(body.detail),
    String(body.title),
    String(body.type),
    ...(body.errors as Array<{ path: string; message: string }>).flatMap((e) => [e.path, e.message]),
  ];
  const scrubbed = scrub(texts.join('\n'), echoed);
  try {
    expectNoLeak(scrubbed);
  } catch (err) {
    throw new Error(`internal detail leaked (${(err as Error).message.split('\n')[0]}): ${where}`);
  }
  for (const re of EXTRA_LEAKS) if (re.test(scrubbed)) throw new Error(`internal detail leaked (${re}): ${short(scrubbed)} in ${where}`);
}

// ---------------------------------------------------------------- database footprint

const COUNTED = [
  'submissions',
  'transitions',
  'documents',
  'blobs',
  'idempotency_keys',
  'users',
  'organizations',
  'webhook_subscriptions',
  'refused_commands',
] as const;
export type Counted = (typeof COUNTED)[number];

export interface DbSnapshot {
  readonly counts: Record<Counted, number>;
  /** Per submission: version, state, head and dossier. */
  readonly rows: ReadonlyMap<string, { version: number; line: string }>;
}

export async function snapshotDb(knex: Knex): Promise<DbSnapshot> {
  // One round trip: the counts joined to every submission row (left join: also with no rows).
  const sql =
    `select ${COUNTED.map((t) => `c.n_${t}`).join(', ')}, s.id, s.version, s.state, s.status, s.head_seq, s.head_hash, s.dossier_present, s.last_effective_at, s.updated_at ` +
    `from (select ${COUNTED.map((t) => `(select count(*) from ${t}) as n_${t}`).join(', ')}) c left join submissions s on 1 = 1`;
  const raw = (await knex.raw(sql)) as unknown;
  const result = (Array.isArray(raw) ? raw : (raw as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;
  const first = result[0] ?? {};
  const counts = Object.fromEntries(COUNTED.map((t) => [t, Number(first[`n_${t}`])])) as Record<Counted, number>;
  const rows = new Map<string, { version: number; line: string }>();
  for (const s of result) {
    if (s.id === null || s.id === undefined) continue;
    rows.set(String(s.id), {
      version: Number(s.version),
      line: [s.version, s.state, s.status, s.head_seq, s.head_hash, s.dossier_present, s.last_effective_at, s.updated_at].map(String).join('|'),
    });
  }
  return { counts, rows };
}

export interface DbDiff {
  readonly counts: Partial<Record<Counted, number>>;
  /** Submissions whose row changed, with their version delta. */
  readonly changed: ReadonlyMap<string, number>;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export function diffDb(a: DbSnapshot, b: DbSnapshot): DbDiff {
  const counts: Partial<Record<Counted, number>> = {};
  for (const t of COUNTED) if (b.counts[t] !== a.counts[t]) counts[t] = b.counts[t] - a.counts[t];
  const changed = new Map<string, number>();
  const added: string[] = [];
  const removed: string[] = [];
  for (const [id, r] of b.rows) {
    const before = a.rows.get(id);
    if (!before) added.push(id);
    else if (before.line !== r.line) changed.set(id, r.version - before.version);
  }
  for (const id of a.rows.keys()) if (!b.rows.has(id)) removed.push(id);
  return { counts, changed, added, removed };
}

export function isEmptyDiff(d: DbDiff): boolean {
  return Object.keys(d.counts).length === 0 && d.changed.size === 0 && d.added.length === 0 && d.removed.length === 0;
}

export function showDiff(d: DbDiff): string {
  return JSON.stringify({ counts: d.counts, changed: Object.fromEntries(d.changed), added: d.added, removed: d.removed });
}

// ---------------------------------------------------------------- hash chain, recomputed independently

export function chainProblem(items: ReadonlyArray<Record<string, unknown>>): string | null {
  let prev = '0'.repeat(64);
  for (let i = 0; i < items.length; i++) {
    const r = items[i]!;
    if (r.seq !== i + 1) return `record ${i}: seq ${String(r.seq)} instead of ${i + 1}`;
    if (r.prevHash !== prev) return `seq ${i + 1}: prevHash does not name the previous hash`;
    const { hash, ...rest } = r;
    let canonical: string | undefined;
    try {
      canonical = canonicalize(rest);
    } catch (e) {
      return `seq ${i + 1}: record cannot be canonicalized (${(e as Error).message})`;
    }
    const h = createHash('sha256')
      .update(canonical ?? '')
      .digest('hex');
    if (h !== hash) return `seq ${i + 1} (${String(r.type)}): hash does not recompute from the served record`;
    prev = String(hash);
  }
  return null;
}

/** Names an Object.prototype property added by a request (prototype pollution), or null. */
const PROTO_BASELINE = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
export function prototypePollution(): string | null {
  const now = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
  if (now !== PROTO_BASELINE) return `Object.prototype now has ${now}`;
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'role', 'isAdmin', '__proto__polluted']) if (probe[k] !== undefined) return `({}).${k} is ${String(probe[k])}`;
  return null;
}

/** `arb` in `some` of `some + none` cases, else undefined. */
export function sometimes<T>(arb: fc.Arbitrary<T>, some: number, none: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: none, arbitrary: fc.constant(undefined) }, { weight: some, arbitrary: arb });
}
