/**
 * The one validator: ajv (draft 2020-12) over every schema in `schemas/` plus the input and
 * event payload schemas the workflow files declare. Compiled once at start-up; failures become
 * `InputError`s listing every problem with its JSON pointer.
 */
import fs from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { WorkflowDefinition } from '../workflows/types.js';
import { InputError, type FieldError } from './errors.js';

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

function toFieldError(e: ErrorObject, prefix: string): FieldError {
  let path = prefix + e.instancePath;
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'required') {
    path += `/${escapePointer(String(e.params.missingProperty))}`;
    message = 'is required';
  } else if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
    path += `/${escapePointer(String(e.params.additionalProperty ?? e.params.unevaluatedProperty))}`;
    message = 'is not a known field';
  } else if (e.keyword === 'enum') {
    message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { path, message };
}

export function toFieldErrors(errors: readonly ErrorObject[], prefix = ''): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
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
      if (bad(value)) throw new InputError('A string holds a NUL character or a lone surrogate', [{ path, message: 'must be well-formed Unicode without U+0000' }]);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) throw new InputError(`The body is nested deeper than ${MAX_JSON_DEPTH} levels`, [{ path, message: `nesting deeper than ${MAX_JSON_DEPTH} levels` }]);
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push([v, `${path}/${i}`, depth + 1]));
    } else {
      for (const [k, v] of Object.entries(value)) {
        const p = `${path}/${escapePointer(k)}`;
        if (bad(k)) throw new InputError('A key holds a NUL character or a lone surrogate', [{ path: p, message: 'must be well-formed Unicode without U+0000' }]);
        stack.push([v, p, depth + 1]);
      }
    }
  }
}

export interface Validator {
  /** Throws an InputError when `value` fails the schema; pointers are prefixed with `prefix`. */
  check(schemaId: string, value: unknown, prefix?: string, what?: string): void;
  readonly ajv: Ajv2020;
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
    check(schemaId, value, prefix = '', what = 'The request') {
      const fn = get(schemaId);
      if (!fn(value)) {
        const errors = toFieldErrors(fn.errors ?? [], prefix);
        const first = errors[0];
        throw new InputError(`${what} is invalid${first ? `: ${first.path || '/'} ${first.message}` : ''}`, errors);
      }
    },
  };
}
