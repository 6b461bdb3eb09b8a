/**
 * JSON Schema -> form fields -> JSON (src/web/forms.ts), over the whole workflow catalog: every
 * input and event schema of every version renders with labelled, uniquely identified controls;
 * a valid value typed into the rendered form the way a person would, and submitted the way a
 * browser serializes a form, comes back through `formToJson` as the same value and passes the
 * real ajv validator; bad values keep their pointers; refilled values are escaped and passwords
 * never refilled.
 *
 * The translator is a stub (the real one needs the domain and error catalogs): labels are the
 * English catalog, workflow words come back as `‹kind:id›` so tests can find them.
 */
import fs from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import canonicalize from 'canonicalize';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { InputError, type FieldError } from '../../src/errors.js';
import { controlId, errorsUnder, formToJson, renderField, renderSchemaFields, type FieldErrors, type FormValues } from '../../src/web/forms.js';
import type { Translator } from '../../src/web/i18n.js';
import { en, type MessageKey } from '../../src/web/messages/en.js';
import { createValidator, eventSchemaId, inputSchemaId, SCHEMA_BASE } from '../../src/validation.js';
import { WORKFLOWS } from '../../workflows/index.js';
import type { JsonSchema, WorkflowDefinition } from '../../workflows/types.js';

// ---------------------------------------------------------------------------------------------
// Stub translator

const t: Translator = {
  lang: 'en',
  t: (key: MessageKey, vars?: Readonly<Record<string, string | number>>) =>
    en[key].replace(/\{(\w+)\}/g, (m, n: string) => (vars && n in vars ? String(vars[n]) : m)),
  domain: (kind: string, id: string) => `‹${kind}:${id}›`,
  errorTitle: (code: string) => code,
  errorDetail: (d: string) => d,
  fieldError: (e: FieldError) => e.message,
  date: (v: string) => v,
  dateTime: (v: string) => v,
  timeZone: 'UTC',
};

const validator = createValidator(WORKFLOWS);
const DEVICE_ID = `${SCHEMA_BASE}device.json`;
const DEVICE = JSON.parse(fs.readFileSync(new URL('../../schemas/device.json', import.meta.url), 'utf8')) as JsonSchema;

interface Case {
  readonly label: string;
  readonly schema: JsonSchema;
  readonly schemaId: string;
  /** Form name and pointer prefix, as the pages use them. */
  readonly name: 'data' | 'input' | 'device';
}

/** Every schema of the catalog, as the pages use it (each workflow version's input and events, the device). */
const CATALOG_CASES: Case[] = [];
for (const w of WORKFLOWS) {
  CATALOG_CASES.push({ label: `${w.id}@${w.version} input`, schema: w.inputSchema, schemaId: inputSchemaId(w), name: 'input' });
  for (const [type, spec] of Object.entries(w.events)) {
    CATALOG_CASES.push({ label: `${w.id}@${w.version} ${type}`, schema: spec.schema, schemaId: eventSchemaId(w, type), name: 'data' });
  }
}
CATALOG_CASES.push({ label: 'device.json', schema: DEVICE, schemaId: DEVICE_ID, name: 'device' });

/** A case's identity for the form: the form name and the schema as canonical JSON (RFC 8785). */
const caseKey = (c: Case) => `${c.name} ${canonicalize(c.schema)}`;

/**
 * Each distinct schema once: workflow versions repeat most schemas unchanged, and forms.ts sees
 * only the schema and the form name, so a repeat tests nothing new. Labelled by its first use.
 */
const byKey = new Map<string, Case[]>();
for (const c of CATALOG_CASES) byKey.set(caseKey(c), [...(byKey.get(caseKey(c)) ?? []), c]);
const CASES: Case[] = [...byKey.values()].map((same) => ({
  ...same[0]!,
  label: same.length > 1 ? `${same[0]!.label} (and ${same.length - 1} identical)` : same[0]!.label,
}));

function workflow(id: string, version: number): WorkflowDefinition {
  const w = WORKFLOWS.find((x) => x.id === id && x.version === version);
  if (!w) throw new Error(`no ${id}@${version}`);
  return w;
}

// ---------------------------------------------------------------------------------------------
// A tiny HTML reader for the markup forms.ts writes (double-quoted attributes, escaped text)

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#96;': '`' };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#96);/g, (m) => ENTITIES[m]!);

function attrs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) out[m[1]!] = unescape(m[2] ?? '');
  return out;
}

interface Control {
  readonly tag: 'input' | 'select' | 'textarea';
  readonly attrs: Record<string, string>;
  /** textarea: its value; select: its options. */
  readonly text?: string;
  readonly options?: { value: string; label: string; selected: boolean }[];
}

function controls(markup: string): Control[] {
  const out: Control[] = [];
  for (const m of markup.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
    const tag = m[1] as Control['tag'];
    const a = attrs(m[2]!);
    const after = markup.slice(m.index + m[0].length);
    if (tag === 'textarea') {
      const body = after.slice(0, after.indexOf('</textarea>'));
      // The HTML parser turns CRLF into LF and drops one newline right after the start tag.
      const text = body.replace(/\r\n?/g, '\n');
      out.push({ tag, attrs: a, text: unescape(text.startsWith('\n') ? text.slice(1) : text) });
    } else if (tag === 'select') {
      const body = after.slice(0, after.indexOf('</select>'));
      const options = [...body.matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/g)].map((o) => {
        const oa = attrs(o[1]!);
        return { value: oa.value ?? unescape(o[2]!), label: unescape(o[2]!), selected: 'selected' in oa };
      });
      out.push({ tag, attrs: a, options });
    } else {
      out.push({ tag, attrs: a });
    }
  }
  return out;
}

function tags(markup: string, tag: string): Record<string, string>[] {
  return [...markup.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) => attrs(m[1]!));
}

function textOfId(markup: string, id: string): string | undefined {
  const m = new RegExp(`<(\\w+)\\b[^>]*\\bid="${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</\\1>`).exec(markup);
  return m ? unescape(m[2]!.replace(/<[^>]+>/g, '')) : undefined;
}

/** Checks every rule of accessible, well-formed controls; returns the controls. */
function checkAccessible(markup: string): Control[] {
  const cs = controls(markup);
  const ids = [...markup.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!);
  expect(new Set(ids).size, `duplicate ids in ${ids.join(', ')}`).toBe(ids.length);
  const labelsFor = new Set(tags(markup, 'label').map((l) => l.for));
  for (const c of cs) {
    expect(c.attrs.id, `control without id: ${JSON.stringify(c.attrs)}`).toBeTruthy();
    expect(labelsFor.has(c.attrs.id), `no <label for="${c.attrs.id}">`).toBe(true);
    expect(c.attrs.name, `control without name: ${c.attrs.id}`).toBeTruthy();
  }
  for (const l of tags(markup, 'label'))
    expect(
      cs.some((c) => c.attrs.id === l.for),
      `label for missing control ${l.for}`,
    ).toBe(true);
  // Every id aria-describedby names exists.
  for (const m of markup.matchAll(/aria-describedby="([^"]*)"/g)) {
    for (const ref of m[1]!.split(' ')) expect(ids, `aria-describedby names missing ${ref}`).toContain(ref);
  }
  return cs;
}

// ---------------------------------------------------------------------------------------------
// Sample values from a schema

const looseAjv = new Ajv2020({ strict: false, allErrors: true });
(addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(looseAjv);
const matches = (schema: unknown, value: unknown) => looseAjv.validate(schema as object, value);

/** A string matching a regular expression of the subset the catalog uses (classes, groups, quantifiers). */
function fromPattern(pattern: string): string {
  let i = 0;
  function alternatives(): string {
    const first = sequence();
    while (pattern[i] === '|') {
      i++;
      sequence(); // only the first alternative is used
    }
    return first;
  }
  function sequence(): string {
    let out = '';
    while (i < pattern.length && pattern[i] !== '|' && pattern[i] !== ')') {
      const atom = atomText();
      out += quantified(atom);
    }
    return out;
  }
  function escapeChar(): string {
    const c = pattern[i++]!;
    if (c === 'd') return '0';
    if (c === 'S' || c === 'w') return 'x';
    if (c === 's') return ' ';
    if (c === 'x') {
      const hex = pattern.slice(i, i + 2);
      i += 2;
      return String.fromCharCode(parseInt(hex, 16));
    }
    return c;
  }
  function atomText(): string {
    const c = pattern[i++]!;
    if (c === '^' || c === '$') return '';
    if (c === '(') {
      if (pattern.startsWith('?:', i)) i += 2;
      const inner = alternatives();
      expect(pattern[i]).toBe(')');
      i++;
      return inner;
    }
    if (c === '[') {
      let first: string | undefined;
      if (pattern[i] === '^') throw new Error(`negated class in ${pattern}: teach the sample generator`);
      while (pattern[i] !== ']') {
        const ch = pattern[i] === '\\' ? (i++, escapeChar()) : pattern[i++]!;
        first ??= ch;
        if (pattern[i] === '-' && pattern[i + 1] !== ']') {
          i++;
          if (pattern[i] === '\\') {
            i++;
            escapeChar();
          } else i++;
        }
      }
      i++;
      return first ?? '';
    }
    if (c === '\\') return escapeChar();
    if (c === '.') return 'x';
    return c;
  }
  function quantified(atom: string): string {
    const q = pattern[i];
    if (q === '?' || q === '*') {
      i++;
      return '';
    }
    if (q === '+') {
      i++;
      return atom;
    }
    if (q === '{') {
      const end = pattern.indexOf('}', i);
      const min = Number(pattern.slice(i + 1, end).split(',')[0]);
      i = end + 1;
      return atom.repeat(min);
    }
    return atom;
  }
  const s = alternatives();
  expect(new RegExp(pattern, 'u').test(s), `sample ${JSON.stringify(s)} does not match ${pattern}`).toBe(true);
  return s;
}

type Mode = 'minimal' | 'full';
let counter = 0;

/** A valid value for `schema`; `mode` says whether optional properties are filled. */
function sample(schema: JsonSchema, mode: Mode, key = 'x', asItem = false): unknown {
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.oneOf)) return sample(schema.oneOf[0] as JsonSchema, mode, key);
  if (Array.isArray(schema.anyOf)) return sample(schema.anyOf[0] as JsonSchema, mode, key);
  const type = schema.type ?? (schema.properties || schema.then || schema.else ? 'object' : undefined);
  switch (type) {
    case 'string': {
      if (schema.format === 'date') return '2025-03-14';
      if (schema.format === 'date-time') return '2025-03-14T10:20:30Z';
      if (schema.format === 'uuid') return '0193a5e2-7c1b-7d4e-8f00-123456789abc';
      if (typeof schema.pattern === 'string') return fromPattern(schema.pattern);
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : 4000;
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      // Markup and quotes everywhere (escaping), a leading newline and inner lines in long text.
      let s = asItem
        ? `Item ${++counter} <b>&amp; "q" 'a'`
        : max > 300
          ? `\nLine one <script>alert("${key}")</script>\nLine & two  `
          : `${key} <i>"v"</i> & 'w'`;
      if (s.length > max) s = s.slice(0, max);
      while (s.length < min) s += 'x';
      return s;
    }
    case 'integer':
    case 'number': {
      const lo = typeof schema.minimum === 'number' ? schema.minimum : 0;
      const hi = typeof schema.maximum === 'number' ? schema.maximum : lo + 1000;
      const v = Math.min(lo + 41, hi);
      return type === 'number' ? (v + 0.5 <= hi ? v + 0.5 : v) : v;
    }
    case 'boolean':
      return true;
    case 'array': {
      const items = schema.items as JsonSchema;
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : 1000;
      const n = Math.min(Math.max(min, mode === 'full' ? 2 : min), max);
      const values = Array.isArray(items.enum) ? (items.enum as unknown[]) : undefined;
      if (values) return values.slice(0, Math.min(n, values.length));
      return Array.from({ length: n }, () => sample(items, mode, key, true));
    }
    case 'object':
      return sampleObject(schema, mode, {});
    default:
      throw new Error(`the sample generator does not know ${JSON.stringify(schema)}`);
  }
}

/** An object sample: properties, then the `if`/`then`/`else` (and those in `allOf`) applied in order. */
function sampleObject(schema: JsonSchema, mode: Mode, overrides: Record<string, unknown>): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  let value: Record<string, unknown> = {};
  for (const [p, s] of Object.entries(props)) if (mode === 'full' || required.has(p)) value[p] = sample(s, mode, p);
  Object.assign(value, overrides);
  const conditionals = [schema, ...((schema.allOf ?? []) as JsonSchema[])].filter((c) => 'if' in c);
  for (const c of conditionals) {
    const branch = (matches(c.if, value) ? c.then : c.else) as JsonSchema | undefined;
    if (!branch) continue;
    const bprops = (branch.properties ?? {}) as Record<string, JsonSchema>;
    if (Object.keys(props).length === 0 && Object.keys(bprops).length > 0) {
      value = { ...sampleObject(branch, mode, {}), ...value };
      continue;
    }
    for (const r of (branch.required ?? []) as string[]) if (!(r in value)) value[r] = sample({ ...props[r], ...bprops[r] }, mode, r);
    for (const [p, s] of Object.entries(bprops)) {
      if ('not' in s) delete value[p];
      else if (p in value && !matches({ ...props[p], ...s }, value[p])) value[p] = sample({ ...props[p], ...s }, mode, p);
    }
  }
  return value;
}

/** Valid samples: required fields only, everything, and one per value of each top-level choice. */
function samples(schema: JsonSchema): Record<string, unknown>[] {
  const out = new Map<string, Record<string, unknown>>();
  const add = (v: Record<string, unknown>) => out.set(JSON.stringify(v), v);
  add(sampleObject(schema, 'minimal', {}));
  add(sampleObject(schema, 'full', {}));
  for (const [p, s] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    const choices: unknown[] = Array.isArray(s.enum)
      ? s.enum
      : s.type === 'boolean'
        ? [true, false]
        : Array.isArray(s.oneOf)
          ? (s.oneOf as JsonSchema[]).map((b) => sample(b, 'full', p))
          : [];
    for (const c of choices) add(sampleObject(schema, 'full', { [p]: c }));
  }
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------
// A person filling the rendered form, and the browser submitting it

function at(value: Record<string, unknown>, name: string, root: string): unknown {
  let v: unknown = value;
  for (const seg of name.slice(root.length + 1).split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  return v;
}

function hintOf(markup: string, c: Control): string {
  return (c.attrs['aria-describedby'] ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => textOfId(markup, id) ?? '')
    .join(' ');
}

/** The form values a browser sends after a person typed `value` into the rendered controls. */
function fill(markup: string, value: Record<string, unknown>, root: string): FormValues {
  const out: Record<string, string | string[]> = {};
  const send = (name: string, v: string) => {
    const prev = out[name];
    out[name] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  };
  for (const c of controls(markup)) {
    const name = c.attrs.name!;
    const v = at(value, name, root);
    const type = c.attrs.type;
    if (c.tag === 'input' && type === 'checkbox') {
      const chosen = Array.isArray(v) ? v : [];
      if (chosen.some((x) => x === c.attrs.value || JSON.stringify(x) === c.attrs.value)) send(name, c.attrs.value!);
    } else if (c.tag === 'select') {
      if (v === undefined) send(name, '');
      else {
        const option = c.options!.find((o) => o.value !== '' && (o.value === v || o.value === JSON.stringify(v)));
        expect(option, `${name}: no option for ${JSON.stringify(v)} in ${JSON.stringify(c.options)}`).toBeDefined();
        send(name, option!.value);
      }
    } else if (c.tag === 'textarea') {
      let text = '';
      if (v !== undefined) {
        if (hintOf(markup, c).includes(en['form.json'])) text = JSON.stringify(v, null, 2);
        else if (Array.isArray(v)) text = v.map(String).join('\n');
        else text = String(v);
      }
      send(name, text.replace(/\r?\n/g, '\r\n')); // browsers submit textarea line breaks as CRLF
    } else {
      send(name, v === undefined ? '' : String(v));
    }
  }
  return out;
}

/** What a browser sends for the form as rendered (refilled values, checked boxes, selected options). */
function submitAsRendered(markup: string): FormValues {
  const out: Record<string, string | string[]> = {};
  const send = (name: string, v: string) => {
    const prev = out[name];
    out[name] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  };
  for (const c of controls(markup)) {
    const name = c.attrs.name!;
    if (c.tag === 'input' && c.attrs.type === 'checkbox') {
      if ('checked' in c.attrs) send(name, c.attrs.value!);
    } else if (c.tag === 'select') {
      send(name, (c.options!.find((o) => o.selected) ?? c.options![0]!).value);
    } else if (c.tag === 'textarea') {
      send(name, c.text!.replace(/\r?\n/g, '\r\n'));
    } else send(name, c.attrs.value ?? '');
  }
  return out;
}

function render(c: Case, values: FormValues, errors: FieldErrors = new Map()): string {
  return renderSchemaFields(c.schema, { name: c.name, pointer: `/${c.name}`, idPrefix: 'f', values, errors, t }).toString();
}

function pointerErrors(e: unknown): FieldError[] {
  expect(e).toBeInstanceOf(InputError);
  // The pointer and the English message (each also carries its catalog code and params).
  return (e as InputError).errors.map(({ path, message }) => ({ path, message }));
}

function checkFails(schemaId: string, value: unknown, prefix: string): FieldError[] {
  try {
    validator.check(schemaId, value, prefix);
  } catch (e) {
    return pointerErrors(e);
  }
  throw new Error(`expected ${JSON.stringify(value)} to fail ${schemaId}`);
}

const toFieldErrors = (errors: readonly FieldError[]): FieldErrors => {
  const m = new Map<string, string[]>();
  for (const e of errors) m.set(e.path, [...(m.get(e.path) ?? []), e.message]);
  return m;
};

// ---------------------------------------------------------------------------------------------

describe('the catalog uses only constructs the form knows', () => {
  // A new keyword or format in a workflow schema fails here: check how forms.ts shows it, then add it.
  const KNOWN_KEYWORDS = new Set([
    '$schema',
    '$id',
    'title',
    'description',
    'default',
    'examples',
    'type',
    'properties',
    'required',
    'additionalProperties',
    'enum',
    'const',
    'minLength',
    'maxLength',
    'pattern',
    'format',
    'minimum',
    'maximum',
    'items',
    'minItems',
    'maxItems',
    'uniqueItems',
    'oneOf',
    'allOf',
    'if',
    'then',
    'else',
    'not',
  ]);
  const KNOWN_FORMATS = new Set(['date', 'uuid']);
  const keywords = new Set<string>();
  const formats = new Set<string>();
  function walk(s: unknown): void {
    if (!s || typeof s !== 'object' || Array.isArray(s)) return;
    for (const [k, v] of Object.entries(s)) {
      keywords.add(k);
      if (k === 'format') formats.add(String(v));
      if (k === 'properties') Object.values(v as object).forEach(walk);
      else if (['items', 'if', 'then', 'else', 'not'].includes(k)) walk(v);
      else if (['oneOf', 'anyOf', 'allOf'].includes(k)) (v as unknown[]).forEach(walk);
    }
  }
  for (const c of CASES) walk(c.schema);

  it('every keyword and format is one forms.ts was checked against', () => {
    expect([...keywords].filter((k) => !KNOWN_KEYWORDS.has(k))).toEqual([]);
    expect([...formats].filter((f) => !KNOWN_FORMATS.has(f))).toEqual([]);
  });
});

describe('renderSchemaFields over every schema of the catalog', () => {
  it('tests every schema of the catalog through a distinct case', () => {
    const tested = new Set(CASES.map(caseKey));
    expect(CATALOG_CASES.filter((c) => !tested.has(caseKey(c))).map((c) => c.label)).toEqual([]);
    expect(tested.size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.label, c] as const))('%s renders labelled controls with unique ids', (_label, c) => {
    const markup = render(c, {});
    const cs = checkAccessible(markup);
    const props = Object.keys(c.schema.properties ?? {});
    // One control (or group) per property; each named under the form root.
    for (const p of props)
      expect(
        cs.some((x) => x.attrs.name === `${c.name}.${p}` || x.attrs.name!.startsWith(`${c.name}.${p}.`)),
        `${c.label}: no control for ${p}`,
      ).toBe(true);
    for (const x of cs) expect(x.attrs.name!.startsWith(`${c.name}.`)).toBe(true);
    // Every property's label is its domain word, marked required, optional, or required on a route.
    const required = new Set((c.schema.required ?? []) as string[]);
    // A response's summary: required unless documents are attached (issue 13 §2).
    const unlessDocuments = JSON.stringify((c.schema.if as JsonSchema | undefined)?.not) === '{"required":["documents"]}';
    const conditional = new Set(unlessDocuments ? (((c.schema.then as JsonSchema).required ?? []) as string[]) : []);
    for (const p of props) {
      const flag =
        p === 'identicalDevice' && !required.has(p)
          ? `<span class="field-flag status due_soon">(${en['form.requiredAbbreviated']})</span>`
          : conditional.has(p) && !required.has(p)
            ? `<span class="field-flag status due_soon">(${en['form.requiredUnlessDocuments']})</span>`
            : `<span class="field-flag muted">(${required.has(p) ? en['form.required'] : en['form.optional']})</span>`;
      expect(markup).toContain(`‹field:${p}› ${flag}`);
    }
  });
});

describe('round trip: a valid value typed into the form comes back valid and unchanged', () => {
  const rows = CASES.flatMap((c) => samples(c.schema).map((v, i) => [`${c.label} #${i}`, c, v] as const));

  it('covers every schema, and every property of each in at least one sample', () => {
    expect(new Set(rows.map((r) => r[1])).size).toBe(CASES.length);
    for (const c of CASES) {
      const seen = new Set(rows.filter((r) => r[1] === c).flatMap((r) => Object.keys(r[2])));
      expect(
        [...Object.keys(c.schema.properties ?? {})].filter((p) => !seen.has(p)),
        c.label,
      ).toEqual([]);
    }
  });

  it.each(rows)('%s', (_label, c, value) => {
    // The sample itself is valid (the generator is right).
    validator.check(c.schemaId, value, `/${c.name}`);
    const markup = render(c, {});
    const submitted = fill(markup, value, c.name);
    const back = formToJson(c.schema, submitted, c.name);
    expect(back).toEqual(value);
    validator.check(c.schemaId, back, `/${c.name}`);
    // A refused form is rendered again with what was sent; sending it back unchanged gives the same value.
    const again = render(c, submitted);
    checkAccessible(again);
    expect(formToJson(c.schema, submitAsRendered(again), c.name)).toEqual(value);
  });
});

describe('how the catalog constructs render', () => {
  const ev = (id: string, version: number, type: string): Case => {
    const w = workflow(id, version);
    return { label: type, schema: w.events[type]!.schema, schemaId: eventSchemaId(w, type), name: 'data' };
  };
  const input = (id: string, version: number): Case => {
    const w = workflow(id, version);
    return { label: 'input', schema: w.inputSchema, schemaId: inputSchemaId(w), name: 'input' };
  };
  const control = (markup: string, name: string) => {
    const found = controls(markup).filter((c) => c.attrs.name === name);
    expect(found.length, `control ${name}`).toBeGreaterThan(0);
    return found[0]!;
  };

  it('pattern strings are text inputs; dates are date inputs with the format hint', () => {
    const m = render(ev('fda-510k', 3, 'DECIDE_SE'), {});
    const k = control(m, 'data.kNumber');
    expect([k.tag, k.attrs.type, 'required' in k.attrs]).toEqual(['input', 'text', true]);
    const d = control(m, 'data.decisionDate');
    expect([d.tag, d.attrs.type]).toEqual(['input', 'date']);
    expect(hintOf(m, d)).toBe(en['form.dateFormat']);
    expect(d.attrs.id).toBe(controlId('f', '/data/decisionDate'));
  });

  it('long text is a textarea with maxlength; short text an input with maxlength', () => {
    const m = render(ev('fda-pma', 3, 'WITHDRAW_APPROVAL'), {});
    const r = control(m, 'data.reason');
    expect([r.tag, r.attrs.maxlength, 'required' in r.attrs]).toEqual(['textarea', '4000', true]);
    const s = render(ev('cofepris-registration', 4, 'SEND_TO_TPR'), {});
    const tp = control(s, 'data.thirdParty');
    expect([tp.tag, tp.attrs.type, tp.attrs.maxlength]).toEqual(['input', 'text', '200']);
    // No maxLength, but a prose name: textarea; an identifier: text input.
    const inv = render(ev('cofepris-registration', 1, 'REFERENCE_INVALIDATED'), {});
    expect(control(inv, 'data.reason').tag).toBe('textarea');
    expect(control(inv, 'data.referenceState').attrs.type).toBe('text');
  });

  it('text lists are textareas, one item per line', () => {
    const m = render(ev('fda-510k', 3, 'REQUEST_AI'), {});
    const d = control(m, 'data.deficiencies');
    expect(d.tag).toBe('textarea');
    expect(hintOf(m, d)).toBe(en['form.onePerLine']);
    expect(formToJson(ev('fda-510k', 3, 'REQUEST_AI').schema, { 'data.deficiencies': 'first\r\n\r\n  second  \r\n' }, 'data')).toEqual({
      deficiencies: ['first', 'second'],
    });
  });

  it('enums are selects with an empty first choice and domain labels; enum lists are checkboxes', () => {
    const m = render(ev('fda-presub', 3, 'SCHEDULE_MEETING'), {});
    const f = control(m, 'data.format');
    expect(f.tag).toBe('select');
    expect(f.options).toEqual([
      { value: '', label: en['form.choose'], selected: false },
      { value: 'in-person', label: '‹input:in-person›', selected: false },
      { value: 'video', label: '‹input:video›', selected: false },
      { value: 'teleconference', label: '‹input:teleconference›', selected: false },
    ]);
    const g = render(ev('fda-hde', 3, 'REFUSE_TO_FILE'), { 'data.grounds': ['incomplete', 'untrueStatement'] });
    const boxes = controls(g).filter((c) => c.attrs.name === 'data.grounds');
    expect(boxes.map((b) => [b.attrs.type, b.attrs.value, 'checked' in b.attrs])).toEqual([
      ['checkbox', 'incomplete', true],
      ['checkbox', 'comparableDevice', false],
      ['checkbox', 'untrueStatement', true],
      ['checkbox', 'noFinancialDisclosure', false],
    ]);
    expect(boxes[0]!.attrs.id).toBe(controlId('f', '/data/grounds'));
    expect(g).toMatch(/<fieldset[^>]*><legend>‹field:grounds› <span class="field-flag muted">\(required\)<\/span><\/legend>/);
    expect(g).toContain('‹input:comparableDevice›');
    // One box checked is a single string in the form; it is still a list in JSON.
    expect(formToJson(ev('fda-hde', 3, 'REFUSE_TO_FILE').schema, { 'data.grounds': 'incomplete' }, 'data')).toEqual({ grounds: ['incomplete'] });
  });

  it('integers are number inputs with min, max and step', () => {
    const m = render(ev('fda-hde', 3, 'REQUEST_HUD'), { 'data.estimatedAnnualPopulation': '8000' });
    const n = control(m, 'data.estimatedAnnualPopulation');
    expect(n.attrs).toMatchObject({ type: 'number', inputmode: 'numeric', min: '1', max: '1000000000', step: '1', value: '8000' });
  });

  it('booleans are yes/no selects; false and absent stay apart', () => {
    const c = ev('fda-pma', 3, 'REFER_TO_PANEL');
    const m = render(c, { 'data.requestedBySponsor': 'false' });
    const b = control(m, 'data.requestedBySponsor');
    expect(b.options!.map((o) => [o.value, o.label, o.selected])).toEqual([
      ['', en['form.choose'], false],
      ['true', en['form.yes'], false],
      ['false', en['form.no'], true],
    ]);
    expect(formToJson(c.schema, { 'data.requestedBySponsor': 'false' }, 'data')).toEqual({ requestedBySponsor: false });
    expect(formToJson(c.schema, { 'data.requestedBySponsor': '' }, 'data')).toEqual({});
    const p = input('fda-presub', 3);
    expect(formToJson(p.schema, { 'input.meetingRequested': 'true' }, 'input')).toEqual({ meetingRequested: true });
  });

  it('const true (an attestation) is a select whose one choice is Yes', () => {
    const c = input('cofepris-registration', 4);
    const m = render(c, {});
    const d = control(m, 'input.identicalDevice');
    expect(d.options!.map((o) => [o.value, o.label])).toEqual([
      ['', en['form.choose']],
      ['true', en['form.yes']],
    ]);
    expect(formToJson(c.schema, { 'input.route': 'standard', 'input.identicalDevice': 'true' }, 'input')).toEqual({ route: 'standard', identicalDevice: true });
  });

  it('oneOf of objects and conditional objects are JSON textareas', () => {
    for (const c of [input('cofepris-registration', 1), input('cofepris-registration', 4)]) {
      const m = render(c, {});
      const r = control(m, 'input.reference');
      expect(r.tag).toBe('textarea');
      expect(hintOf(m, r)).toBe(en['form.json']);
    }
    const c = input('cofepris-registration', 4);
    expect(formToJson(c.schema, { 'input.route': 'abbreviated', 'input.reference': '{"submissionId":"abc"}' }, 'input')).toEqual({
      route: 'abbreviated',
      reference: { submissionId: 'abc' },
    });
  });

  it('a schema with no properties renders nothing and reads back as {}', () => {
    const c = ev('fda-510k', 3, 'SUBMIT');
    expect(render(c, {})).toBe('');
    expect(formToJson(c.schema, { 'data.x': 'y' }, 'data')).toEqual({});
  });

  it('a field whose requirement depends on another (PMA supplement number) is optional in the form; ajv names it', () => {
    const c = input('fda-pma', 3);
    const m = render(c, {});
    expect('required' in control(m, 'input.pmaNumber').attrs).toBe(false);
    const errors = checkFails(c.schemaId, formToJson(c.schema, { 'input.supplementType': '180-day', 'input.pmaNumber': '' }, 'input'), '/input');
    expect(errors).toContainEqual({ path: '/input/pmaNumber', message: 'is required' });
  });
});

describe('constructs the catalog does not use yet', () => {
  const schema: JsonSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['level', 'site'],
    properties: {
      ratio: { type: 'number', minimum: 0, maximum: 1 },
      level: { enum: [1, 2, 'three'] },
      kind: { oneOf: [{ const: 'a' }, { const: 'b' }] },
      at: { type: 'string', format: 'date-time' },
      counts: { type: 'array', items: { type: 'integer' } },
      codes: { type: 'array', items: { enum: [10, 20] } },
      anything: { type: 'object' },
      mixed: { type: ['string', 'integer'] },
      site: {
        type: 'object',
        additionalProperties: false,
        required: ['city'],
        properties: { city: { type: 'string', maxLength: 80 }, floor: { type: 'integer' }, 'odd/name': { type: 'string' } },
      },
    },
  };
  const validate = new Ajv2020({ strict: false });
  (addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(validate);
  const c: Case = { label: 'synthetic', schema, schemaId: '', name: 'data' };

  it('renders every construct accessibly', () => {
    const m = render(c, {});
    const cs = checkAccessible(m);
    const by = (n: string) => cs.filter((x) => x.attrs.name === n);
    expect(by('data.ratio')[0]!.attrs).toMatchObject({ type: 'number', inputmode: 'decimal', step: 'any', min: '0', max: '1' });
    expect(by('data.level')[0]!.options!.map((o) => o.value)).toEqual(['', '1', '2', '"three"']);
    expect(by('data.kind')[0]!.options!.map((o) => o.value)).toEqual(['', 'a', 'b']);
    expect(by('data.at')[0]!.attrs.type).toBe('text');
    expect(m).toContain('YYYY-MM-DDThh:mm:ssZ');
    expect(by('data.counts')[0]!.tag).toBe('textarea');
    expect(by('data.codes').map((x) => x.attrs.value)).toEqual(['10', '20']);
    expect(by('data.anything')[0]!.tag).toBe('textarea');
    expect(by('data.mixed')[0]!.tag).toBe('textarea');
    // The nested object: a fieldset with a legend, its fields named data.site.*
    expect(m).toMatch(/<fieldset class="field-group" id="f-data-site"><legend>‹field:site› <span class="field-flag muted">\(required\)<\/span><\/legend>/);
    expect(by('data.site.city')[0]!.attrs).toMatchObject({ id: 'f-data-site-city', required: '' });
    expect(by('data.site.odd/name')[0]!.attrs.id).toBe(controlId('f', '/data/site/odd~1name'));
  });

  it('reads every construct back', () => {
    const value = {
      ratio: 0.25,
      level: 2,
      kind: 'b',
      at: '2025-03-14T10:20:30Z',
      counts: [3, -4],
      codes: [20],
      anything: { a: [1, { b: null }] },
      mixed: 7,
      site: { city: 'Monterrey', floor: 3, 'odd/name': 'x' },
    };
    const m = render(c, {});
    const back = formToJson(schema, fill(m, value, 'data'), 'data');
    expect(back).toEqual(value);
    expect(validate.validate(schema, back)).toBe(true);
    expect(formToJson(schema, submitAsRendered(render(c, fill(m, value, 'data'))), 'data')).toEqual(value);
  });

  it('an empty required nested object reads back as {} so ajv names its fields; an empty optional one is omitted', () => {
    expect(formToJson(schema, { 'data.level': '1', 'data.site.city': '' }, 'data')).toEqual({ level: 1, site: {} });
    const optional = { ...schema, required: ['level'] };
    expect(formToJson(optional, { 'data.level': '1', 'data.site.city': '' }, 'data')).toEqual({ level: 1 });
  });

  it('a top-level schema without properties is one JSON textarea', () => {
    const free: JsonSchema = {
      oneOf: [
        { type: 'object', properties: { a: { type: 'string' } } },
        { type: 'object', properties: { b: { type: 'string' } } },
      ],
    };
    const m = renderSchemaFields(free, { name: 'data', pointer: '/data', idPrefix: 'f', values: { data: '{"a":"<x>"}' }, errors: new Map(), t }).toString();
    checkAccessible(m);
    expect(controls(m)[0]!.text).toBe('{"a":"<x>"}');
    expect(formToJson(free, { data: '{"a":"x"}' }, 'data')).toEqual({ a: 'x' });
    expect(formToJson(free, { data: 'nope' }, 'data')).toEqual({});
  });
});

describe('bad values keep their pointers', () => {
  const hud = workflow('fda-hde', 3);
  const requestHud = hud.events.REQUEST_HUD!.schema;

  it('"abc" in an integer field is kept, and ajv reports that field', () => {
    const back = formToJson(requestHud, { 'data.estimatedAnnualPopulation': 'abc', 'data.condition': '' }, 'data');
    expect(back).toEqual({ estimatedAnnualPopulation: 'abc' });
    const errors = checkFails(eventSchemaId(hud, 'REQUEST_HUD'), back, '/data');
    expect(errors.map((e) => e.path)).toEqual(['/data/estimatedAnnualPopulation']);
    expect(errors[0]!.message).toBe('must be integer');
    // 1.5 and 1e3 are not integers in the form either; " 12 " is.
    expect(formToJson(requestHud, { 'data.estimatedAnnualPopulation': '1.5' }, 'data')).toEqual({ estimatedAnnualPopulation: '1.5' });
    expect(formToJson(requestHud, { 'data.estimatedAnnualPopulation': ' 12 ' }, 'data')).toEqual({ estimatedAnnualPopulation: 12 });
  });

  it('an empty required field is omitted, and ajv says it is required', () => {
    const w = workflow('fda-510k', 3);
    const back = formToJson(w.events.DECIDE_SE!.schema, { 'data.kNumber': '', 'data.decisionDate': '2025-01-02' }, 'data');
    expect(back).toEqual({ decisionDate: '2025-01-02' });
    expect(checkFails(eventSchemaId(w, 'DECIDE_SE'), back, '/data')).toEqual([{ path: '/data/kNumber', message: 'is required' }]);
    // A list of blank lines is empty too.
    const ai = formToJson(w.events.REQUEST_AI!.schema, { 'data.deficiencies': ' \r\n\r\n' }, 'data');
    expect(checkFails(eventSchemaId(w, 'REQUEST_AI'), ai, '/data')).toEqual([{ path: '/data/deficiencies', message: 'is required' }]);
  });

  it('a JSON field that does not parse is kept as text, and ajv reports a type error there', () => {
    const w = workflow('cofepris-registration', 1);
    const back = formToJson(w.inputSchema, { 'input.route': 'equivalence', 'input.reference': '{"submissionId": ' }, 'input');
    expect(back.reference).toBe('{"submissionId":');
    const errors = checkFails(inputSchemaId(w), back, '/input');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.path === '/input/reference')).toBe(true);
  });

  it('a boolean that is neither true nor false is kept for ajv; identifiers and dates are trimmed, prose is not', () => {
    const w = workflow('fda-pma', 3);
    const back = formToJson(w.events.REFER_TO_PANEL!.schema, { 'data.requestedBySponsor': 'maybe', 'data.panel': ' Cardio ' }, 'data');
    expect(back).toEqual({ requestedBySponsor: 'maybe', panel: ' Cardio ' });
    expect(checkFails(eventSchemaId(w, 'REFER_TO_PANEL'), back, '/data')).toEqual([{ path: '/data/requestedBySponsor', message: 'must be boolean' }]);
    const k = workflow('fda-510k', 3);
    expect(formToJson(k.events.DECIDE_SE!.schema, { 'data.kNumber': ' K123456 ', 'data.decisionDate': '2025-01-02 ' }, 'data')).toEqual({
      kNumber: 'K123456',
      decisionDate: '2025-01-02',
    });
  });

  it('a wrong enum value and a repeated single-valued name reach ajv as they are', () => {
    const w = workflow('fda-presub', 3);
    const back = formToJson(w.events.SCHEDULE_MEETING!.schema, { 'data.meetingDate': ['2025-01-01', '2025-01-02'], 'data.format': 'carrier-pigeon' }, 'data');
    expect(back).toEqual({ meetingDate: ['2025-01-01', '2025-01-02'], format: 'carrier-pigeon' });
    expect(
      checkFails(eventSchemaId(w, 'SCHEDULE_MEETING'), back, '/data')
        .map((e) => e.path)
        .sort(),
    ).toEqual(['/data/format', '/data/meetingDate']);
  });

  it('errors under /data/deficiencies/0 appear beside the deficiencies control, which is aria-invalid', () => {
    const w = workflow('fda-510k', 3);
    const c: Case = { label: 'REQUEST_AI', schema: w.events.REQUEST_AI!.schema, schemaId: eventSchemaId(w, 'REQUEST_AI'), name: 'data' };
    const long = 'x'.repeat(4001);
    const values = { 'data.deficiencies': `${long}\r\nshort` };
    const errors = toFieldErrors(checkFails(c.schemaId, formToJson(c.schema, values, 'data'), '/data'));
    expect([...errors.keys()]).toEqual(['/data/deficiencies/0']);
    expect(errorsUnder(errors, '/data/deficiencies')).toEqual(['must NOT have more than 4000 characters']);
    expect(errorsUnder(errors, '/data/deficiencies/0')).toHaveLength(1);
    expect(errorsUnder(errors, '/data/deficiencie')).toEqual([]);
    const m = render(c, values, errors);
    checkAccessible(m);
    const d = controls(m)[0]!;
    expect(d.attrs.id).toBe(controlId('f', '/data/deficiencies'));
    expect(d.attrs['aria-invalid']).toBe('true');
    const errorId = `${d.attrs.id}--error`;
    expect(d.attrs['aria-describedby']!.split(' ')).toEqual([`${d.attrs.id}--hint`, errorId]);
    expect(m).toContain(`<p class="field-error" id="${errorId}">`);
    expect(textOfId(m, errorId)).toBe('‹field:deficiencies› 1: must NOT have more than 4000 characters');
    // The typed text is kept.
    expect(d.text).toBe(`${long}\nshort`);
  });

  it('every error pointer ajv gives for a bad form lands on a control that is aria-invalid', () => {
    const w = workflow('fda-de-novo', 3);
    const c: Case = { label: 'DECIDE_GRANT', schema: w.events.DECIDE_GRANT!.schema, schemaId: eventSchemaId(w, 'DECIDE_GRANT'), name: 'data' };
    const values = { 'data.denNumber': 'K123456', 'data.decisionDate': '', 'data.deviceClass': 'III', 'data.productCode': 'abc', 'data.regulation': '' };
    const errors = toFieldErrors(checkFails(c.schemaId, formToJson(c.schema, values, 'data'), '/data'));
    expect([...errors.keys()].sort()).toEqual(['/data/decisionDate', '/data/denNumber', '/data/deviceClass', '/data/productCode']);
    const m = render(c, values, errors);
    const cs = checkAccessible(m);
    for (const p of errors.keys()) {
      const ctl = cs.find((x) => x.attrs.id === controlId('f', p));
      expect(ctl?.attrs['aria-invalid'], p).toBe('true');
      expect(textOfId(m, `${controlId('f', p)}--error`)).toBe(errors.get(p)!.join(' '));
    }
    // The field without an error is not marked.
    const reg = cs.find((x) => x.attrs.name === 'data.regulation')!;
    expect(reg.attrs['aria-invalid']).toBeUndefined();
    expect(reg.attrs['aria-describedby']).toBeUndefined();
    // Refilled: what the user typed is back in the controls.
    expect(cs.find((x) => x.attrs.name === 'data.denNumber')!.attrs.value).toBe('K123456');
  });
});

describe('escaping and passwords', () => {
  const evil = '"><script>alert(1)</script>';

  it('a refilled value comes out escaped in inputs, textareas and selects', () => {
    const w = workflow('fda-de-novo', 3);
    const c: Case = { label: 'DECIDE_GRANT', schema: w.events.DECIDE_GRANT!.schema, schemaId: '', name: 'data' };
    const m = render(c, { 'data.denNumber': evil, 'data.deviceClass': evil });
    expect(m).not.toContain('<script>');
    expect(m).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(controls(m).find((x) => x.attrs.name === 'data.denNumber')!.attrs.value).toBe(evil);
    const ai = workflow('fda-510k', 3);
    const t2 = render({ label: '', schema: ai.events.REQUEST_AI!.schema, schemaId: '', name: 'data' }, { 'data.deficiencies': `</textarea>${evil}` });
    expect(t2).not.toContain('<script>');
    expect(t2).not.toMatch(/<\/textarea>.*<\/textarea>/s);
    expect(controls(t2)[0]!.text).toBe(`</textarea>${evil}`);
  });

  it('labels, hints and error messages are escaped', () => {
    const m = renderField({
      schema: { type: 'string', maxLength: 10 },
      name: 'comment',
      pointer: '/comment',
      label: '<b>Label</b>',
      required: false,
      values: {},
      errors: new Map([['/comment', ['<img src=x onerror=alert(1)>']]]),
      t,
      idPrefix: 'ev',
      hint: '<i>hint</i>',
    }).toString();
    expect(m).not.toMatch(/<b>|<i>|<img/);
    expect(m).toContain('&lt;b&gt;Label&lt;/b&gt;');
  });

  it('a password input is never refilled', () => {
    const m = renderField({
      schema: { type: 'string', minLength: 1, maxLength: 1024 },
      name: 'signature.password',
      pointer: '/signature/password',
      label: 'Your password',
      required: true,
      values: { 'signature.password': 'hunter2-secret' },
      errors: new Map([['/signature/password', ['is required']]]),
      t,
      idPrefix: 'ev',
      inputType: 'password',
    }).toString();
    expect(m).not.toContain('hunter2');
    const p = controls(m)[0]!;
    expect(p.attrs).toMatchObject({
      type: 'password',
      autocomplete: 'current-password',
      name: 'signature.password',
      id: 'ev-signature-password',
      'aria-invalid': 'true',
    });
    expect(p.attrs.value).toBeUndefined();
    // The value the form sends is still read back untouched (no trimming).
    expect(formToJson({ type: 'object', properties: { password: { type: 'string' } } }, { 'signature.password': ' pw ' }, 'signature')).toEqual({
      password: ' pw ',
    });
  });

  it('top-level fields: effectiveAt as a date with its own hint, comment as a textarea', () => {
    const values = { effectiveAt: '2025-02-03', comment: 'a\r\nb' };
    const d = renderField({
      schema: { type: 'string', maxLength: 40 },
      name: 'effectiveAt',
      pointer: '/effectiveAt',
      label: 'Effective date',
      required: false,
      values,
      errors: new Map(),
      t,
      idPrefix: 'ev',
      hint: en['event.effectiveAtHint'],
      inputType: 'date',
    }).toString();
    const dc = controls(d)[0]!;
    expect(dc.attrs).toMatchObject({ type: 'date', value: '2025-02-03', 'aria-describedby': 'ev-effectiveAt--hint' });
    expect(textOfId(d, 'ev-effectiveAt--hint')).toBe(en['event.effectiveAtHint']);
    expect(d).toContain(`(${en['form.optional']})`);
    const cm = renderField({
      schema: { type: 'string', minLength: 1, maxLength: 4000 },
      name: 'comment',
      pointer: '/comment',
      label: 'Comment',
      required: false,
      values,
      errors: new Map(),
      t,
      idPrefix: 'ev',
    }).toString();
    expect(controls(cm)[0]!.tag).toBe('textarea');
    const meaning = renderField({
      schema: { enum: ['approval', 'review'] },
      name: 'signature.meaning',
      pointer: '/signature/meaning',
      label: 'Meaning',
      required: true,
      values: { 'signature.meaning': 'review' },
      errors: new Map(),
      t,
      idPrefix: 'ev',
    }).toString();
    expect(controls(meaning)[0]!.options!.find((o) => o.selected)?.value).toBe('review');
  });
});

describe('with the real translator', () => {
  it('every schema renders in Spanish with labelled controls and the Spanish form words', async () => {
    // Imported here so the rest of this file runs even while the domain catalogs are being edited.
    const { createTranslator } = await import('../../src/web/i18n.js');
    const es = createTranslator('es');
    for (const c of CASES) {
      const m = renderSchemaFields(c.schema, { name: c.name, pointer: `/${c.name}`, idPrefix: 'f', values: {}, errors: new Map(), t: es }).toString();
      checkAccessible(m);
      expect(m).not.toMatch(/undefined|\[object Object\]/);
    }
    const ai = workflow('fda-510k', 3).events.REQUEST_AI!.schema;
    const m = renderSchemaFields(ai, { name: 'data', pointer: '/data', idPrefix: 'f', values: {}, errors: new Map(), t: es }).toString();
    expect(m).toContain('Uno por línea.');
    expect(m).toContain('(obligatorio)');
  });
});

describe('controlId', () => {
  it('is a valid, readable id and different pointers never share one', () => {
    expect(controlId('f', '/data/kNumber')).toBe('f-data-kNumber');
    expect(controlId('f', '')).toBe('f');
    const pointers = ['/a-b', '/a/b', '/a_2d_', '/a~1b', '/a/', '/a', '/a b', '/ab', '/a/b/0', '/a/b0', '/ü'];
    const ids = pointers.map((p) => controlId('x', p));
    expect(new Set(ids).size).toBe(pointers.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
