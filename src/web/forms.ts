/**
 * JSON Schema -> accessible HTML form fields, and the submitted form -> the JSON the schema
 * expects. Only the constructs the workflow catalog uses get a dedicated control; anything else
 * (oneOf of objects, type unions, free objects, conditional shapes) becomes a JSON textarea, so
 * every schema stays fillable. ajv stays the judge: `formToJson` only coerces what it can and
 * keeps the rest as typed, so the validator reports the problem at the field's own pointer.
 *
 * Form names are dotted (`data.kNumber`, `data.reference.number`), ids come from `controlId`,
 * and every control has a `<label for>`, its hint and error wired through `aria-describedby`.
 */
import type { JsonSchema } from '../../workflows/types.js';
import { html, raw, flag, type SafeHtml } from './html.js';
import type { MessageKey, Translator } from './i18n.js';

/** Form values as express.urlencoded({ extended: false }) gives them: a repeated name becomes an array. */
export type FormValues = Readonly<Record<string, string | readonly string[] | undefined>>;
/** Translated error messages by JSON pointer (e.g. '/data/kNumber', '/data/deficiencies/0', '/signature/password'). */
export type FieldErrors = ReadonlyMap<string, readonly string[]>;

/** Language-neutral example of an RFC 3339 instant (no catalog key describes one). */
const DATE_TIME_HINT = 'YYYY-MM-DDThh:mm:ssZ';
/** Strings without `maxLength` whose name says "prose" get a textarea. */
const PROSE_NAME = /(summary|text|description|reason|comment|detail|note|finding|condition|explanation|justification|rationale|remark|question)/i;
/** Strings longer than this get a textarea. */
const TEXTAREA_OVER = 300;

type Control =
  | { readonly kind: 'select'; readonly options: readonly unknown[]; readonly encoded: boolean }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'number'; readonly integer: boolean }
  | { readonly kind: 'string'; readonly control: 'text' | 'date' | 'datetime' | 'textarea' | 'password'; readonly trim: boolean }
  | { readonly kind: 'lines'; readonly item: Control }
  | { readonly kind: 'checkboxes'; readonly options: readonly unknown[]; readonly encoded: boolean }
  | { readonly kind: 'object'; readonly properties: Readonly<Record<string, JsonSchema>>; readonly required: ReadonlySet<string> }
  | { readonly kind: 'json' };

type InputOverride = 'password' | 'text' | 'date' | 'textarea';

function isSchema(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The values an enum-like schema allows: `enum`, `const`, or a `oneOf`/`anyOf` of consts. */
function enumValues(schema: JsonSchema): readonly unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum as unknown[];
  if ('const' in schema) return [schema.const];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (!Array.isArray(branches) || branches.length === 0) continue;
    const out: unknown[] = [];
    for (const b of branches) {
      if (!isSchema(b)) return undefined;
      const vals = Array.isArray(b.enum) ? (b.enum as unknown[]) : 'const' in b ? [b.const] : undefined;
      if (!vals) return undefined;
      out.push(...vals);
    }
    return out;
  }
  return undefined;
}

function declaredType(schema: JsonSchema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t) && t.length === 1 && typeof t[0] === 'string') return t[0];
  if (Array.isArray(t)) return 'union';
  return undefined;
}

/** Property schemas declared by `if`/`then`/`else`/`allOf`/`dependentSchemas` that the base `properties` does not have. */
function hasHiddenProperties(schema: JsonSchema, base: Readonly<Record<string, unknown>>): boolean {
  const nested: unknown[] = [schema.then, schema.else];
  if (Array.isArray(schema.allOf)) nested.push(...(schema.allOf as unknown[]));
  if (isSchema(schema.dependentSchemas)) nested.push(...Object.values(schema.dependentSchemas));
  for (const n of nested) {
    if (!isSchema(n)) continue;
    if (isSchema(n.properties) && Object.keys(n.properties).some((k) => !(k in base))) return true;
    if (hasHiddenProperties(n, base)) return true;
  }
  return false;
}

/** An object schema the form can show field by field, or undefined. */
function objectShape(schema: JsonSchema): { properties: Record<string, JsonSchema>; required: Set<string>; conditional: Set<string> } | undefined {
  const type = declaredType(schema);
  if (type !== undefined && type !== 'object') return undefined;
  if (!isSchema(schema.properties)) return undefined;
  if (schema.oneOf !== undefined || schema.anyOf !== undefined || schema.not !== undefined) return undefined;
  if (isSchema(schema.additionalProperties) || isSchema(schema.patternProperties)) return undefined;
  const properties: Record<string, JsonSchema> = {};
  for (const [k, v] of Object.entries(schema.properties)) properties[k] = isSchema(v) ? v : {};
  if (hasHiddenProperties(schema, properties)) return undefined;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as unknown[]).filter((r): r is string => typeof r === 'string') : []);
  // A response's summary, required unless it attaches documents (issue 13 §2): `if` documents are
  // absent `then` the summary is required. Other `if`/`then` rules stay for ajv to name.
  const unlessDocuments = isSchema(schema.if) && isSchema(schema.if.not) && JSON.stringify(schema.if.not.required) === '["documents"]';
  const then = unlessDocuments && isSchema(schema.then) && Array.isArray(schema.then.required) ? (schema.then.required as unknown[]) : [];
  const conditional = new Set(then.filter((r): r is string => typeof r === 'string' && !required.has(r)));
  return { properties, required, conditional };
}

function lastSegment(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? name : name.slice(i + 1);
}

/** How a property schema is shown and read back. */
function classify(schema: JsonSchema, name: string, override?: InputOverride): Control {
  if (override === 'password') return { kind: 'string', control: 'password', trim: false };
  if (override === 'textarea') return { kind: 'string', control: 'textarea', trim: false };
  if (override === 'date') return { kind: 'string', control: 'date', trim: true };
  if (override === 'text') return { kind: 'string', control: 'text', trim: typeof schema.pattern === 'string' || typeof schema.format === 'string' };
  const options = enumValues(schema);
  if (options && options.length > 0) {
    if (options.every((v) => typeof v === 'boolean') && options.length === 2) return { kind: 'boolean' };
    return { kind: 'select', options, encoded: !options.every((v) => typeof v === 'string') };
  }
  const type = declaredType(schema);
  switch (type) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'integer':
    case 'number':
      return { kind: 'number', integer: type === 'integer' };
    case 'string': {
      const trim = typeof schema.pattern === 'string' || typeof schema.format === 'string';
      if (schema.format === 'date') return { kind: 'string', control: 'date', trim };
      if (schema.format === 'date-time') return { kind: 'string', control: 'datetime', trim };
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
      const long = max !== undefined ? max > TEXTAREA_OVER : PROSE_NAME.test(lastSegment(name));
      return { kind: 'string', control: long ? 'textarea' : 'text', trim };
    }
    case 'array': {
      if (schema.prefixItems !== undefined || !isSchema(schema.items)) return { kind: 'json' };
      const items = schema.items;
      const itemOptions = enumValues(items);
      if (itemOptions && itemOptions.length > 0) return { kind: 'checkboxes', options: itemOptions, encoded: !itemOptions.every((v) => typeof v === 'string') };
      const itemType = declaredType(items);
      if (itemType === 'string') return { kind: 'lines', item: { kind: 'string', control: 'text', trim: true } };
      if (itemType === 'integer' || itemType === 'number') return { kind: 'lines', item: { kind: 'number', integer: itemType === 'integer' } };
      if (itemType === 'boolean') return { kind: 'lines', item: { kind: 'boolean' } };
      return { kind: 'json' };
    }
    case 'object':
    case undefined: {
      const shape = objectShape(schema);
      if (shape && Object.keys(shape.properties).length > 0) return { kind: 'object', ...shape };
      return { kind: 'json' };
    }
    default:
      return { kind: 'json' };
  }
}

// ---------------------------------------------------------------------------------------------
// Ids and errors

/** One pointer segment as id characters: letters and digits kept, anything else `_hex_`; empty is `_`. */
function idSegment(segment: string): string {
  if (segment === '') return '_';
  let out = '';
  for (const ch of segment) out += /[A-Za-z0-9]/.test(ch) ? ch : `_${ch.codePointAt(0)!.toString(16)}_`;
  return out;
}

/** The element id of the control for a pointer, so an error summary can link to it: same scheme renderField uses. */
export function controlId(idPrefix: string, pointer: string): string {
  if (pointer === '') return idPrefix;
  return (
    idPrefix +
    pointer
      .split('/')
      .slice(1)
      .map((s) => `-${idSegment(s)}`)
      .join('')
  );
}

/** Errors whose pointer is at or under `pointer` (so '/data/deficiencies/0' shows beside the deficiencies field). */
export function errorsUnder(errors: FieldErrors, pointer: string): readonly string[] {
  const out: string[] = [];
  for (const [p, messages] of errors) if (p === pointer || p.startsWith(`${pointer}/`)) out.push(...messages);
  return out;
}

/** Pointer segments (unescaped) of `p` below `pointer`. */
function subSegments(p: string, pointer: string): string[] {
  return p
    .slice(pointer.length + 1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The messages shown beside a control: its own as they are; those of an item or sub-field
 * (`/data/deficiencies/2`) as "Deficiencies 3: ..." so the reader knows which line is meant.
 */
function messagesFor(errors: FieldErrors, pointer: string, label: string, control: Control, t: Translator, skip?: (p: string) => boolean): string[] {
  const out: string[] = [];
  for (const [p, messages] of errors) {
    if (p !== pointer && !p.startsWith(`${pointer}/`)) continue;
    if (skip?.(p)) continue;
    if (p === pointer) {
      out.push(...messages);
      continue;
    }
    const segs = subSegments(p, pointer);
    let where: string;
    if ((control.kind === 'lines' || control.kind === 'checkboxes') && /^\d+$/.test(segs[0]!)) {
      where = `${label} ${Number(segs[0]) + 1}${segs.length > 1 ? ` ${segs.slice(1).join(' › ')}` : ''}`;
    } else {
      where = `${label} › ${segs.join(' › ')}`;
    }
    for (const m of messages) out.push(t.t('form.errorAt', { field: where, message: m }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

function own(values: FormValues, name: string): string | readonly string[] | undefined {
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

/** The text to show for a scalar control: the first of a repeated name. */
function shown(values: FormValues, name: string): string | undefined {
  const v = own(values, name);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

function allStrings(v: string | readonly string[] | undefined): readonly string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}

function encodeOption(value: unknown, encoded: boolean): string {
  return encoded ? JSON.stringify(value) : String(value);
}

function optionLabel(value: unknown, t: Translator): string {
  if (typeof value === 'boolean') return t.t(value ? 'form.yes' : 'form.no');
  if (typeof value === 'string') return t.domain('input', value);
  if (typeof value === 'number') return t.domain('input', String(value));
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Rendering

interface FieldOpts {
  readonly schema: JsonSchema;
  readonly name: string;
  readonly pointer: string;
  readonly label: string;
  readonly required: boolean;
  readonly values: FormValues;
  readonly errors: FieldErrors;
  readonly t: Translator;
  readonly idPrefix: string;
  readonly hint?: string;
  readonly inputType?: InputOverride;
  /** Said instead of "(optional)" when the field is required only in some cases (e.g. one route). */
  readonly requiredWhen?: string;
}

function requiredFlag(required: boolean, t: Translator, when?: string): SafeHtml {
  const word = required ? t.t('form.required') : (when ?? t.t('form.optional'));
  return html` <span class="field-flag${when && !required ? ' status due_soon' : ' muted'}">(${word})</span>`;
}

/**
 * Fields required only in some cases, with what explains them: the abbreviated route's attestation
 * that the device is identical to the one the reference authorized (guide issue 13 §5).
 */
const CONDITIONAL_FIELDS: Readonly<Record<string, { when: MessageKey; hint: MessageKey }>> = {
  identicalDevice: { when: 'form.requiredAbbreviated', hint: 'form.hintIdenticalDevice' },
};

function autoHint(control: Control, t: Translator): string | undefined {
  switch (control.kind) {
    case 'string':
      return control.control === 'date' ? t.t('form.dateFormat') : control.control === 'datetime' ? DATE_TIME_HINT : undefined;
    case 'lines':
      return t.t('form.onePerLine');
    case 'json':
      return t.t('form.json');
    default:
      return undefined;
  }
}

function hintAndError(id: string, hint: string | undefined, messages: readonly string[]): { describedBy: string | undefined; markup: SafeHtml } {
  const ids: string[] = [];
  let hintHtml: SafeHtml | string = '';
  let errorHtml: SafeHtml | string = '';
  if (hint) {
    ids.push(`${id}--hint`);
    hintHtml = html`<p class="hint" id="${id}--hint">${hint}</p>`;
  }
  if (messages.length > 0) {
    ids.push(`${id}--error`);
    errorHtml = html`<p class="field-error" id="${id}--error">${messages.map((m, i) => (i === 0 ? html`${m}` : html`<br> ${m}`))}</p>`;
  }
  return { describedBy: ids.length ? ids.join(' ') : undefined, markup: html`${hintHtml}${errorHtml}` };
}

function attr(name: string, value: string | number | undefined): SafeHtml {
  return value === undefined ? raw('') : html` ${raw(name)}="${String(value)}"`;
}

function numberAttr(schema: JsonSchema, key: string): number | undefined {
  const v = schema[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `<textarea>` content: a newline right after the start tag, which the parser drops, keeps a leading newline of the value. */
function textareaBody(text: string | undefined): SafeHtml {
  return html`${raw('\n')}${text ?? ''}`;
}

function renderControl(o: FieldOpts, control: Control): SafeHtml {
  const id = controlId(o.idPrefix, o.pointer);
  const messages = messagesFor(o.errors, o.pointer, o.label, control, o.t);
  const invalid = messages.length > 0;
  const hint = o.hint ?? autoHint(control, o.t);
  const { describedBy, markup } = hintAndError(id, hint, messages);
  const common = html`id="${id}" name="${o.name}"${attr('aria-describedby', describedBy)}${invalid ? raw(' aria-invalid="true"') : ''}${flag('required', o.required)}`;
  const label = html`<label for="${id}">${o.label}${requiredFlag(o.required, o.t, o.requiredWhen)}</label>`;
  const value = shown(o.values, o.name);
  const schema = o.schema;
  let input: SafeHtml;
  switch (control.kind) {
    case 'select':
    case 'boolean': {
      const options = control.kind === 'boolean' ? [true, false] : control.options;
      const encoded = control.kind === 'boolean' ? true : control.encoded;
      const current = value !== undefined ? value : 'default' in schema ? encodeOption(schema.default, encoded) : '';
      input = html`<select ${common}><option value="">${o.t.t('form.choose')}</option>${options.map((v) => {
        const enc = encodeOption(v, encoded);
        return html`<option value="${enc}"${flag('selected', enc === current)}>${optionLabel(v, o.t)}</option>`;
      })}</select>`;
      break;
    }
    case 'number': {
      const step = numberAttr(schema, 'multipleOf') ?? (control.integer ? 1 : 'any');
      input = html`<input type="number" inputmode="${control.integer ? 'numeric' : 'decimal'}" ${common}${attr('min', numberAttr(schema, 'minimum'))}${attr('max', numberAttr(schema, 'maximum'))}${attr('step', step)}${attr('value', value)}>`;
      break;
    }
    case 'string': {
      const maxLength = numberAttr(schema, 'maxLength');
      const minLength = numberAttr(schema, 'minLength');
      if (control.control === 'textarea') {
        input = html`<textarea ${common} rows="4"${attr('maxlength', maxLength)}>${textareaBody(value)}</textarea>`;
      } else if (control.control === 'password') {
        // Never refilled: a refused form must not carry the password back into the page.
        input = html`<input type="password" autocomplete="current-password" ${common}${attr('maxlength', maxLength)}>`;
      } else if (control.control === 'date') {
        input = html`<input type="date" ${common}${attr('value', value)}>`;
      } else {
        const spell = control.trim ? raw(' spellcheck="false" autocomplete="off"') : '';
        input = html`<input type="text" ${common}${attr('minlength', minLength)}${attr('maxlength', maxLength)}${spell}${attr('value', value)}>`;
      }
      break;
    }
    case 'lines':
    case 'json': {
      const text = allStrings(own(o.values, o.name)).join('\n');
      const rows = control.kind === 'json' ? 6 : 4;
      const spell = control.kind === 'json' ? raw(' spellcheck="false"') : '';
      input = html`<textarea ${common} rows="${rows}"${spell}>${textareaBody(text || undefined)}</textarea>`;
      break;
    }
    case 'checkboxes':
    case 'object':
      throw new Error('renderControl: group controls are rendered by renderGroup');
  }
  return html`<div class="field${invalid ? ' field--invalid' : ''}">${label}${markup}${input}</div>`;
}

/** An array of enum values as a group of checkboxes in a fieldset. */
function renderCheckboxes(o: FieldOpts, control: Extract<Control, { kind: 'checkboxes' }>): SafeHtml {
  const id = controlId(o.idPrefix, o.pointer);
  const messages = messagesFor(o.errors, o.pointer, o.label, control, o.t);
  const invalid = messages.length > 0;
  const { describedBy, markup } = hintAndError(id, o.hint, messages);
  const checked = new Set(allStrings(own(o.values, o.name)));
  // A form-only schema may name its options (`x-labels`: value → words), e.g. documents by file name.
  const items = o.schema.items;
  const labels = isSchema(items) && isSchema(items['x-labels']) ? items['x-labels'] : undefined;
  const boxes = control.options.map((v, i) => {
    const boxId = i === 0 ? id : `${id}--${i}`;
    const enc = encodeOption(v, control.encoded);
    const label = labels && typeof v === 'string' && typeof labels[v] === 'string' ? labels[v] : optionLabel(v, o.t);
    return html`<div class="checkbox"><label for="${boxId}"><input type="checkbox" id="${boxId}" name="${o.name}" value="${enc}"${flag('checked', checked.has(enc))}${invalid ? raw(' aria-invalid="true"') : ''}> ${label}</label></div>`;
  });
  return html`<fieldset class="field field--checkboxes${invalid ? ' field--invalid' : ''}"${attr('aria-describedby', describedBy)}><legend>${o.label}${requiredFlag(o.required, o.t)}</legend>${markup}${boxes}</fieldset>`;
}

/** A nested object with properties: its fields in a fieldset. */
function renderObject(o: FieldOpts, control: Extract<Control, { kind: 'object' }>): SafeHtml {
  const id = controlId(o.idPrefix, o.pointer);
  const childPointers = Object.keys(control.properties).map((p) => `${o.pointer}/${escapeSegment(p)}`);
  const claimed = (p: string) => childPointers.some((c) => p === c || p.startsWith(`${c}/`));
  const messages = messagesFor(o.errors, o.pointer, o.label, control, o.t, claimed);
  const { describedBy, markup } = hintAndError(id, o.hint, messages);
  return html`<fieldset class="field-group${messages.length ? ' field--invalid' : ''}" id="${id}"${attr('aria-describedby', describedBy)}><legend>${o.label}${requiredFlag(o.required, o.t)}</legend>${markup}${propertyFields(control, o)}</fieldset>`;
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function propertyFields(
  shape: { properties: Readonly<Record<string, JsonSchema>>; required: ReadonlySet<string>; conditional?: ReadonlySet<string> },
  o: { name: string; pointer: string; idPrefix: string; values: FormValues; errors: FieldErrors; t: Translator },
): SafeHtml[] {
  return Object.entries(shape.properties).map(([prop, schema]) =>
    renderField({
      schema,
      name: `${o.name}.${prop}`,
      pointer: `${o.pointer}/${escapeSegment(prop)}`,
      label: o.t.domain('field', prop),
      required: shape.required.has(prop),
      values: o.values,
      errors: o.errors,
      t: o.t,
      idPrefix: o.idPrefix,
      ...(CONDITIONAL_FIELDS[prop] ? { requiredWhen: o.t.t(CONDITIONAL_FIELDS[prop].when), hint: o.t.t(CONDITIONAL_FIELDS[prop].hint) } : {}),
      ...(shape.conditional?.has(prop) ? { requiredWhen: o.t.t('form.requiredUnlessDocuments') } : {}),
    }),
  );
}

/** One labelled control for the given property schema (used for top-level fields too: effectiveAt, comment, signature meaning/password). */
export function renderField(opts: {
  schema: JsonSchema;
  name: string;
  pointer: string;
  label: string;
  required: boolean;
  values: FormValues;
  errors: FieldErrors;
  t: Translator;
  idPrefix: string;
  /** Replaces the automatic hint (date format, one per line, JSON). */
  hint?: string;
  inputType?: 'password' | 'text' | 'date' | 'textarea';
}): SafeHtml {
  const control = classify(opts.schema, opts.name, opts.inputType);
  if (control.kind === 'checkboxes') return renderCheckboxes(opts, control);
  if (control.kind === 'object') return renderObject(opts, control);
  return renderControl(opts, control);
}

/** Controls for every property of an object schema, named `${name}.${prop}` (nested objects: `data.a.b`, rendered in a <fieldset> with <legend>). */
export function renderSchemaFields(
  schema: JsonSchema,
  opts: { name: string; pointer: string; idPrefix: string; values: FormValues; errors: FieldErrors; t: Translator },
): SafeHtml {
  const shape = objectShape(schema);
  if (shape) return html`${propertyFields(shape, opts)}`;
  // A shape the form cannot show field by field: the whole value as JSON.
  return renderControl(
    {
      schema,
      name: opts.name,
      pointer: opts.pointer,
      label: opts.t.domain('field', lastSegment(opts.name)),
      required: true,
      values: opts.values,
      errors: opts.errors,
      t: opts.t,
      idPrefix: opts.idPrefix,
    },
    { kind: 'json' },
  );
}

// ---------------------------------------------------------------------------------------------
// Reading back

const ABSENT = Symbol('absent');
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- names ABSENT as a possible value for the reader
type Read = unknown | typeof ABSENT;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One submitted string as the scalar a control expects; `ABSENT` for an empty field. */
function readScalar(control: Control, text: string): Read {
  switch (control.kind) {
    case 'select':
      if (text === '') return ABSENT;
      return control.encoded ? parseJson(text) : text;
    case 'boolean':
      if (text === '') return ABSENT;
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'number': {
      const s = text.trim();
      if (s === '') return ABSENT;
      if (control.integer ? INTEGER.test(s) : NUMBER.test(s)) {
        const n = Number(s);
        if (Number.isFinite(n)) return n;
      }
      return s;
    }
    case 'string': {
      let s = control.control === 'textarea' ? text.replace(/\r\n?/g, '\n') : text;
      if (control.trim) s = s.trim();
      return s === '' ? ABSENT : s;
    }
    default:
      return text === '' ? ABSENT : text;
  }
}

function readField(control: Control, values: FormValues, name: string): Read {
  const submitted = own(values, name);
  switch (control.kind) {
    case 'object': {
      const out = readObject(control, values, name);
      if (Object.keys(out).length > 0) return out;
      return ABSENT;
    }
    case 'checkboxes': {
      const items = allStrings(submitted)
        .filter((s) => s !== '')
        .map((s) => (control.encoded ? parseJson(s) : s));
      return items.length ? items : ABSENT;
    }
    case 'lines': {
      const items: unknown[] = [];
      for (const text of allStrings(submitted)) {
        for (const line of text.split(/\r\n|\r|\n/)) {
          const item = readScalar(control.item, line.trim());
          if (item !== ABSENT) items.push(item);
        }
      }
      return items.length ? items : ABSENT;
    }
    case 'json': {
      const text = allStrings(submitted).join('\n').trim();
      return text === '' ? ABSENT : parseJson(text);
    }
    default: {
      if (submitted === undefined) return ABSENT;
      if (typeof submitted === 'string') return readScalar(control, submitted);
      // A repeated name for a single-valued field: kept as a list, so ajv reports the type at the pointer.
      const items = submitted.map((s) => readScalar(control, s)).filter((v) => v !== ABSENT);
      return items.length === 0 ? ABSENT : items.length === 1 ? items[0] : items;
    }
  }
}

function readObject(
  shape: { properties: Readonly<Record<string, JsonSchema>>; required: ReadonlySet<string> },
  values: FormValues,
  name: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [prop, schema] of Object.entries(shape.properties)) {
    const fieldName = `${name}.${prop}`;
    const control = classify(schema, fieldName);
    let v = readField(control, values, fieldName);
    // A required nested object left empty: `{}` so ajv names its missing fields one by one.
    if (v === ABSENT && control.kind === 'object' && shape.required.has(prop)) v = {};
    if (v !== ABSENT) Object.defineProperty(out, prop, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The JSON value the schema expects from the submitted form: empty optional fields omitted; integers/numbers/booleans/arrays coerced; a value that does not parse (e.g. "abc" for an integer) is kept as the string so ajv reports the right pointer. */
export function formToJson(schema: JsonSchema, values: FormValues, name: string): Record<string, unknown> {
  const shape = objectShape(schema);
  if (shape) return readObject(shape, values, name);
  const whole = readField({ kind: 'json' }, values, name);
  return isSchema(whole) ? whole : {};
}
