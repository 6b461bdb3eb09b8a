/**
 * The one validator: ajv (draft 2020-12) over every schema in `schemas/` plus the input and
 * event payload schemas the workflow files declare. Compiled once at start-up; failures become
 * `InputError`s listing every problem with its JSON pointer.
 */
import fs from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { WorkflowDefinition } from '../workflows/types.js';
import { InputError, fieldError, fieldMessage, type FieldError } from './errors.js';
import { english, type Message } from './messages/format.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export const SCHEMA_BASE = 'https://puente.dev/schemas/';
const SCHEMA_DIR = new URL('../schemas/', import.meta.url);
/** More than this many errors are summarised: a hostile body must not produce a huge answer. */
const MAX_ERRORS = 50;

/** Every JSON Schema file in `schemas/`, parsed. */
export function loadSchemaFiles(): Record<string, unknown>[] {
  return fs
    .readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(new URL(f, SCHEMA_DIR), 'utf8')) as Record<string, unknown>);
}

/** One JSON pointer segment (RFC 6901: `~` -> `~0`, `/` -> `~1`). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

const LIMIT_CODES: Readonly<Record<string, Message['code']>> = {
  minLength: 'validation.min_length',
  maxLength: 'validation.max_length',
  minItems: 'validation.min_items',
  maxItems: 'validation.max_items',
  minProperties: 'validation.min_properties',
  maxProperties: 'validation.max_properties',
};

/** The catalog message of an ajv error, from its keyword and params. */
function ajvMessage(e: ErrorObject): Message | undefined {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return { code: 'validation.type', params: { types: p.type } };
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties':
      return { code: LIMIT_CODES[e.keyword]!, params: { limit: p.limit } };
    case 'format':
      return { code: 'validation.format', params: { format: p.format } };
    case 'pattern':
      return { code: 'validation.pattern', params: { pattern: p.pattern } };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { code: 'validation.limit', params: { comparison: p.comparison, limit: p.limit } };
    case 'multipleOf':
      return { code: 'validation.multiple_of', params: { multipleOf: p.multipleOf } };
    case 'const':
      return { code: 'validation.const' };
    case 'uniqueItems':
      return { code: 'validation.unique_items', params: { i: p.i, j: p.j } };
    case 'if':
      return { code: 'validation.if', params: { ifClause: p.failingKeyword } };
    case 'oneOf':
      return { code: 'validation.one_of' };
    case 'anyOf':
      return { code: 'validation.any_of' };
    case 'not':
      return { code: 'validation.not' };
    case 'false schema':
      return { code: 'validation.false_schema' };
    case 'propertyNames':
      return { code: 'validation.property_names' };
    case 'contains':
      return p.maxContains === undefined
        ? { code: 'validation.contains_min', params: { min: p.minContains } }
        : { code: 'validation.contains_range', params: { min: p.minContains, max: p.maxContains } };
    case 'dependentRequired':
    case 'dependencies':
      return { code: 'validation.dependent_required', params: { count: p.depsCount, deps: p.deps, property: p.property } };
    default:
      return undefined;
  }
}

function toFieldError(e: ErrorObject, prefix: string): FieldError {
  let path = prefix + e.instancePath;
  let message: Message;
  if (e.keyword === 'required') {
    path += `/${escapePointer(String(e.params.missingProperty))}`;
    message = { code: 'validation.required' };
  } else if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
    path += `/${escapePointer(String(e.params.additionalProperty ?? e.params.unevaluatedProperty))}`;
    message = { code: 'validation.unknown_field' };
  } else if (e.keyword === 'enum') {
    message = { code: 'validation.enum', params: { allowedValues: e.params.allowedValues as unknown[] } };
  } else if (e.message === undefined) {
    message = { code: 'validation.invalid' };
  } else {
    // ajv's own English stays the English: a mapping that would say it otherwise is not used,
    // except a pattern, which the catalog says in words with an example (K261234, not ^K[0-9]{6}$).
    const mapped = ajvMessage(e);
    message = mapped && (english(mapped) === e.message || e.keyword === 'pattern') ? mapped : { code: 'validation.other', params: { message: e.message } };
  }
  return fieldError(path, message);
}

export function toFieldErrors(errors: readonly ErrorObject[], prefix = ''): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  // An `if` error only says that the `then`/`else` branch failed; that branch's own errors name the
  // fields (e.g. a response's missing summary), so the summary line at the parent is left out.
  const specific = errors.some((e) => e.keyword !== 'if');
  for (const e of errors) {
    if (specific && e.keyword === 'if') continue;
    const fe = toFieldError(e, prefix);
    const key = `${fe.path}\u0000${fe.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fe);
    if (out.length === MAX_ERRORS) break;
  }
  return out;
}

/** Deeper JSON than this is refused before anything recurses over it. */
export const MAX_JSON_DEPTH = 64;

/**
 * Checks a parsed JSON body without recursion: nesting depth, and every string and key free of
 * U+0000 (PostgreSQL text cannot hold it) and of lone surrogates (RFC 8785 needs well-formed
 * Unicode, or nobody could recompute the hash chain). Throws an InputError naming the pointer.
 */
export function checkJsonText(body: unknown): void {
  const stack: Array<[unknown, string, number]> = [[body, '', 0]];
  const bad = (s: string) => s.includes('\u0000') || !s.isWellFormed();
  while (stack.length) {
    const [value, path, depth] = stack.pop()!;
    if (typeof value === 'string') {
      if (bad(value)) throw new InputError({ code: 'invalid.string_not_unicode' }, [fieldError(path, { code: 'validation.unicode' })]);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new InputError({ code: 'invalid.too_deep', params: { max: MAX_JSON_DEPTH } }, [
        fieldError(path, { code: 'validation.nesting', params: { max: MAX_JSON_DEPTH } }),
      ]);
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push([v, `${path}/${i}`, depth + 1]));
    } else {
      for (const [k, v] of Object.entries(value)) {
        const p = `${path}/${escapePointer(k)}`;
        if (bad(k)) throw new InputError({ code: 'invalid.key_not_unicode' }, [fieldError(p, { code: 'validation.unicode' })]);
        stack.push([v, p, depth + 1]);
      }
    }
  }
}

export interface Validator {
  /**
   * Throws an InputError when `value` fails the schema; pointers are prefixed with `prefix`.
   * `what` names the value in the detail: an `invalid.*` message (`The request is invalid`).
   */
  check(schemaId: string, value: unknown, prefix?: string, what?: Message): void;
  readonly ajv: Ajv2020;
}

/** The detail of a failed check: the subject (an `invalid.*` message), and the first error with its pointer. */
export function invalidDetail(subject: Message, errors: readonly FieldError[]): Message {
  const first = errors[0];
  if (!first) return subject;
  return { code: 'invalid.first_error', params: { subject, path: first.path || '/', message: fieldMessage(first) } };
}

export function inputSchemaId(w: WorkflowDefinition): string {
  return `${SCHEMA_BASE}workflows/${w.id}/${w.version}/input.json`;
}

export function eventSchemaId(w: WorkflowDefinition, type: string): string {
  return `${SCHEMA_BASE}workflows/${w.id}/${w.version}/events/${type}.json`;
}

/** Builds the validator for the schema files and the given workflows. */
export function createValidator(workflows: readonly WorkflowDefinition[]): Validator {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-unconfirmed' });
  for (const schema of loadSchemaFiles()) ajv.addSchema(schema);
  for (const w of workflows) {
    ajv.addSchema({ ...w.inputSchema, $id: inputSchemaId(w) });
    for (const [type, spec] of Object.entries(w.events)) ajv.addSchema({ ...spec.schema, $id: eventSchemaId(w, type) });
  }
  const compiled = new Map<string, ValidateFunction>();
  const get = (id: string): ValidateFunction => {
    let fn = compiled.get(id);
    if (!fn) {
      fn = ajv.getSchema(id);
      if (!fn) throw new Error(`no schema ${id}`);
      compiled.set(id, fn);
    }
    return fn;
  };
  // Compile everything now so no request pays for it.
  for (const id of Object.keys((ajv as unknown as { schemas: Record<string, unknown> }).schemas)) {
    if (id.startsWith(SCHEMA_BASE)) get(id);
  }
  return {
    ajv,
    check(schemaId, value, prefix = '', what = { code: 'invalid.request' }) {
      const fn = get(schemaId);
      if (!fn(value)) {
        const errors = toFieldErrors(fn.errors ?? [], prefix);
        throw new InputError(invalidDetail(what, errors), errors);
      }
    },
  };
}
