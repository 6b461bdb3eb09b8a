/**
 * The web UI's workflow vocabulary and error translations (issue 7): every word the workflow
 * catalog uses has an English and a Spanish label, and the server's errors — ajv's, as
 * src/validation.ts maps them to codes, and the ones the server code throws — come out in
 * Spanish from the message catalogs (src/messages/, issue 10).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS } from '../../workflows/index.js';
import type { WorkflowDefinition } from '../../workflows/types.js';
import { AppError, InputError, fieldMessage, type FieldError } from '../../src/errors.js';
import { formatMessage, renderMessage, type Message } from '../../src/messages/format.js';
import { createTranslator } from '../../src/web/i18n.js';
import { createValidator, eventSchemaId, inputSchemaId, SCHEMA_BASE } from '../../src/validation.js';
import { domainLabel, type DomainKind } from '../../src/web/messages/domain.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

// ---------------------------------------------------------------------------------------------
// What the catalog uses

type Schema = Record<string, unknown>;

/** Property names and string enum/const values of a JSON Schema, recursively. */
function walkSchema(schema: unknown, fields: Set<string>, values: Set<string>): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const s of schema) walkSchema(s, fields, values);
    return;
  }
  const s = schema as Schema;
  if (Array.isArray(s.enum)) for (const v of s.enum) if (typeof v === 'string') values.add(v);
  if (typeof s.const === 'string') values.add(s.const);
  if (s.properties && typeof s.properties === 'object') {
    for (const [name, sub] of Object.entries(s.properties as Schema)) {
      fields.add(name);
      walkSchema(sub, fields, values);
    }
  }
  for (const key of ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'oneOf', 'anyOf', 'allOf', 'prefixItems', '$defs']) {
    const sub = s[key];
    if (key === '$defs' && sub && typeof sub === 'object') walkSchema(Object.values(sub), fields, values);
    else walkSchema(sub, fields, values);
  }
}

interface StateNode {
  states?: Record<string, StateNode>;
  meta?: { description?: string; deadline?: { kind: string } };
}

function statePaths(node: StateNode, prefix: string, out: Set<string>, deadlines: Set<string>): void {
  for (const [key, child] of Object.entries(node.states ?? {})) {
    const p = prefix ? `${prefix}.${key}` : key;
    out.add(p);
    if (child.meta?.deadline) deadlines.add(child.meta.deadline.kind);
    statePaths(child, p, out, deadlines);
  }
}

interface Vocabulary {
  events: Set<string>;
  states: Set<string>;
  segments: Set<string>;
  fields: Set<string>;
  inputs: Set<string>;
  dossier: Set<string>;
  goals: Set<string>;
  deadlines: Set<string>;
  workflows: Set<string>;
  roles: Set<string>;
}

function vocabularyOf(workflows: readonly WorkflowDefinition[]): Vocabulary {
  const v: Vocabulary = {
    events: new Set(),
    states: new Set(),
    segments: new Set(),
    fields: new Set(),
    inputs: new Set(),
    dossier: new Set(),
    goals: new Set(),
    deadlines: new Set(),
    workflows: new Set(),
    roles: new Set(),
  };
  for (const w of workflows) {
    v.workflows.add(w.id);
    for (const [type, spec] of Object.entries(w.events)) {
      v.events.add(type);
      for (const r of spec.roles) v.roles.add(r);
      walkSchema(spec.schema, v.fields, v.inputs);
    }
    walkSchema(w.inputSchema, v.fields, v.inputs);
    statePaths((w.machine as unknown as { config: StateNode }).config, '', v.states, v.deadlines);
    for (const items of Object.values(w.dossierCatalog ?? {})) for (const item of items) v.dossier.add(item.kind);
    for (const goal of w.goals) v.goals.add(goal.kind);
  }
  for (const p of v.states) for (const seg of p.split('.')) v.segments.add(seg);
  return v;
}

const VOCAB = vocabularyOf(WORKFLOWS);

/** History rows every workflow writes besides its own events (src/engine/clocks.ts BOOKKEEPING_EVENTS). */
const BOOKKEEPING = ['CREATED', 'DOCUMENT_ADDED', 'MIGRATED', 'GOAL_MISSED', 'MMD_DUE', 'REFERENCE_INVALIDATED'];
/** Device fields (schemas/device.json) and the fields of the commands the forms send. */
const DEVICE_FIELDS = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/device.json'), 'utf8')) as { properties: Schema }).properties);
const COMMAND_FIELDS = [
  'type',
  'effectiveAt',
  'comment',
  'signature',
  'meaning',
  'password',
  'title',
  'workflow',
  'organization',
  'device',
  'input',
  'data',
  'currentPassword',
  'newPassword',
];

/**
 * The fallback `domainLabel` gives an unknown id (kept identical to the module's; the test
 * "falls back to a humanized id" pins the two together on samples).
 */
function humanize(id: string): string {
  const shouting = !/[a-z]/.test(id);
  const words = id
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.\-/]+/)
    .filter((w) => w.length > 0)
    .map((w) => (!shouting && w.length > 1 && w === w.toUpperCase() ? w : w.toLowerCase()));
  const text = words.join(' ');
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : id;
}

/** Ids of `kind` that have no explicit entry: both languages give the fallback. */
function unlabelled(kind: DomainKind, ids: Iterable<string>): string[] {
  return [...ids].filter((id) => {
    const fallback = humanize(id);
    return domainLabel('en', kind, id) === fallback && domainLabel('es', kind, id) === fallback;
  });
}

/** Share of ids whose Spanish label differs from the English one. */
function translatedShare(kind: DomainKind, ids: Iterable<string>): number {
  const list = [...ids];
  return list.filter((id) => domainLabel('es', kind, id) !== domainLabel('en', kind, id)).length / list.length;
}

describe('domainLabel: every word of the workflow catalog has an English and a Spanish label', () => {
  it('walks a catalog of the expected size (guards the walker itself)', () => {
    expect(VOCAB.events.size).toBeGreaterThan(80);
    expect(VOCAB.states.size).toBeGreaterThan(60);
    expect(VOCAB.fields.size).toBeGreaterThan(45);
    expect(VOCAB.dossier.size).toBeGreaterThan(20);
    expect(VOCAB.goals.size).toBeGreaterThan(15);
    expect(VOCAB.deadlines.size).toBeGreaterThan(10);
  });

  it('falls back to a humanized id, never throws', () => {
    expect(domainLabel('en', 'event', 'SOME_EVENT')).toBe('Some event');
    expect(domainLabel('es', 'event', 'SOME_EVENT')).toBe('Some event');
    expect(domainLabel('en', 'field', 'camelCase')).toBe('Camel case');
    expect(domainLabel('en', 'dossier', 'kebab-case-kind')).toBe('Kebab case kind');
    expect(domainLabel('en', 'state', 'nowhere.deeper')).toBe('Nowhere › Deeper');
    expect(domainLabel('es', 'goal', '')).toBe('');
    expect(domainLabel('es', 'input', 'toString')).toBe('To string');
    expect(domainLabel('es', 'field', '__proto__')).toBe('Proto');
    for (const id of ['SOME_EVENT', 'camelCase', 'kebab-case-kind', 'udiDI', 'x', 'ABC_DEF_1', 'fooBARBaz']) {
      expect(domainLabel('en', 'event', `ZZ_${id}`)).toBe(humanize(`ZZ_${id}`));
      expect(domainLabel('es', 'field', `zz${id}`)).toBe(humanize(`zz${id}`));
    }
  });

  it('labels every event type of every workflow version, and the bookkeeping rows', () => {
    expect(unlabelled('event', [...VOCAB.events, ...BOOKKEEPING])).toEqual([]);
    expect(translatedShare('event', [...VOCAB.events, ...BOOKKEEPING])).toBeGreaterThan(0.95);
    expect(domainLabel('en', 'event', 'SUBMIT')).toBe('Submit');
    expect(domainLabel('es', 'event', 'SUBMIT')).toBe('Presentar');
    expect(domainLabel('en', 'event', 'REQUEST_AI')).toBe('Request additional information (AI hold)');
    expect(domainLabel('es', 'event', 'REQUEST_AI')).toBe('Solicitar información adicional (AI hold)');
    expect(domainLabel('en', 'event', 'DECIDE_SE')).toBe('Decide: substantially equivalent');
  });

  it('labels every state node at every level, and joins a path with ›', () => {
    expect(unlabelled('state', VOCAB.segments)).toEqual([]);
    expect(translatedShare('state', VOCAB.segments)).toBeGreaterThan(0.95);
    for (const p of VOCAB.states) {
      for (const lang of ['en', 'es'] as const) {
        expect(domainLabel(lang, 'state', p)).toBe(
          p
            .split('.')
            .map((s) => domainLabel(lang, 'state', s))
            .join(' › '),
        );
      }
    }
    expect(domainLabel('en', 'state', 'review.substantive')).toBe('Review › Substantive');
    expect(domainLabel('es', 'state', 'review.substantive')).toBe('Revisión › Sustantiva');
    expect(domainLabel('es', 'state', 'closed.desechado')).toBe('Cerrado › Desechado (prevención sin desahogar)');
  });

  it('labels every payload, input, device and command field', () => {
    const fields = [...VOCAB.fields, ...DEVICE_FIELDS, ...COMMAND_FIELDS];
    expect(unlabelled('field', fields)).toEqual([]);
    expect(translatedShare('field', fields)).toBeGreaterThan(0.9);
    expect(domainLabel('es', 'field', '/data/deficiencies/0')).toBe(domainLabel('es', 'field', 'deficiencies'));
  });

  it('labels every dossier kind, goal kind and deadline kind', () => {
    expect(unlabelled('dossier', VOCAB.dossier)).toEqual([]);
    expect(unlabelled('goal', VOCAB.goals)).toEqual([]);
    expect(unlabelled('deadline', VOCAB.deadlines)).toEqual([]);
    expect(translatedShare('dossier', VOCAB.dossier)).toBeGreaterThan(0.95);
    expect(translatedShare('goal', VOCAB.goals)).toBeGreaterThan(0.9);
    expect(translatedShare('deadline', VOCAB.deadlines)).toBeGreaterThan(0.9);
  });

  it('labels every enum value of the inputs and payloads', () => {
    expect(unlabelled('input', VOCAB.inputs)).toEqual([]);
    expect(translatedShare('input', VOCAB.inputs)).toBeGreaterThan(0.6);
    expect(domainLabel('es', 'input', 'third-party')).toBe('Tercero autorizado');
  });

  it('labels workflows, roles, meanings, statuses, jurisdictions and goal statuses', () => {
    expect(unlabelled('workflow', VOCAB.workflows)).toEqual([]);
    expect(domainLabel('en', 'workflow', 'fda-510k')).toBe('FDA 510(k)');
    expect(domainLabel('es', 'workflow', 'fda-510k')).toBe('510(k) de la FDA');
    expect(domainLabel('es', 'workflow', 'cofepris-registration')).toBe('Registro sanitario COFEPRIS');
    const sameInBothLanguages = new Set(['role:fda', 'role:cofepris', 'role:auditor']);
    const fixed: Array<[DomainKind, string[]]> = [
      ['role', ['manufacturer', 'fda', 'cofepris', 'auditor', 'admin', 'system', ...VOCAB.roles]],
      ['meaning', ['approval', 'review', 'responsibility', 'authorship']],
      ['status', ['active', 'completed', 'closed']],
      ['jurisdiction', ['FDA', 'COFEPRIS']],
      ['goalStatus', ['on_track', 'due_soon', 'met', 'missed', 'paused']],
    ];
    for (const [kind, ids] of fixed) {
      for (const id of ids) {
        const en = domainLabel('en', kind, id);
        const es = domainLabel('es', kind, id);
        expect(en, `${kind}:${id}`).not.toBe('');
        if (!sameInBothLanguages.has(`${kind}:${id}`)) expect(es, `${kind}:${id} es`).not.toBe(en);
      }
    }
    expect(domainLabel('es', 'meaning', 'approval')).toBe('Aprobación');
  });
});

// ---------------------------------------------------------------------------------------------
// Field messages from real ajv failures

const validator = createValidator(WORKFLOWS);
const version = (id: string, v: number) => {
  const w = WORKFLOWS.find((x) => x.id === id && x.version === v);
  if (!w) throw new Error(`no ${id}@${v}`);
  return w;
};

/** The InputError `check` throws for `value` (fails the test when it passes). */
function failure(schemaId: string, value: unknown, prefix = '', what?: Message): InputError {
  try {
    validator.check(schemaId, value, prefix, what);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error(`${schemaId} accepted ${JSON.stringify(value)}`);
}

/** English words that must not survive a translation. */
const ENGLISH = /\b(must|required|should|have|match|NOT|is|are|be|not|known|field|fewer|more than|characters|items)\b/;

const es = createTranslator('es');
const en = createTranslator('en');

function expectSpanish(fe: FieldError): void {
  expect(fe.code, fe.message).toBeDefined();
  const text = es.fieldError(fe);
  expect(text, fe.message).not.toBe(fe.message);
  expect(text.replace(/"[^"]*"|«[^»]*»/g, ''), `${fe.message} -> ${text}`).not.toMatch(ENGLISH);
  expect(en.fieldError(fe)).toBe(fe.message);
}

describe('field messages: ajv failures of real schemas', () => {
  const w510k = version('fda-510k', 3);
  const cofepris = version('cofepris-registration', 4);
  const cases: Array<[string, string, unknown]> = [
    ['DECIDE_SE missing required', eventSchemaId(w510k, 'DECIDE_SE'), {}],
    ['DECIDE_SE bad pattern, bad date, unknown field', eventSchemaId(w510k, 'DECIDE_SE'), { kNumber: 'X12', decisionDate: '2026-02-30x', extra: 1 }],
    ['DECIDE_SE wrong types', eventSchemaId(w510k, 'DECIDE_SE'), { kNumber: 12, decisionDate: false }],
    ['REQUEST_AI empty list', eventSchemaId(w510k, 'REQUEST_AI'), { deficiencies: [] }],
    ['REQUEST_AI empty and too long items', eventSchemaId(w510k, 'REQUEST_AI'), { deficiencies: ['', 'x'.repeat(4001), 7] }],
    ['REQUEST_AI too many items', eventSchemaId(w510k, 'REQUEST_AI'), { deficiencies: Array.from({ length: 201 }, () => 'x') }],
    ['data not an object', eventSchemaId(w510k, 'SCREEN_FAIL'), []],
    ['510(k) input bad enums', inputSchemaId(w510k), { format: 'paper', variant: 'express' }],
    ['HDE population below minimum', eventSchemaId(version('fda-hde', 3), 'REQUEST_HUD'), { estimatedAnnualPopulation: 0 }],
    ['HDE population not an integer', eventSchemaId(version('fda-hde', 3), 'REQUEST_HUD'), { estimatedAnnualPopulation: 1.5 }],
    ['HDE population above maximum', eventSchemaId(version('fda-hde', 3), 'REQUEST_HUD'), { estimatedAnnualPopulation: 1e12 }],
    ['PMA boolean', eventSchemaId(version('fda-pma', 3), 'REFER_TO_PANEL'), { requestedBySponsor: 'yes' }],
    ['Pre-Sub meeting format', eventSchemaId(version('fda-presub', 3), 'SCHEDULE_MEETING'), { meetingDate: '5 May', format: 'zoom' }],
    [
      'Breakthrough uuid, duplicate criteria',
      eventSchemaId(version('fda-breakthrough', 3), 'GRANT'),
      { secondaryCriteria: ['breakthroughTechnology', 'breakthroughTechnology'] },
    ],
    ['Breakthrough link uuid', eventSchemaId(version('fda-breakthrough', 3), 'LINK_SUBMISSION'), { submissionId: 'not-a-uuid' }],
    ['COFEPRIS modification kind', eventSchemaId(cofepris, 'SUBMIT_MODIFICATION'), { kind: 'cosmetic', description: '' }],
    ['COFEPRIS abbreviated without reference', inputSchemaId(cofepris), { route: 'abbreviated', identicalDevice: false }],
    ['COFEPRIS standard with reference', inputSchemaId(cofepris), { route: 'standard', reference: { submissionId: 'x' } }],
    [
      'COFEPRIS bad external reference',
      inputSchemaId(cofepris),
      { route: 'equivalence', reference: { agency: 'FDA', number: 'Z1', decisionDate: '2024-01-01', decision: 'approved', deviceClass: 'IV', unknown: 1 } },
    ],
    [
      'COFEPRIS other agency',
      inputSchemaId(cofepris),
      { route: 'abbreviated', identicalDevice: true, reference: { agency: 'PMDA', number: ' ', decisionDate: '2024-01-01', decision: 'SE', deviceClass: '2' } },
    ],
    [
      'send-event body',
      `${SCHEMA_BASE}send-event.json`,
      { type: 'submit', comment: '', effectiveAt: 'x'.repeat(41), signature: { meaning: 'consent' }, data: 'x' },
    ],
    [
      'create-submission body',
      `${SCHEMA_BASE}create-submission.json`,
      { workflow: '', title: 'x'.repeat(501), device: { name: '', productCode: 'lox', udiDi: 'has space' } },
    ],
    ['change-password body', `${SCHEMA_BASE}change-password.json`, { currentPassword: '' }],
  ];

  it.each(cases)('%s: every field message translates', (_name, schemaId, value) => {
    const e = failure(schemaId, value, '/data', { code: 'invalid.event_data', params: { event: 'DECIDE_SE' } });
    expect(e.errors.length).toBeGreaterThan(0);
    for (const fe of e.errors) expectSpanish(fe);
    const detail = es.errorDetail(e);
    expect(detail).toMatch(/^Los datos de «Decidir: sustancialmente equivalente» no son válidos: \/data\S* /);
    expect(detail.replace(/"[^"]*"|«[^»]*»/g, '')).not.toMatch(ENGLISH);
    expect(en.errorDetail(e)).toBe(e.message);
  });

  it('translates every message a generic bad payload draws from every event and input schema', () => {
    const errors = new Map<string, FieldError>();
    const bad = (schema: Schema): unknown[] => {
      const out: unknown[] = [null, [], 'x', { 'unknown field': 1 }, {}];
      for (const [name, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        for (const v of [12.5, -1, 'x', '', ' ', 'x'.repeat(5000), true, [], [1], ['', ''], {}, null, '2026-13-45']) out.push({ [name]: v });
        if (Array.isArray(sub.enum)) out.push({ [name]: `${String(sub.enum[0])}-nope` });
      }
      return out;
    };
    for (const w of WORKFLOWS) {
      const ids: Array<[string, Schema]> = [
        [inputSchemaId(w), w.inputSchema],
        ...Object.entries(w.events).map(([t, s]) => [eventSchemaId(w, t), s.schema] as [string, Schema]),
      ];
      for (const [id, schema] of ids) {
        for (const value of bad(schema)) {
          try {
            validator.check(id, value);
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            for (const fe of e.errors) errors.set(fe.message, fe);
          }
        }
      }
    }
    expect(errors.size).toBeGreaterThan(15);
    for (const fe of errors.values()) expectSpanish(fe);
  });

  it('carries numbers and quoted values over', () => {
    const cases: Array<[Message, string, string]> = [
      [{ code: 'validation.max_length', params: { limit: 200 } }, 'must NOT have more than 200 characters', 'debe tener como máximo 200 caracteres'],
      [{ code: 'validation.min_length', params: { limit: 1 } }, 'must NOT have fewer than 1 characters', 'no debe estar vacío'],
      [{ code: 'validation.min_length', params: { limit: 3 } }, 'must NOT have fewer than 3 characters', 'debe tener al menos 3 caracteres'],
      [{ code: 'validation.min_items', params: { limit: 1 } }, 'must NOT have fewer than 1 items', 'debe tener al menos un elemento'],
      [{ code: 'validation.enum', params: { allowedValues: ['eSTAR', 'eCopy'] } }, 'must be one of "eSTAR", "eCopy"', 'debe ser uno de: "eSTAR", "eCopy"'],
      [
        { code: 'validation.enum', params: { allowedValues: ['standard', 'zoom'] } },
        'must be one of "standard", "zoom"',
        'debe ser uno de: «Ordinaria» ("standard"), "zoom"',
      ],
      [{ code: 'validation.one_of_list', params: { values: ['SUBMIT', 'WITHDRAW'] } }, 'must be one of SUBMIT, WITHDRAW', 'debe ser uno de: SUBMIT, WITHDRAW'],
      [{ code: 'validation.format', params: { format: 'date' } }, 'must match format "date"', 'debe ser una fecha válida AAAA-MM-DD'],
      [
        { code: 'validation.pattern', params: { pattern: '^K[0-9]{6}$' } },
        'must be a K number: K and 6 digits, e.g. K261234',
        'debe ser un número K: la letra K y 6 dígitos (p. ej., K261234)',
      ],
      [{ code: 'validation.pattern', params: { pattern: '^X+$' } }, 'must match pattern "^X+$"', 'debe coincidir con el patrón «^X+$»'],
      [{ code: 'validation.limit', params: { comparison: '>=', limit: 0 } }, 'must be >= 0', 'debe ser mayor o igual que 0'],
      [{ code: 'validation.type', params: { types: 'integer' } }, 'must be integer', 'debe ser un número entero'],
      [{ code: 'validation.type', params: { types: ['object', 'null'] } }, 'must be object,null', 'debe ser un objeto o nulo'],
      [{ code: 'validation.required' }, 'is required', 'es obligatorio'],
      [{ code: 'validation.unknown_field' }, 'is not a known field', 'no es un campo reconocido'],
      [{ code: 'password.min_length', params: { min: 12 } }, 'must have at least 12 characters', 'debe tener al menos 12 caracteres'],
      [
        { code: 'password.classes', params: { min: 3 } },
        'must mix at least 3 of: lowercase letters, uppercase letters, digits, other characters',
        'debe combinar al menos 3 de: minúsculas, mayúsculas, dígitos, otros caracteres',
      ],
      [
        { code: 'engine.before_previous', params: { previous: '2026-03-01T06:00:00.000Z' } },
        'must not be before the previous regulatory event (2026-03-01T06:00:00.000Z)',
        'no debe ser anterior al evento regulatorio previo (2026-03-01T06:00:00.000Z)',
      ],
      [
        { code: 'validation.other', params: { message: 'something the server never said' } },
        'something the server never said',
        'something the server never said',
      ],
    ];
    for (const [m, english, spanish] of cases) {
      expect(renderMessage(m, 'en')).toBe(english);
      expect(renderMessage(m, 'es')).toBe(spanish);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Literal English left in the server code

/**
 * Reads the string or template literal starting at `src[i]` (a quote or backtick); each `${…}`
 * becomes `7`. Returns the text and the index after the literal.
 */
function readLiteral(src: string, i: number): [string, number] {
  const quote = src[i];
  let out = '';
  let j = i + 1;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '\\') {
      out += src[j + 1] ?? '';
      j += 2;
    } else if (c === quote) {
      return [out, j + 1];
    } else if (quote === '`' && c === '$' && src[j + 1] === '{') {
      let depth = 1;
      j += 2;
      while (j < src.length && depth > 0) {
        const d = src[j]!;
        if (d === '`' || d === "'" || d === '"') j = readLiteral(src, j)[1];
        else {
          if (d === '{') depth++;
          if (d === '}') depth--;
          j++;
        }
      }
      out += '7';
    } else {
      out += c;
      j++;
    }
  }
  return [out, j];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return ['cli', 'generated'].includes(e.name) ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Literals following `marker` in the server sources (skips non-literal arguments). */
function literalsAfter(marker: RegExp): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const file of sourceFiles(path.join(ROOT, 'src'))) {
    const src = fs.readFileSync(file, 'utf8');
    for (const m of src.matchAll(marker)) {
      const at = (m.index ?? 0) + m[0].length;
      if (!['"', "'", '`'].includes(src[at] ?? '')) continue;
      out.push({ file: path.relative(ROOT, file), text: readLiteral(src, at)[0] });
    }
  }
  return out;
}

describe('errors of the server code are catalog codes', () => {
  it('no literal field message (`message: …`) anywhere in src/', () => {
    const found = literalsAfter(/\{ path[^}]*?, message: /g);
    expect(found).toEqual([]);
  });

  it('no literal error detail thrown anywhere in src/', () => {
    const found = [
      ...literalsAfter(
        /new (?:InputError|NotFoundError|ForbiddenError|UnauthenticatedError|EventNotAllowedError|SignatureInvalidError|SigningLockedError|LogRangeError)\(\s*/g,
      ),
      ...literalsAfter(/new (?:AppError|SignInError)\('[a-z_]+',\s*/g),
      ...literalsAfter(/return \['[a-z_]+', /g), // body-parser failures (http/error-handler.ts)
      ...literalsAfter(/sendProblem\(res, [^,]+, /g),
    ];
    expect(found).toEqual([]);
  });

  const ID = '01966a3e-8c1f-7d2a-9b3c-4d5e6f708192';
  const refused = (event: string, state: string, ...reasons: Message[]): Message => ({ code: 'refusal.refused', params: { event, state, reasons } });
  const DETAILS: Array<[Message, string, string]> = [
    [
      { code: 'error.version_mismatch', params: { expected: 6, current: 7 } },
      `If-Match names version 6 but the submission is at version 7`,
      'If-Match indica la versión 6, pero el trámite está en la versión 7',
    ],
    [
      { code: 'refusal.not_allowed', params: { event: 'DECIDE_SE', state: 'aiHold', workflow: 'fda-510k' } },
      `DECIDE_SE is not allowed in state aiHold of fda-510k`,
      '«Decidir: sustancialmente equivalente» no está permitido en el estado «En espera de información adicional (AI)» de «510(k) de la FDA»',
    ],
    [
      { code: 'refusal.not_allowed', params: { event: 'SUBMIT', state: 'review.substantive', workflow: 'fda-510k' } },
      `SUBMIT is not allowed in state review.substantive of fda-510k`,
      '«Presentar» no está permitido en el estado «Revisión › Sustantiva» de «510(k) de la FDA»',
    ],
    [
      { code: 'engine.roles_only', params: { event: 'DECIDE_SE', roles: ['fda'], role: 'manufacturer' } },
      `DECIDE_SE may be sent by only fda, not by role manufacturer`,
      '«Decidir: sustancialmente equivalente» solo lo puede registrar: FDA; no el rol «Fabricante»',
    ],
    [
      { code: 'engine.system_only', params: { event: 'AI_TIMEOUT', role: 'fda' } },
      `AI_TIMEOUT may be sent by only puente itself (the system actor), not by role fda`,
      '«Venció el plazo de respuesta a la información adicional» solo lo registra puente mismo (el actor del sistema), no el rol «FDA»',
    ],
    [
      { code: 'signature.wrong', params: { failures: 2, max: 5 } },
      `The password is wrong (2 of 5 consecutive failures before signing is locked)`,
      'La contraseña es incorrecta (2 de 5 fallas consecutivas antes de que se bloquee la firma)',
    ],
    [
      { code: 'signature.wrong_now_locked', params: { failures: 5 } },
      `The password is wrong; after 5 consecutive wrong passwords signing is now locked until an administrator unlocks it`,
      'La contraseña es incorrecta; tras 5 contraseñas incorrectas consecutivas, la firma queda bloqueada hasta que un administrador la desbloquee',
    ],
    [
      { code: 'signature.locked_after_failures', params: { since: '2026-05-01T10:00:00.000Z', failures: 5 } },
      `Signing is locked for this user since 2026-05-01T10:00:00.000Z after 5 consecutive wrong passwords; an administrator must unlock it`,
      'La firma está bloqueada para este usuario desde 2026-05-01T10:00:00.000Z, tras 5 contraseñas incorrectas consecutivas; un administrador debe desbloquearla',
    ],
    [
      {
        code: 'invalid.first_error',
        params: { subject: { code: 'invalid.event_data', params: { event: 'DECIDE_SE' } }, path: '/data/kNumber', message: { code: 'validation.required' } },
      },
      `The data of DECIDE_SE is invalid: /data/kNumber is required`,
      'Los datos de «Decidir: sustancialmente equivalente» no son válidos: /data/kNumber es obligatorio',
    ],
    [
      {
        code: 'invalid.first_error',
        params: {
          subject: { code: 'invalid.input', params: { workflow: 'cofepris-registration' } },
          path: '/input/route',
          message: { code: 'validation.enum', params: { allowedValues: ['standard', 'third-party', 'equivalence', 'abbreviated'] } },
        },
      },
      `The input of cofepris-registration is invalid: /input/route must be one of "standard", "third-party", "equivalence", "abbreviated"`,
      'Los datos de entrada de «Registro sanitario COFEPRIS» no son válidos: /input/route debe ser uno de: «Ordinaria» ("standard"), «Tercero autorizado» ("third-party"), «Equivalencia (acuerdos)» ("equivalence"), «Abreviada» ("abbreviated")',
    ],
    [
      {
        code: 'invalid.first_error',
        params: { subject: { code: 'invalid.request' }, path: '/title', message: { code: 'validation.max_length', params: { limit: 500 } } },
      },
      `The request is invalid: /title must NOT have more than 500 characters`,
      'La solicitud no es válida: /title debe tener como máximo 500 caracteres',
    ],
    [{ code: 'invalid.request' }, `The request is invalid`, 'La solicitud no es válida'],
    [
      refused('SUBMIT', 'preparing', { code: 'refusal.dossier_incomplete', params: { kinds: ['fee-receipt', 'label-ifu-es'] } }),
      `SUBMIT is refused in state preparing: the dossier is incomplete; missing: fee-receipt, label-ifu-es`,
      '«Presentar» se rechaza en el estado «Integración del expediente»: el expediente está incompleto; faltan: «Comprobante de pago de derechos (LFD art. 195-A)», «Proyecto de etiqueta en español e instructivo de uso (NOM-137-SSA1-2008)»',
    ],
    [
      refused(
        'SUBMIT',
        'preparing',
        { code: 'refusal.abbreviated_not_yet', params: { start: '2025-07-18', onDate: '2025-07-01' } },
        { code: 'refusal.dossier_incomplete', params: { kinds: ['apostille'] } },
        {
          code: 'refusal.reference_not_favourable',
          params: {
            reference: { code: 'reference.tracked', params: { number: 'K261234', workflowId: 'fda-510k', id: ID } },
            agency: 'FDA',
            referenceStatus: { code: 'reference.in_state', params: { state: 'review.substantive' } },
          },
        },
      ),
      `SUBMIT is refused in state preparing: the abbreviated route applies to applications from 2025-07-18; this one is dated 2025-07-01; the dossier is incomplete; missing: apostille; the reference K261234 (fda-510k ${ID}) has no favourable FDA decision (it is in state review.substantive)`,
      '«Presentar» se rechaza en el estado «Integración del expediente»: la vía abreviada se aplica a solicitudes a partir del 2025-07-18; esta tiene fecha 2025-07-01; ' +
        'el expediente está incompleto; faltan: «Apostilla de la autorización de referencia (NO CONFIRMADO para dispositivos)»; ' +
        `la referencia K261234 (fda-510k ${ID}) no tiene una decisión favorable de FDA (está en el estado «Revisión › Sustantiva»)`,
    ],
    [
      refused('SUBMIT', 'preparing', {
        code: 'refusal.reference_too_old',
        params: {
          reference: { code: 'reference.external', params: { number: 'K123456', agency: 'FDA' } },
          decisionDate: '2019-01-01',
          years: 5,
          onDate: '2026-03-01',
        },
      }),
      `SUBMIT is refused in state preparing: the reference K123456 (external FDA decision) was decided on 2019-01-01, more than 5 years before 2026-03-01`,
      '«Presentar» se rechaza en el estado «Integración del expediente»: la referencia K123456 (decisión externa de FDA) se resolvió el 2019-01-01, más de 5 años antes del 2026-03-01',
    ],
    [
      refused('SUBMIT', 'preparing', {
        code: 'refusal.reference_letter_missing',
        params: { reference: { code: 'reference.external', params: { number: 'K123456', agency: 'FDA' } }, kind: 'fda-decision-letter' },
      }),
      `SUBMIT is refused in state preparing: the external reference K123456 (external FDA decision) must be backed by an uploaded document of kind fda-decision-letter`,
      '«Presentar» se rechaza en el estado «Integración del expediente»: la referencia externa K123456 (decisión externa de FDA) debe respaldarse con un documento cargado del tipo «Carta de la FDA que acredita la autorización o aprobación en que se apoya»',
    ],
    [
      refused('SUBMIT', 'preparing', {
        code: 'refusal.reference_not_favourable',
        params: { reference: { code: 'reference.submission', params: { id: ID } }, agency: 'FDA', referenceStatus: { code: 'reference.does_not_exist' } },
      }),
      `SUBMIT is refused in state preparing: the reference submission ${ID} has no favourable FDA decision (it does not exist)`,
      `«Presentar» se rechaza en el estado «Integración del expediente»: la referencia trámite ${ID} no tiene una decisión favorable de FDA (no existe)`,
    ],
    [
      refused('SUBMIT', 'preparing', {
        code: 'refusal.equivalence_class',
        params: { agency: 'HealthCanada', classes: ['II', 'III', 'IV'], referenceClass: 'I' },
      }),
      `SUBMIT is refused in state preparing: the equivalence acuerdos recognise HealthCanada devices of class II, III, IV only; the reference is class I`,
      '«Presentar» se rechaza en el estado «Integración del expediente»: los acuerdos de equivalencia solo reconocen dispositivos de HealthCanada de clase II, III, IV; la referencia es de clase I',
    ],
    [
      refused('SUBMIT', 'preparing', { code: 'refusal.tpr_report_first', params: { sendEvent: 'SEND_TO_TPR', reportEvent: 'TPR_FAVORABLE_REPORT' } }),
      `SUBMIT is refused in state preparing: on the third-party route the authorized third party's favourable report comes first (SEND_TO_TPR, then TPR_FAVORABLE_REPORT)`,
      '«Presentar» se rechaza en el estado «Integración del expediente»: en la vía de tercero autorizado primero se requiere el informe favorable del tercero («Enviar al tercero autorizado», luego «Registrar el informe técnico favorable (ITF)»)',
    ],
    [
      refused('SUBMIT_PRORROGA', 'registered.renewalDue', { code: 'refusal.registration_expired', params: { date: '2026-04-01' } }),
      `SUBMIT_PRORROGA is refused in state registered.renewalDue: the registration expired on 2026-04-01; a prórroga must be filed before that date (LGS art. 376)`,
      '«Solicitar prórroga» se rechaza en el estado «Registrado › Periodo de prórroga abierto»: el registro sanitario venció el 2026-04-01; la prórroga debe solicitarse antes de esa fecha (LGS art. 376)',
    ],
    [
      refused('REQUEST_HUD', 'draft', { code: 'refusal.hud_population_limit', params: { limit: 8000, estimate: 9000 } }),
      `REQUEST_HUD is refused in state draft: a HUD serves at most 8000 individuals in the US per year (21st Century Cures Act §3052); this request estimates 9000`,
      '«Solicitar la designación HUD» se rechaza en el estado «Borrador»: un HUD atiende como máximo a 8000 personas al año en EE. UU. (21st Century Cures Act §3052); esta solicitud estima 9000',
    ],
    [
      refused('LINK_SUBMISSION', 'designated', {
        code: 'refusal.link_workflow',
        params: { submission: ID, workflow: 'fda-hde', linkable: ['fda-510k', 'fda-de-novo', 'fda-pma'] },
      }),
      `LINK_SUBMISSION is refused in state designated: submission ${ID} is a fda-hde submission; only fda-510k, fda-de-novo, fda-pma submissions can be prioritized`,
      `«Vincular un trámite de comercialización» se rechaza en el estado «Designado»: el trámite ${ID} es de la vía «Exención para dispositivos humanitarios (HDE) de la FDA»; solo pueden priorizarse trámites fda-510k, fda-de-novo, fda-pma`,
    ],
    [
      refused('SCHEDULE_MEETING', 'accepted', { code: 'refusal.no_meeting_requested' }),
      `SCHEDULE_MEETING is refused in state accepted: the sponsor did not request a meeting (input meetingRequested is false)`,
      '«Programar la reunión» se rechaza en el estado «Aceptado»: el patrocinador no solicitó una reunión (el dato meetingRequested es falso)',
    ],
    [
      refused('SEND_TO_TPR', 'preparing', { code: 'refusal.tpr_wrong_route', params: { event: 'SEND_TO_TPR', route: 'standard' } }),
      `SEND_TO_TPR is refused in state preparing: SEND_TO_TPR is for the third-party route; this registration is on the standard route`,
      '«Enviar al tercero autorizado» se rechaza en el estado «Integración del expediente»: «Enviar al tercero autorizado» es para la vía de tercero autorizado; este registro va por la vía ordinaria',
    ],
    [{ code: 'engine.effective_at_future' }, 'effectiveAt is in the future', 'La fecha efectiva (effectiveAt) está en el futuro'],
    [
      { code: 'engine.effective_at_before_previous' },
      'effectiveAt is before the previous regulatory event',
      'La fecha efectiva (effectiveAt) es anterior al evento regulatorio previo',
    ],
    [
      { code: 'engine.must_sign', params: { event: 'DECIDE_SE' } },
      `DECIDE_SE must be signed: send signature { meaning, password } (21 CFR 11.50, 11.200)`,
      '«Decidir: sustancialmente equivalente» requiere firma electrónica: indique su significado y su contraseña (21 CFR 11.50, 11.200)',
    ],
    [{ code: 'engine.no_submission', params: { id: ID } }, `No submission ${ID}`, `No existe el trámite ${ID}`],
    [{ code: 'error.not_found' }, 'Not found', 'No encontrado'],
    [
      { code: 'engine.only_manufacturers_create', params: { role: 'fda' } },
      `Only manufacturers create submissions, not role fda`,
      'Solo los fabricantes crean trámites, no el rol «FDA»',
    ],
    [
      { code: 'engine.documents_forbidden', params: { role: 'auditor' } },
      `Role auditor may not add documents to this submission`,
      'El rol «Auditor» no puede agregar documentos a este trámite',
    ],
    [
      { code: 'engine.contended', params: { attempts: 4 } },
      `The submission changed 4 times while this command ran; read it again and retry`,
      'El trámite cambió 4 veces mientras se ejecutaba esta acción; vuelva a cargarlo e intente de nuevo',
    ],
    [
      { code: 'engine.unknown_event', params: { type: 'DECIDE_GRANT', workflow: 'fda-510k', version: 3 } },
      `Unknown event DECIDE_GRANT for fda-510k@3`,
      'El paso DECIDE_GRANT no existe en «510(k) de la FDA» (versión 3)',
    ],
    [
      {
        code: 'classification.pma_only',
        params: { product: 'LOX (Catheters, Transluminal Coronary Angioplasty, Percutaneous)', classification: 'class III (21 CFR 870.5100)' },
      },
      'A 510(k) cannot be used for product code LOX (Catheters, Transluminal Coronary Angioplasty, Percutaneous): FDA classifies it as class III (21 CFR 870.5100) and its premarket pathway is PMA. Use the PMA workflow (fda-pma) instead, or check the product code.',
      'No se puede usar un 510(k) para el código de producto LOX (Catheters, Transluminal Coronary Angioplasty, Percutaneous): la FDA lo clasifica como clase III (21 CFR 870.5100) y su vía previa a la comercialización es la PMA. Use la vía PMA (fda-pma) o revise el código de producto.',
    ],
    [
      { code: 'http.too_large', params: { limit: 1048576 } },
      'The request body is larger than the limit of 1048576 bytes',
      'El cuerpo de la solicitud excede el límite de 1048576 bytes',
    ],
    [
      { code: 'audit.read_proofs_forbidden', params: { role: 'manufacturer' } },
      'Role manufacturer may not read proofs',
      'El rol «Fabricante» no puede leer pruebas',
    ],
  ];

  it.each(DETAILS)('%j', (message, english, spanish) => {
    expect(formatMessage(message.code, message.params, 'en')).toBe(english);
    expect(formatMessage(message.code, message.params, 'es')).toBe(spanish);
  });

  it('shows a plain text detail and a field error without a code as they are', () => {
    expect(es.errorDetail('A brand new sentence')).toBe('A brand new sentence');
    expect(es.fieldError({ path: '', message: 'something the server never said' })).toBe('something the server never said');
  });

  it('translates the errors the domain error classes build themselves', async () => {
    const { VersionMismatchError, IdempotencyKeyReusedError, SignatureInvalidError, SigningLockedError, UnauthenticatedError, NotFoundError } =
      await import('../../src/errors.js');
    const errors: AppError[] = [
      new VersionMismatchError(8, 7),
      new IdempotencyKeyReusedError(),
      new SignatureInvalidError({ code: 'signature.wrong', params: { failures: 1, max: 5 } }, '/signature/password'),
      new SigningLockedError({ code: 'signature.locked_since', params: { since: '2026-01-01T00:00:00.000Z' } }, '/currentPassword'),
      new UnauthenticatedError(),
      new NotFoundError(),
    ];
    for (const e of errors) {
      expect(e.detail, e.message).toBeDefined();
      expect(es.errorDetail(e), e.message).not.toBe(e.message);
      expect(en.errorDetail(e)).toBe(e.message);
      for (const fe of e.errors as FieldError[]) {
        expect(fieldMessage(fe), fe.message).toBeDefined();
        expect(es.fieldError(fe), fe.message).not.toBe(fe.message);
      }
    }
  });
});
