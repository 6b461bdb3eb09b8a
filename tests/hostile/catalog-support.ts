/**
 * The workflow catalog as the hostile suites see it: data generated from each event's own JSON
 * Schema (valid, or wrong in one chosen way), valid creation inputs for every workflow id and
 * version (every input variant that changes behaviour), and the FDA product codes the creation
 * check distinguishes. Nothing here reads the database or the engine: the suites use it to build
 * requests and their own oracle.
 */
import fc from 'fast-check';
import type { JsonSchema, WorkflowDefinition } from '../../workflows/types.js';

export type Hints = Readonly<Record<string, fc.Arbitrary<unknown>>>;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of the UTC day `n` days before now. */
export function isoDaysAgo(n: number): string {
  return new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);
}

/** Real calendar dates, mostly in the last ten years, sometimes further back or ahead. */
export const dateArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 3650 }).map(isoDaysAgo) },
  { weight: 1, arbitrary: fc.integer({ min: -400, max: 20_000 }).map(isoDaysAgo) },
  { weight: 1, arbitrary: fc.constantFrom('2000-02-29', '2024-02-29', '1999-12-31', '2025-09-01', '2025-08-31') },
);

/** Readable text for free-text fields (no NUL, no lone surrogates: those are tested elsewhere). */
const textChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,;:-()éñüß中😀'.split(/(?:)/u));

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : 200;
  if (s.format === 'date') return dateArb;
  if (s.format === 'uuid') return fc.uuid();
  if (typeof s.pattern === 'string') {
    const re = new RegExp(s.pattern, 'u');
    return fc
      .stringMatching(re, { size: 'xsmall', maxLength: max })
      .filter((v) => [...v].length >= min && v.length <= max && v.isWellFormed() && !v.includes('\u0000'));
  }
  const boundary = fc.constantFrom(...new Set([Math.max(min, 1), max].filter((n) => n >= min && n <= max))).map((n) => 'x'.repeat(n));
  return fc.oneof(
    { weight: 12, arbitrary: fc.string({ unit: textChar, minLength: Math.max(min, 1), maxLength: Math.max(Math.min(max, 40), Math.max(min, 1)) }) },
    { weight: 1, arbitrary: boundary },
  );
}

/**
 * Values for a JSON Schema of the subset the workflow files use (objects with properties and
 * `required`, strings with lengths / patterns / date and uuid formats, enums, consts, integers,
 * booleans, arrays with `uniqueItems`). `hints` replace the generator of a top-level property.
 * Whether a value really is valid is for the caller's validator to say (if/then/else and allOf
 * are not followed here).
 */
export function schemaArb(schema: JsonSchema, hints: Hints = {}, opts: { allKeys?: boolean } = {}): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const keys = Object.keys(props);
      if (!keys.length) return fc.constant({});
      const model = Object.fromEntries(keys.map((k) => [k, hints[k] ?? schemaArb(props[k]!)]));
      const required = opts.allKeys ? keys : ((schema.required ?? []) as string[]).filter((k) => keys.includes(k));
      return fc.record(model, { requiredKeys: required });
    }
    case 'string':
      return stringArb(schema);
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1000;
      const max = typeof schema.maximum === 'number' ? schema.maximum : 1_000_000;
      return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
    }
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = (schema.items ?? {}) as JsonSchema;
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const maxLength = Math.max(minLength, Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 3, 3));
      const item = schemaArb(items);
      return schema.uniqueItems ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) }) : fc.array(item, { minLength, maxLength });
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** How event data is spoiled on purpose (`valid` sends what the schema generator made). */
export type DataMode = 'valid' | 'empty' | 'omit' | 'extra' | 'dropRequired' | 'wrongType' | 'violate' | 'notObject' | 'random';

export const dataModeArb: fc.Arbitrary<DataMode> = fc.oneof(
  { weight: 24, arbitrary: fc.constant<DataMode>('valid') },
  { weight: 1, arbitrary: fc.constantFrom<DataMode>('empty', 'omit', 'extra', 'dropRequired', 'wrongType', 'violate', 'notObject', 'random') },
);

/** One way to break a single property against its schema. */
function violation(s: JsonSchema | undefined, pick: number): unknown {
  if (!s) return { unexpected: true };
  if ('const' in s) return typeof s.const === 'boolean' ? !s.const : 'not-the-constant';
  if (Array.isArray(s.enum)) return ['NOT_IN_ENUM', '', 7][pick % 3];
  switch (s.type) {
    case 'string': {
      const options: unknown[] = ['', 17, null];
      if (typeof s.maxLength === 'number') options.push('y'.repeat(s.maxLength + 1));
      if (typeof s.pattern === 'string' || typeof s.format === 'string') options.push('not-a-match', '2026-02-30');
      return options[pick % options.length];
    }
    case 'integer':
      return [1.5, -1, '12', 1e12][pick % 4];
    case 'boolean':
      return ['true', 0][pick % 2];
    case 'array':
      return [[], 'not-a-list', [1], Array.from({ length: 201 }, () => 'x')][pick % 4];
    default:
      return { nested: [] };
  }
}

/**
 * Spoils a valid payload in the chosen way. The result may still happen to be valid (an empty
 * object where nothing is required): the oracle's own validator decides.
 */
export function spoil(schema: JsonSchema, valid: Record<string, unknown>, mode: DataMode, pick: number, random: unknown): unknown {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const keys = Object.keys(props);
  const required = ((schema.required ?? []) as string[]).filter((k) => k in valid);
  switch (mode) {
    case 'valid':
      return valid;
    case 'empty':
      return {};
    case 'omit':
      return undefined;
    case 'extra':
      return { ...valid, unexpected: true };
    case 'dropRequired': {
      if (!required.length) return { ...valid, [`x${pick % 10}`]: 1 };
      const drop = required[pick % required.length]!;
      const { [drop]: _dropped, ...rest } = valid;
      return rest;
    }
    case 'wrongType': {
      const k = keys.length ? keys[pick % keys.length]! : 'x';
      return { ...valid, [k]: [42, true, { a: 1 }, ['x']][pick % 4] };
    }
    case 'violate': {
      const k = keys.length ? keys[pick % keys.length]! : 'x';
      return { ...valid, [k]: violation(props[k], pick) };
    }
    case 'notObject':
      return [['x'], 'x', null, 7][pick % 4];
    default:
      return random;
  }
}

/** A deterministic, complete-looking example of a payload (all properties set), for request bases. */
export function exampleOf(schema: JsonSchema, seed = 7): Record<string, unknown> {
  const [v] = fc.sample(schemaArb(schema, {}, { allKeys: true }), { seed, numRuns: 1 });
  return (v && typeof v === 'object' && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
}

// ---------------------------------------------------------------- creation inputs

/** Submissions the creation inputs may name: tracked FDA references and link targets (same organization). */
export interface CreationRefs {
  /** FDA submissions of the creating organization, any workflow (tracked references). */
  readonly tracked: readonly string[];
  /** 510(k) / De Novo / PMA submissions of the creating organization (Breakthrough links). */
  readonly linkable: readonly string[];
}

/** External reference authorizations a COFEPRIS v2 registration may name (valid by the input schema). */
export const EXTERNAL_REFERENCES_V2: ReadonlyArray<Record<string, unknown>> = [
  { agency: 'FDA', number: 'K231234', decisionDate: isoDaysAgo(400), decision: 'SE' },
  { agency: 'FDA', number: 'P123456/S002', decisionDate: isoDaysAgo(900), decision: 'approved', deviceClass: '3' },
  { agency: 'FDA', number: 'K191234', decisionDate: isoDaysAgo(2400), decision: 'SE' },
  { agency: 'FDA', number: 'DEN230011', decisionDate: isoDaysAgo(600), decision: 'declined' },
  { agency: 'FDA', number: 'K250123', decisionDate: isoDaysAgo(300), decision: 'SE', authorizationType: 'emergency' },
  { agency: 'HealthCanada', number: '104567', decisionDate: isoDaysAgo(700), decision: 'approved', deviceClass: 'III' },
  { agency: 'HealthCanada', number: '104568', decisionDate: isoDaysAgo(700), decision: 'approved', deviceClass: 'I' },
  { agency: 'HealthCanada', number: '104569', decisionDate: isoDaysAgo(500), decision: 'denied', deviceClass: 'II' },
  { agency: 'PMDA', number: '30600BZX00123000', decisionDate: isoDaysAgo(300), decision: 'approved', deviceClass: 'II' },
  { agency: 'PMDA', number: '30600BZX00123001', decisionDate: isoDaysAgo(300), decision: 'approved' },
  { agency: 'TGA', number: 'ARTG 345678', decisionDate: isoDaysAgo(200), decision: 'approved', authorizationType: 'ordinary' },
  { agency: 'EU', number: 'CE 0123-4567', decisionDate: isoDaysAgo(250), decision: 'approved', authorizationType: 'conditional' },
  { agency: 'Swissmedic', number: 'SM-2025-1', decisionDate: isoDaysAgo(100), decision: 'approved' },
];

/** v1 only knows external FDA decisions. */
export const EXTERNAL_REFERENCES_V1: ReadonlyArray<Record<string, unknown>> = [
  { agency: 'FDA', number: 'K231234', decisionDate: isoDaysAgo(400), decision: 'SE' },
  { agency: 'FDA', number: 'P123456/S001', decisionDate: isoDaysAgo(1000), decision: 'approved' },
  { agency: 'FDA', number: 'K191234', decisionDate: isoDaysAgo(2400), decision: 'SE' },
  { agency: 'FDA', number: 'H123456', decisionDate: isoDaysAgo(500), decision: 'denied' },
];

export const PMA_SUPPLEMENT_TYPES = ['panel-track', '180-day', 'real-time', '30-day-notice'] as const;

/**
 * Valid creation inputs of a workflow version: one per input variant that changes what the machine
 * or the engine does. An unknown workflow gets a sample of its input schema, so a new workflow is
 * still exercised (and the caller's coverage check names it).
 */
export function creationInputs(w: WorkflowDefinition, refs: CreationRefs): Array<Record<string, unknown>> {
  const tracked = refs.tracked.length ? refs.tracked : ['00000000-0000-7000-8000-000000000000'];
  switch (w.id) {
    case 'fda-510k':
      return ['eSTAR', 'eCopy'].flatMap((format) => ['traditional', 'special', 'abbreviated'].map((variant) => ({ format, variant })));
    case 'fda-de-novo':
      return [{ format: 'eSTAR' }, { format: 'eCopy' }];
    case 'fda-pma':
      return [{}, { pmaNumber: 'P260042' }, ...PMA_SUPPLEMENT_TYPES.map((supplementType) => ({ supplementType, pmaNumber: 'P123456' }))];
    case 'fda-hde':
      return [{}];
    case 'fda-presub':
      return [{ meetingRequested: true }, { meetingRequested: false }];
    case 'fda-breakthrough':
      return [{}, ...refs.linkable.map((linkedSubmissionId) => ({ linkedSubmissionId }))];
    case 'cofepris-registration':
      if (w.version === 1) {
        return [
          ...tracked.slice(0, 2).flatMap((submissionId) => ['equivalence', 'abbreviated'].map((route) => ({ route, reference: { submissionId } }))),
          ...EXTERNAL_REFERENCES_V1.map((reference, i) => ({ route: i % 2 ? 'equivalence' : 'abbreviated', reference })),
        ];
      }
      return [
        { route: 'standard' },
        { route: 'standard', mxClass: 'III' },
        { route: 'third-party', mxClass: 'II' },
        { route: 'third-party' },
        ...tracked.slice(0, 2).map((submissionId) => ({ route: 'equivalence', reference: { submissionId } })),
        ...tracked.slice(0, 2).map((submissionId) => ({ route: 'abbreviated', reference: { submissionId }, identicalDevice: true })),
        ...EXTERNAL_REFERENCES_V2.map((reference, i) =>
          i % 2 ? { route: 'equivalence', reference, mxClass: 'II' } : { route: 'abbreviated', reference, identicalDevice: true },
        ),
      ];
    default:
      return [exampleOf(w.inputSchema)];
  }
}

// ---------------------------------------------------------------- FDA product codes

/**
 * Product codes of `reference-data/foiclass.txt` by what the creation check makes of them
 * (DEVICECLASS / SUBMISSION_TYPE_ID in brackets); the suites check the file still says so.
 */
export const PRODUCT_CODES = {
  /** 510(k) pathway: FRN infusion pump (2/1), CDR (1/1). */
  premarketNotification: ['FRN', 'CDR'],
  /** Class III still cleared by 510(k) (3/1): accepted, with a warning. */
  classIIIBy510k: ['DTE'],
  /** 510(k) exempt (1/4, 2/4). */
  exempt: ['BRW', 'BSI'],
  /** PMA pathway (3/2, N/2, f/2): a 510(k) is refused. */
  pma: ['BWL', 'NGV', 'NPV'],
  /** Humanitarian use device class F with the HDE type (f/6): a 510(k) is refused. */
  hdeClassF: ['OAZ'],
  /** HDE submission type without class F (3/6, N/6). */
  hdeOther: ['QGZ', 'PHK'],
  /** Contact ODE (3/3, U/3), enforcement discretion (1/7), emergency use (N/8), no type (N/). */
  unsettled: ['LTC', 'NSX', 'CBT', 'OPU', 'RAA'],
  /** Not in the file. */
  unknown: ['ZZZ', 'QQQ'],
} as const;

export const ALL_PRODUCT_CODES: readonly string[] = Object.values(PRODUCT_CODES).flat();

export type CodeCategory = keyof typeof PRODUCT_CODES;

export function codeCategory(code: string): CodeCategory | undefined {
  return (Object.keys(PRODUCT_CODES) as CodeCategory[]).find((k) => (PRODUCT_CODES[k] as readonly string[]).includes(code));
}

/**
 * What creating a submission of `workflowId` with `productCode` must do, from the documented rules
 * (README "Product codes"; product-classification.ts): a 510(k) for a PMA or HDE-class code is
 * refused with 422 at /device/productCode; an unknown code is accepted with a warning and no
 * classification; a 510(k) exempt code on a 510(k) warns; a plain 510(k) code on a 510(k) does not;
 * Pre-Sub and COFEPRIS never warn about a known code. `warns: undefined` = not pinned down here.
 * A 510(k) for a code whose listed pathway is HDE but whose class is not F (QGZ class III, PHK
 * class N) is `either`: the README says a code that requires HDE is refused, the code only
 * refuses class F and warns about the rest (SUBMISSION_TYPE_ID 6 = HDE is inferred); either
 * answer is accepted until that is settled, a 422 only at /device/productCode.
 */
export function expectedCreation(workflowId: string, productCode: string | undefined): { status: 201 | 422 | 'either'; warns?: boolean; classified?: boolean } {
  if (productCode === undefined) return { status: 201, warns: false, classified: false };
  const cat = codeCategory(productCode);
  if (cat === 'unknown') return { status: 201, warns: true, classified: false };
  if (cat === undefined) return { status: 201 };
  if (workflowId === 'fda-510k') {
    if (cat === 'pma' || cat === 'hdeClassF') return { status: 422 };
    if (cat === 'hdeOther') return { status: 'either' };
    if (cat === 'exempt' || cat === 'classIIIBy510k') return { status: 201, warns: true, classified: true };
    if (cat === 'premarketNotification') return { status: 201, warns: false, classified: true };
    return { status: 201, classified: true };
  }
  if (workflowId === 'fda-presub' || workflowId === 'cofepris-registration') return { status: 201, warns: false, classified: true };
  return { status: 201, classified: true };
}
