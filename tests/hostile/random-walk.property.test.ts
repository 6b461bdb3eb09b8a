/**
 * Random walks against the API, checked step by step against the pure machine (issue 3), for
 * every workflow the catalog offers for new submissions (`latestWorkflows()`; a test fails when one
 * has no walk kind) and every creation input that changes behaviour: 510(k) eSTAR / eCopy (variant
 * and Third Party Review drawn per walk), De Novo eSTAR / eCopy, PMA original (with and without a P-number) and each
 * supplement type with its PMA number, HDE, Pre-Sub with and without a meeting, Breakthrough with
 * and without a link at creation, and COFEPRIS registrations (latest version) on the standard and
 * third-party routes (with and without a Mexican class), on equivalence and abbreviated relying on
 * a tracked FDA submission of every pathway and state or on an external authorization of every
 * kind (FDA, Health Canada and PMDA by class, other IMDRF / MDSAP agencies, extraordinary and old
 * ones), and relying on an FDA submission the same walk drives (a pair walk: a quarter of its steps
 * go to the reference, whose decision the registration's facts follow and whose end invalidates it).
 *
 * fast-check generates walks of steps, two calm walks (mostly moving on) for one hostile walk (a
 * third of its steps spoilt). An event step picks an event type (mostly one the current state
 * handles and the model would accept; sometimes any handled one; any of the workflow's events,
 * system-only ones included; another workflow's event or a record type; a malformed type) and a
 * sender (one whose role may send it, or any of manufacturer, another organization's
 * manufacturer, fda, cofepris, auditor, admin), generates `data` from the event's own JSON Schema
 * (hinted where a guard reads the data: HUD population, PMA approval number, link target) and
 * spoils it now and then, and sends it over HTTP with an effective date, comment, signature and
 * If-Match. The one sender that fits a timer / reliance event is the built-in `system` actor, which
 * sends through the engine as the sweeper does (no person may); system steps also send it other
 * events. An upload step adds a document (dossier kinds, letters, junk kinds and names).
 *
 * The test keeps its own model of each submission: the machine from the workflow file, advanced
 * with xstate's pure `initialTransition()` / `transition()` by the accepted events only, and every
 * fact the engine computes before a guard runs (engine.ts `factsFor`): the dossier still missing;
 * the reference authorization (tracked references are fixtures or pair partners driven through
 * their own pure machines, so `decisionOf`, the US class of their product code and the letter on
 * file are known; external ones come from the input); link targets (which submissions exist, in
 * which organization, on which workflow); no configured reference authorities (the test context
 * sets none). Every event of every workflow is modelled this way: none needed the fallback of
 * asserting invariants only. Reliance invalidation is modelled as the engine does it (same
 * transaction, system actor, dated the later of the two last effective dates). The prediction
 * follows the engine's order: body (send-event.json, NUL / lone surrogates, If-Match syntax) 422 ->
 * visibility 404 -> If-Match 412 -> unknown event 422 -> role 403 -> payload schema 422 ->
 * effectiveAt 422 -> machine `can` 409 -> 200. At every step:
 *
 *  - the status is exactly the predicted one (and the answer keeps the problem+json contract);
 *  - on 200 the answer's state, version, ETag and transition record are the machine's;
 *  - the submission (read back, or as an accepted owner's command answered it) has the machine's
 *    state, status and version (moved by exactly one on an accepted step, not at all otherwise),
 *    the model's dossier, clocks from the state's tags, the machine's decision and the model's
 *    reference facts, and `allowedEvents` for the owner equal to what the machine handles now and
 *    a manufacturer may send.
 *
 * At the end of every walk the whole history is read: one record per accepted step, each with the
 * model's type / from / to / role, and the hash chain recomputes; the submission's diagram marks
 * the current state and exactly the states the walk visited; Breakthrough walks also check which
 * submissions show `prioritized`. After all walks, `verifyDatabase` checks every chain. The log
 * lists, per workflow, the states reached and the events accepted.
 *
 * HOSTILE_WALKS (default 10) walks per kind, times the kind's weight; HOSTILE_WALK_STEPS / 2 to
 * HOSTILE_WALK_STEPS (default 60) steps per walk, fewer when it ends in a final state. HOSTILE_SEED
 * replays another seed; HOSTILE_SHRINK=1 shrinks a failing walk (slow).
 */
import fs from 'node:fs';
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNextTransitions, initialTransition, transition, type AnyMachineSnapshot, type StateValue } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { isCorrespondenceKind, isOwnCorrespondence } from '../../src/engine/correspondence.js';
import { loadMexicanCalendar } from '../../src/engine/time.js';
import { verifyDatabase } from '../../src/engine/verify.js';
import { FILING_RECORD_TYPES } from '../../src/store/migrations/012-filed-at.js';
import { AppError, type ErrorCode } from '../../src/errors.js';
import { loadProductClassification } from '../../src/reference/product-classification.js';
import { WORKFLOWS, latestWorkflow, latestWorkflows } from '../../workflows/index.js';
import type { DeadlineSpec, EventFacts, LinkTargetFacts, ReferenceFacts, Role, WorkflowDefinition, WorkflowEvent } from '../../workflows/types.js';
import { Api, DEVICE, daysAgo, type Json } from '../http/helpers.js';
import { createTestContext, testApp, type TestContext, type TestUser } from '../support/fixtures.js';
import {
  EXTERNAL_REFERENCES_V1,
  EXTERNAL_REFERENCES_V2,
  PMA_SUPPLEMENT_TYPES,
  dataModeArb,
  schemaArb,
  spoil,
  type DataMode,
  type Hints,
} from './catalog-support.js';
import { assertContract, echoes, chainProblem, envInt, fcParams } from './support.js';

const WALKS = envInt('HOSTILE_WALKS', 10);
const MAX_STEPS = envInt('HOSTILE_WALK_STEPS', 60);

type ActorKey = 'manufacturer' | 'otherManufacturer' | 'fda' | 'cofepris' | 'auditor' | 'admin';
const ACTORS: readonly ActorKey[] = ['manufacturer', 'otherManufacturer', 'fda', 'cofepris', 'auditor', 'admin'];
const ROLE_OF: Record<ActorKey, Role> = {
  manufacturer: 'manufacturer',
  otherManufacturer: 'manufacturer',
  fda: 'fda',
  cofepris: 'cofepris',
  auditor: 'auditor',
  admin: 'admin',
};

/** The problem codes a refused command can carry, by status (src/http/error-handler.ts). */
const STATUS_OF: Partial<Record<ErrorCode, number>> = { validation_failed: 422, forbidden: 403, not_found: 404, event_not_allowed: 409, version_mismatch: 412 };

// ---------------------------------------------------------------- the oracle's own validator

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const schemaDir = new URL('../../schemas/', import.meta.url);
for (const f of fs.readdirSync(schemaDir).filter((n) => n.endsWith('.json')))
  ajv.addSchema(JSON.parse(fs.readFileSync(new URL(f, schemaDir), 'utf8')) as object);
const sendEventValid = ajv.getSchema('https://puente.dev/schemas/send-event.json')!;
const uploadQueryValid = ajv.getSchema('https://puente.dev/schemas/upload-document-query.json')!;
/** The event's spec, never an Object.prototype member (`__proto__` is a malformed type the walks send). */
const specOf = (wd: WorkflowDefinition, type: string) => (Object.hasOwn(wd.events, type) ? wd.events[type] : undefined);
const payloadValidators = new Map<string, ValidateFunction>();
function payloadValid(w: WorkflowDefinition, type: string, data: unknown): boolean {
  const key = `${w.id}@${w.version}/${type}`;
  let fn = payloadValidators.get(key);
  if (!fn) {
    fn = ajv.compile(w.events[type]!.schema);
    payloadValidators.set(key, fn);
  }
  return fn(data);
}

/** The route refuses any string or key holding U+0000 or a lone surrogate before anything else. */
function badText(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\u0000') || !v.isWellFormed();
  if (Array.isArray(v)) return v.some(badText);
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => badText(k) || badText(x));
  return false;
}

// ---------------------------------------------------------------- dates

const todayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const utcPlusDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- machines

function statePath(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value)[0] ?? [];
  if (key === undefined) return '';
  return child === undefined || (typeof child === 'object' && Object.keys(child).length === 0) ? key : `${key}.${statePath(child)}`;
}

/** Events the snapshot's active states handle (guards not evaluated). */
function handled(snap: AnyMachineSnapshot): string[] {
  return [
    ...new Set(
      getNextTransitions(snap)
        .map((t) => t.eventType)
        .filter((t): t is string => Boolean(t) && t !== '*'),
    ),
  ];
}

const mermaidId = (path: string) => path.replace(/[^A-Za-z0-9]/g, '_');

// ---------------------------------------------------------------- the model

type Org = 'acme' | 'beta';

/** A submission whose pure machine state the test knows (fixtures and walked submissions). */
interface Sub {
  readonly w: WorkflowDefinition;
  readonly id: string;
  readonly org: Org;
  readonly productCode: string | undefined;
  readonly input: Record<string, unknown>;
  snap: AnyMachineSnapshot;
  /** COFEPRIS registrations naming this submission as their reference (COFEPRIS reviewers then see it once one is filed). */
  readonly reliedOnBy: Set<string>;
  /** Filed: a filing record (SUBMIT, or a designation or HUD request) is in its history; regulators see it from then on. */
  filed: boolean;
}

interface HistoryRecord {
  readonly type: string;
  readonly from: string | null;
  readonly to: string;
  readonly role: Role;
}

interface Model extends Sub {
  readonly kind: string;
  version: number;
  readonly records: HistoryRecord[];
  /** The previous regulatory event's effectiveAt: a date, server time, or none yet. */
  lastEff: { date: string } | 'now' | null;
  readonly present: Set<string>;
  /** Ids of the documents added to it (a response's `data.documents` must name these, issue 13 §2). */
  readonly documentIds: Set<string>;
  /** Walk dates start here (days before today). */
  readonly startDate: string;
  /** Registrations of the same walk relying on this submission (reliance invalidation reaches them). */
  readonly relying: Model[];
  /** Date (in the workflow's zone) the current state was entered; deadlines count from it. */
  enteredOn: string | null;
}

/** Every submission of this test's database the model knows, by id. */
const known = new Map<string, Sub>();
let usClassOf: (productCode: string | undefined) => string | null = () => null;

/** Record types that file a submission (DESIGN §3: regulators see it from its first filing). */
const FILING: ReadonlySet<string> = new Set(FILING_RECORD_TYPES);

const visible = (m: Sub, a: ActorKey): boolean =>
  a === 'auditor' ||
  (ROLE_OF[a] === 'manufacturer' && (a === 'manufacturer') === (m.org === 'acme')) ||
  (a === 'fda' && m.w.jurisdiction === 'FDA' && m.filed) ||
  (a === 'cofepris' && ((m.w.jurisdiction === 'COFEPRIS' && m.filed) || [...m.reliedOnBy].some((id) => known.get(id)?.filed === true)));

/** What the engine's referenceFacts computes, from the model (labels and status words aside). */
function referenceFacts(m: Model): ReferenceFacts | undefined {
  const ref = m.input.reference as Record<string, unknown> | undefined;
  if (!ref) return undefined;
  const common = { label: 'model', status: 'model' };
  if (typeof ref.submissionId === 'string') {
    const target = known.get(ref.submissionId);
    const letterOnFile = m.present.has('fda-decision-letter');
    const base = { ...common, external: false, letterOnFile, agency: 'FDA', authorizationType: 'ordinary' };
    if (!target) return { ...base, decision: null, decisionDate: null, favourable: false, deviceClass: null };
    const d = target.w.decisionOf?.(statePath(target.snap.value), target.snap.context) ?? {
      number: null,
      decision: null,
      decisionDate: null,
      favourable: false,
    };
    return { ...base, decision: d.decision, decisionDate: d.decisionDate, favourable: d.favourable, deviceClass: usClassOf(target.productCode) };
  }
  const agency = typeof ref.agency === 'string' ? ref.agency : 'FDA';
  const decision = String(ref.decision);
  return {
    ...common,
    decision,
    decisionDate: String(ref.decisionDate),
    favourable: ['SE', 'granted', 'approved'].includes(decision),
    external: true,
    letterOnFile: m.present.has(agency === 'FDA' ? 'fda-decision-letter' : 'reference-authorization'),
    agency,
    deviceClass: typeof ref.deviceClass === 'string' ? ref.deviceClass : null,
    authorizationType: typeof ref.authorizationType === 'string' ? ref.authorizationType : 'ordinary',
  };
}

/**
 * What the engine's linkTargetFacts computes for the sender: link events are manufacturer-only and
 * another organization's manufacturer cannot see the submission (404 first), so the sender is
 * Acme's manufacturer, who sees exactly Acme's submissions.
 */
function linkTargetFacts(m: Model, id: unknown): LinkTargetFacts {
  const t = typeof id === 'string' ? known.get(id) : undefined;
  if (!t || t.org !== m.org) return { exists: false, workflowId: null, sameOrganization: false, state: null };
  return { exists: true, workflowId: t.w.id, sameOrganization: true, state: statePath(t.snap.value) };
}

/**
 * The facts the engine hands the machine for `type` (engine.ts factsFor). `referenceAuthorities`
 * comes only from configuration, which the test context leaves unset, so the machine's default
 * list applies (the engine then sends none).
 */
function factsFor(m: Model, type: string, data: Record<string, unknown>): EventFacts | undefined {
  const wanted = m.w.factsFor?.[type];
  if (!wanted) return undefined;
  const facts: { -readonly [K in keyof EventFacts]: EventFacts[K] } = {};
  if (wanted.includes('dossierMissing'))
    facts.dossierMissing = m.w
      .dossier(m.input)
      .map((d) => d.kind)
      .filter((k) => !m.present.has(k));
  if (wanted.includes('reference') && m.input.reference) facts.reference = referenceFacts(m);
  if (wanted.includes('linkTarget')) facts.linkTarget = linkTargetFacts(m, data.submissionId);
  return facts;
}

// ---------------------------------------------------------------- steps

/**
 * enabled: an event the current state handles and the model would accept with the data about to
 * be generated (then spoiled or sent by the wrong role now and then); guided: any event the state
 * handles; any: any event of the workflow, system-only ones included; foreign: another workflow's
 * event or a record type; malformed: not an event type at all.
 */
type TypeMode = 'enabled' | 'guided' | 'any' | 'foreign' | 'malformed';
/**
 * next: a few days after the previous event (leap: ten times as many); due: the current state's
 * hard deadline, as the sweeper dates a timer event (when the model can compute it: calendar
 * days, from the state's entry or a context date); omit: server time; the rest are refused.
 */
type EffMode = 'omit' | 'next' | 'leap' | 'due' | 'past' | 'future' | 'garbage' | 'tooLong';
type IfMatchMode = 'none' | 'current' | 'weak' | 'star' | 'stale' | 'junk';

interface EventStep {
  readonly kind: 'event';
  /** Pair walks: 0 sends the step to the FDA submission the registration relies on. */
  readonly to: number;
  readonly typeMode: TypeMode;
  readonly pick: number;
  readonly actor: ActorKey | 'fit';
  readonly data: DataMode;
  readonly eff: EffMode;
  readonly days: number;
  readonly comment: 'none' | 'ok' | 'empty' | 'long';
  /**
   * `none`: signed only when the workflow version requires it (what a client does); `ok`: always
   * signed (an event that needs none may carry one); `missing`: never signed, even when required;
   * `empty` / `extra`: a signature that fails signature.json.
   */
  readonly signature: 'none' | 'ok' | 'missing' | 'empty' | 'extra';
  readonly ifMatch: IfMatchMode;
}

interface SystemStep {
  readonly kind: 'system';
  readonly to: number;
  readonly typeMode: TypeMode;
  readonly pick: number;
  readonly data: DataMode;
  readonly eff: EffMode;
  readonly days: number;
}

interface UploadStep {
  readonly kind: 'upload';
  readonly to: number;
  readonly actor: ActorKey | 'fit';
  readonly kindMode: 'missing' | 'dossier' | 'other' | 'invalid';
  readonly pick: number;
  readonly empty: boolean;
  readonly badName: boolean;
}

type Step = EventStep | SystemStep | UploadStep;

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });

/**
 * A walk's temper: a hostile walk spoils about one step in three (wrong role, wrong data, bad
 * dates, If-Match, foreign or malformed types); a calm one mostly sends what moves the submission
 * on, so walks also reach the deep states (expiry, prórroga, approvals withdrawn) that need a
 * long run of accepted events. Both check every step the same way.
 */
type Temper = 'calm' | 'hostile';

/** `[calm, hostile]` weights of each choice. */
const pickBy = <T>(temper: Temper, options: ReadonlyArray<readonly [number, number, fc.Arbitrary<T>]>) =>
  fc.oneof(...options.map(([calm, hostile, arbitrary]) => w(temper === 'calm' ? calm : hostile, arbitrary)).filter((o) => o.weight > 0));

/** Days between two dated events: mostly a few, sometimes a leap of months or years. */
const daysArb = fc.oneof(w(6, fc.nat(6)), w(1, fc.integer({ min: 20, max: 200 })));

function stepArbFor(temper: Temper): fc.Arbitrary<Step> {
  const typeMode = pickBy<TypeMode>(temper, [
    [18, 10, fc.constant('enabled')],
    [3, 5, fc.constant('guided')],
    [1, 2, fc.constant('any')],
    [0, 1, fc.constant('foreign')],
    [0, 1, fc.constant('malformed')],
  ]);
  const eff = pickBy<EffMode>(temper, [
    [14, 10, fc.constant('next')],
    [1, 2, fc.constant('omit')],
    [2, 1, fc.constant('leap')],
    [3, 1, fc.constant('due')],
    [0, 1, fc.constantFrom('past', 'future', 'garbage', 'tooLong')],
  ]);
  const data = temper === 'calm' ? fc.oneof(w(40, fc.constant<DataMode>('valid')), w(1, dataModeArb)) : dataModeArb;
  const eventStep: fc.Arbitrary<EventStep> = fc.record({
    kind: fc.constant('event' as const),
    to: fc.nat(3),
    typeMode,
    pick: fc.nat(1000),
    actor: pickBy<ActorKey | 'fit'>(temper, [
      [30, 10, fc.constant('fit')],
      [1, 4, fc.constantFrom(...ACTORS)],
    ]),
    data,
    eff,
    days: daysArb,
    comment: pickBy(temper, [
      [12, 12, fc.constant('none' as const)],
      [6, 6, fc.constant('ok' as const)],
      [0, 1, fc.constantFrom('empty' as const, 'long' as const)],
    ]),
    signature: pickBy(temper, [
      [12, 12, fc.constant('none' as const)],
      [6, 6, fc.constant('ok' as const)],
      [0, 1, fc.constantFrom('missing' as const, 'empty' as const, 'extra' as const)],
    ]),
    ifMatch: pickBy<IfMatchMode>(temper, [
      [20, 10, fc.constant('none')],
      [3, 3, fc.constantFrom('current', 'weak', 'star')],
      [0, 1, fc.constantFrom('stale', 'junk')],
    ]),
  });
  const systemStep: fc.Arbitrary<SystemStep> = fc.record({
    kind: fc.constant('system' as const),
    to: fc.nat(3),
    typeMode: pickBy<TypeMode>(temper, [
      [8, 6, fc.constant('enabled')],
      [2, 3, fc.constant('guided')],
      [1, 2, fc.constant('any')],
      [0, 1, fc.constantFrom('foreign', 'malformed')],
    ]),
    pick: fc.nat(1000),
    data,
    eff,
    days: daysArb,
  });
  const uploadStep: fc.Arbitrary<UploadStep> = fc.record({
    kind: fc.constant('upload' as const),
    to: fc.nat(3),
    actor: pickBy<ActorKey | 'fit'>(temper, [
      [12, 3, fc.constant('fit')],
      [1, 1, fc.constantFrom(...ACTORS)],
    ]),
    kindMode: pickBy(temper, [
      [8, 4, fc.constant('missing' as const)],
      [1, 1, fc.constantFrom('dossier' as const, 'other' as const, 'invalid' as const)],
    ]),
    pick: fc.nat(1000),
    empty: pickBy(temper, [
      [1, 12, fc.constant(false)],
      [0, 1, fc.constant(true)],
    ]),
    badName: pickBy(temper, [
      [1, 12, fc.constant(false)],
      [0, 1, fc.constant(true)],
    ]),
  });
  return fc.oneof(w(20, eventStep), w(3, systemStep), w(4, uploadStep));
}

/** A walk: its temper (two calm walks for one hostile), then its steps. */
const walkStepsArb: fc.Arbitrary<{ temper: Temper; steps: Step[] }> = fc
  .constantFrom<Temper>('calm', 'hostile', 'calm')
  .chain((temper) =>
    fc.array(stepArbFor(temper), { minLength: Math.ceil(MAX_STEPS / 2), maxLength: MAX_STEPS, size: 'max' }).map((steps) => ({ temper, steps })),
  );

/** Every event type some workflow of the catalog knows (every version), for foreign events. */
const ALL_TYPES = [...new Set(WORKFLOWS.flatMap((x) => Object.keys(x.events)))];
const NOT_EVENTS = ['NOT_AN_EVENT', 'CREATED', 'DOCUMENT_ADDED', 'MIGRATED', 'SUBMIT_X'];

// ---------------------------------------------------------------- fixtures

let ctx: TestContext;
let server: http.Server;
let api: Api;
let stepsRun = 0;
let accepted = 0;
let walksRun = 0;
let invalidations = 0;
const statesSeen = new Map<string, Set<string>>();
const acceptedTypes = new Map<string, Set<string>>();
const statusCounts = new Map<number, number>();

/** Fixture submissions by name; their pure snapshots follow every event sent to them. */
const fx = {} as Record<'k510' | 'k510old' | 'k510review' | 'deNovo' | 'pma' | 'hde' | 'designation' | 'presub' | 'beta510k' | 'registration', Sub>;

function user(a: ActorKey): TestUser {
  return ctx.users[a];
}

/** Creates a submission and drives it with events (each must be accepted), following its pure machine. */
async function drive(
  who: 'manufacturer' | 'otherManufacturer',
  wf: WorkflowDefinition,
  input: Record<string, unknown>,
  productCode: string | undefined,
  steps: ReadonlyArray<[ActorKey, string, Record<string, unknown>, string]>,
): Promise<Sub> {
  const device = productCode ? { ...DEVICE, productCode } : { name: DEVICE.name };
  const created = await api.create(user(who), { workflow: wf.id, title: `Fixture ${wf.id}`, device, input });
  const [initial] = initialTransition(wf.machine, input as never);
  const sub: Sub = {
    w: wf,
    id: created.id as string,
    org: who === 'manufacturer' ? 'acme' : 'beta',
    productCode,
    input,
    snap: initial,
    reliedOnBy: new Set(),
    filed: false,
  };
  for (const [actor, type, data, effectiveAt] of steps) {
    const res = await api.send(user(actor), sub.id, type, { data, effectiveAt });
    const [next] = transition(wf.machine, sub.snap, { type, data, effectiveDate: effectiveAt });
    sub.snap = next;
    if (FILING.has(type)) sub.filed = true;
    expect(res.submission.state, `${wf.id} fixture after ${type}`).toBe(statePath(next.value));
  }
  known.set(sub.id, sub);
  return sub;
}

const wf = (id: string): WorkflowDefinition => {
  const found = latestWorkflow(id);
  if (!found) throw new Error(`workflow ${id} is not in the catalog`);
  return found;
};

beforeAll(async () => {
  ctx = await createTestContext();
  const app = testApp(ctx);
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = new Api(app);
  const classification = loadProductClassification();
  usClassOf = (code) => (code ? (classification.lookup(code)?.deviceClass ?? null) : null);

  const d = (n: number) => daysAgo(n);
  const cleared = (kNumber: string, at: number): ReadonlyArray<[ActorKey, string, Record<string, unknown>, string]> => [
    ['manufacturer', 'SUBMIT', {}, d(at + 60)],
    ['fda', 'FEE_VERIFIED', {}, d(at + 58)],
    ['fda', 'SCREEN_PASS', {}, d(at + 45)],
    ['fda', 'DECIDE_SE', { kNumber, decisionDate: d(at) }, d(at)],
  ];
  fx.k510 = await drive('manufacturer', wf('fda-510k'), { format: 'eSTAR', variant: 'traditional' }, 'FRN', cleared('K260222', 320));
  fx.k510old = await drive('manufacturer', wf('fda-510k'), { format: 'eSTAR', variant: 'traditional' }, 'FRN', cleared('K200111', 2100));
  fx.k510review = await drive('manufacturer', wf('fda-510k'), { format: 'eCopy', variant: 'special' }, 'CDR', [
    ['manufacturer', 'SUBMIT', {}, d(330)],
    ['fda', 'FEE_VERIFIED', {}, d(329)],
    ['fda', 'ACCEPT', {}, d(320)],
  ]);
  fx.deNovo = await drive('manufacturer', wf('fda-de-novo'), { format: 'eSTAR' }, 'LTC', [
    ['manufacturer', 'SUBMIT', {}, d(500)],
    ['fda', 'FEE_VERIFIED', {}, d(498)],
    ['fda', 'SCREEN_PASS', {}, d(480)],
    ['fda', 'DECIDE_GRANT', { denNumber: 'DEN250042', decisionDate: d(400), deviceClass: 'II' }, d(400)],
  ]);
  fx.pma = await drive('manufacturer', wf('fda-pma'), {}, 'BWL', [
    ['manufacturer', 'SUBMIT', {}, d(700)],
    ['fda', 'FEE_VERIFIED', {}, d(698)],
    ['fda', 'ACCEPT', {}, d(690)],
    ['fda', 'FILE', {}, d(660)],
    ['fda', 'ISSUE_APPROVAL_ORDER', { pmaNumber: 'P250017', decisionDate: d(500) }, d(500)],
  ]);
  fx.hde = await drive('manufacturer', wf('fda-hde'), {}, 'OAZ', [
    ['manufacturer', 'REQUEST_HUD', { estimatedAnnualPopulation: 700 }, d(800)],
    ['fda', 'HUD_DESIGNATED', {}, d(760)],
    ['manufacturer', 'SUBMIT_HDE', {}, d(700)],
    ['fda', 'FILE', {}, d(680)],
    ['fda', 'ISSUE_APPROVAL_ORDER', { hNumber: 'H250003', decisionDate: d(600) }, d(600)],
  ]);
  fx.designation = await drive('manufacturer', wf('fda-breakthrough'), {}, 'FRN', [
    ['manufacturer', 'REQUEST_DESIGNATION', { secondaryCriteria: ['breakthroughTechnology'] }, d(300)],
    ['fda', 'GRANT', { qNumber: 'Q250100', secondaryCriteria: ['breakthroughTechnology'] }, d(250)],
  ]);
  fx.presub = await drive('manufacturer', wf('fda-presub'), { meetingRequested: true }, 'FRN', [
    ['manufacturer', 'SUBMIT', {}, d(200)],
    ['fda', 'ACCEPT', { qNumber: 'Q250200' }, d(190)],
  ]);
  fx.beta510k = await drive('otherManufacturer', wf('fda-510k'), { format: 'eSTAR', variant: 'traditional' }, 'FRN', []);
  const cofepris = wf('cofepris-registration');
  fx.registration = await drive(
    'manufacturer',
    cofepris,
    cofepris.version === 1 ? { route: 'equivalence', reference: { submissionId: fx.k510.id } } : { route: 'standard' },
    'FRN',
    [],
  );
}, 180_000);

afterAll(async () => {
  const lines = latestWorkflows().map((x) => {
    const leaves = getStateNodes(x.machine.root)
      .filter((n) => n.path.length && !Object.keys(n.states).length)
      .map((n) => n.path.join('.'));
    const seen = statesSeen.get(x.id) ?? new Set<string>();
    const types = acceptedTypes.get(x.id) ?? new Set<string>();
    const missed = (xs: string[], have: Set<string>) =>
      xs
        .filter((v) => !have.has(v))
        .sort()
        .join(' ') || '-';
    return `${x.id}@${x.version}: states ${leaves.filter((l) => seen.has(l)).length}/${leaves.length} (not reached: ${missed(leaves, seen)}); events accepted ${Object.keys(x.events).filter((t) => types.has(t)).length}/${Object.keys(x.events).length} (never: ${missed(Object.keys(x.events), types)})`;
  });
  console.log(
    `hostile random walks: ${walksRun} walks, ${stepsRun} steps, ${accepted} accepted, ${invalidations} reliance invalidations; statuses ${JSON.stringify(Object.fromEntries([...statusCounts].sort((a, b) => a[0] - b[0])))}\n  ${lines.join('\n  ')}`,
  );
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await ctx?.close();
});

// ---------------------------------------------------------------- walk kinds

interface WalkKind {
  readonly name: string;
  readonly w: WorkflowDefinition;
  /** Creation inputs of this kind (called once fixtures exist). */
  input(): fc.Arbitrary<Record<string, unknown>>;
  readonly productCode?: string;
  /** Upload the dossier before the walk (none / all but one / all). */
  readonly preUpload?: boolean;
  /** Dated events of the walk start this many days ago (default 300). */
  readonly startDaysAgo?: number;
  /**
   * Walks of this kind per HOSTILE_WALKS (default 1): more for long paths few walks get to the end
   * of, fewer for kinds whose paths another kind mostly walks too.
   */
  readonly weight?: number;
  /**
   * Pair walks: an FDA submission created for the walk (fresh, or already decided) that the
   * registration's `input.reference` names; a quarter of the steps go to it.
   */
  readonly partner?: () => fc.Arbitrary<{ wid: string; decided: boolean }>;
}

/** Events that take a fresh FDA submission of each pathway to a favourable decision, dated from `days` ago. */
function decisionPath(wid: string, days: number): Array<[ActorKey, string, Record<string, unknown>, string]> {
  const d = (n: number) => daysAgo(days - n);
  switch (wid) {
    case 'fda-510k':
      return [
        ['manufacturer', 'SUBMIT', {}, d(0)],
        ['fda', 'FEE_VERIFIED', {}, d(2)],
        ['fda', 'SCREEN_PASS', {}, d(15)],
        ['fda', 'DECIDE_SE', { kNumber: 'K261999', decisionDate: d(60) }, d(60)],
      ];
    case 'fda-de-novo':
      return [
        ['manufacturer', 'SUBMIT', {}, d(0)],
        ['fda', 'FEE_VERIFIED', {}, d(2)],
        ['fda', 'SCREEN_PASS', {}, d(15)],
        ['fda', 'DECIDE_GRANT', { denNumber: 'DEN261999', decisionDate: d(90) }, d(90)],
      ];
    case 'fda-pma':
      return [
        ['manufacturer', 'SUBMIT', {}, d(0)],
        ['fda', 'FEE_VERIFIED', {}, d(2)],
        ['fda', 'ACCEPT', {}, d(10)],
        ['fda', 'FILE', {}, d(40)],
        ['fda', 'ISSUE_APPROVAL_ORDER', { pmaNumber: 'P261999', decisionDate: d(100) }, d(100)],
      ];
    default:
      return [
        ['manufacturer', 'REQUEST_HUD', { estimatedAnnualPopulation: 300 }, d(0)],
        ['fda', 'HUD_DESIGNATED', {}, d(30)],
        ['manufacturer', 'SUBMIT_HDE', {}, d(40)],
        ['fda', 'FILE', {}, d(50)],
        ['fda', 'ISSUE_APPROVAL_ORDER', { hNumber: 'H261999', decisionDate: d(100) }, d(100)],
      ];
  }
}

const one = (input: Record<string, unknown>) => () => fc.constant(input);
const trackedIds = () => [fx.k510, fx.k510old, fx.k510review, fx.deNovo, fx.pma, fx.hde, fx.designation, fx.presub].map((s) => s.id);

function cofeprisKinds(c: WorkflowDefinition): WalkKind[] {
  const kind = (name: string, input: () => fc.Arbitrary<Record<string, unknown>>, startDaysAgo: number, weight = 1): WalkKind => ({
    name: `cofepris-registration v${c.version} ${name}`,
    w: c,
    input,
    preUpload: true,
    startDaysAgo,
    weight,
  });
  const pair: WalkKind = {
    name: `cofepris-registration v${c.version} relying on an FDA submission the walk drives (reference facts change, reliance invalidation)`,
    w: c,
    input: () =>
      fc.constantFrom('equivalence', 'abbreviated').map((route) => (c.version > 1 && route === 'abbreviated' ? { route, identicalDevice: true } : { route })),
    partner: () => fc.record({ wid: fc.constantFrom('fda-510k', 'fda-510k', 'fda-de-novo', 'fda-pma', 'fda-hde'), decided: fc.boolean() }),
    preUpload: true,
    startDaysAgo: 500,
  };
  if (c.version === 1) {
    return [
      pair,
      kind(
        'equivalence, tracked FDA submission (any pathway, any state)',
        () => fc.constantFrom(...trackedIds()).map((submissionId) => ({ route: 'equivalence', reference: { submissionId } })),
        600,
      ),
      kind(
        'abbreviated, tracked FDA submission (any pathway, any state)',
        () => fc.constantFrom(...trackedIds()).map((submissionId) => ({ route: 'abbreviated', reference: { submissionId } })),
        500,
      ),
      kind(
        'external FDA decision, either route',
        () => fc.record({ route: fc.constantFrom('equivalence', 'abbreviated'), reference: fc.constantFrom(...EXTERNAL_REFERENCES_V1) }),
        500,
      ),
    ];
  }
  // Walks on the non-abbreviated routes start eight years back, so a registration can be granted
  // more than five years ago and reach expiry, prórroga and modification with real past dates.
  const mxClass = fc.option(fc.constantFrom('low-risk', 'I', 'II', 'III'), { nil: undefined });
  const withClass = (route: string) => () => mxClass.map((m) => (m ? { route, mxClass: m } : { route }));
  return [
    pair,
    kind('standard route', withClass('standard'), 3000, 2),
    kind('third-party route', withClass('third-party'), 3000),
    kind(
      'equivalence, tracked FDA submission (any pathway, any state)',
      () => fc.constantFrom(...trackedIds()).map((submissionId) => ({ route: 'equivalence', reference: { submissionId } })),
      3000,
    ),
    kind(
      'abbreviated, tracked FDA submission (any pathway, any state)',
      () => fc.constantFrom(...trackedIds()).map((submissionId) => ({ route: 'abbreviated', reference: { submissionId }, identicalDevice: true })),
      500,
    ),
    kind(
      'equivalence, external authorization (FDA, Health Canada, PMDA, others)',
      () => fc.constantFrom(...EXTERNAL_REFERENCES_V2).map((reference) => ({ route: 'equivalence', reference })),
      3000,
      0.6,
    ),
    kind(
      'abbreviated, external authorization (FDA, Health Canada, PMDA, others)',
      () => fc.constantFrom(...EXTERNAL_REFERENCES_V2).map((reference) => ({ route: 'abbreviated', reference, identicalDevice: true })),
      500,
      0.6,
    ),
  ];
}

const variant510k = fc.constantFrom('traditional', 'special', 'abbreviated');
/** fda-510k@4 (issue 9, FD&C Act § 523): a third of the walks go through Third Party Review (FRN is eligible). */
const thirdPartyReview = fc.constantFrom({}, {}, { thirdPartyReview: true });
const WALK_KINDS: readonly WalkKind[] = [
  {
    name: 'fda-510k eSTAR',
    w: wf('fda-510k'),
    input: () => fc.tuple(variant510k, thirdPartyReview).map(([variant, tpr]) => ({ format: 'eSTAR', variant, ...tpr })),
  },
  {
    name: 'fda-510k eCopy',
    w: wf('fda-510k'),
    input: () => fc.tuple(variant510k, thirdPartyReview).map(([variant, tpr]) => ({ format: 'eCopy', variant, ...tpr })),
  },
  { name: 'fda-de-novo eSTAR', w: wf('fda-de-novo'), input: one({ format: 'eSTAR' }), productCode: 'LTC' },
  { name: 'fda-de-novo eCopy', w: wf('fda-de-novo'), input: one({ format: 'eCopy' }), productCode: 'LTC' },
  { name: 'fda-pma original', w: wf('fda-pma'), input: () => fc.constantFrom({}, { pmaNumber: 'P260042' }), productCode: 'BWL', weight: 1.5 },
  // 180-day and real-time supplements differ from each other only in the MDL; a 30-day notice is short.
  ...PMA_SUPPLEMENT_TYPES.map((supplementType): WalkKind => ({
    name: `fda-pma ${supplementType} supplement`,
    w: wf('fda-pma'),
    input: one({ supplementType, pmaNumber: 'P250017' }),
    productCode: 'BWL',
    weight: supplementType === 'panel-track' ? 1 : 0.6,
  })),
  { name: 'fda-hde', w: wf('fda-hde'), input: one({}), productCode: 'OAZ', weight: 3 },
  { name: 'fda-presub with a meeting', w: wf('fda-presub'), input: one({ meetingRequested: true }) },
  { name: 'fda-presub written feedback only', w: wf('fda-presub'), input: one({ meetingRequested: false }), weight: 0.6 },
  { name: 'fda-breakthrough', w: wf('fda-breakthrough'), input: one({}), weight: 0.6 },
  {
    name: 'fda-breakthrough linked at creation',
    w: wf('fda-breakthrough'),
    input: () => fc.constantFrom(fx.k510review.id, fx.deNovo.id, fx.pma.id).map((linkedSubmissionId) => ({ linkedSubmissionId })),
  },
  ...cofeprisKinds(wf('cofepris-registration')),
];

// ---------------------------------------------------------------- generated data

/** Values that let guarded transitions happen as often as they are refused. */
function hintsFor(m: Model, type: string): Hints {
  switch (`${m.w.id}:${type}`) {
    case 'fda-hde:REQUEST_HUD':
      return {
        estimatedAnnualPopulation: fc.oneof(
          w(3, fc.integer({ min: 1, max: 8000 })),
          w(1, fc.integer({ min: 8001, max: 1_000_000_000 })),
          w(1, fc.constantFrom(8000, 8001)),
        ),
      };
    case 'fda-pma:ISSUE_APPROVAL_ORDER': {
      const base = typeof m.input.pmaNumber === 'string' ? m.input.pmaNumber : 'P260077';
      const fits = m.input.supplementType ? fc.integer({ min: 1, max: 999 }).map((n) => `${base}/S${String(n).padStart(3, '0')}`) : fc.constant(base);
      return { pmaNumber: fc.oneof(w(4, fits), w(1, fc.constantFrom(base, `${base}/S001`, 'P999999', 'P999999/S001'))) };
    }
    case 'fda-breakthrough:LINK_SUBMISSION': {
      const pool = [fx.k510, fx.k510review, fx.deNovo, fx.pma, fx.hde, fx.presub, fx.designation, fx.registration, fx.beta510k].map((s) => s.id);
      return { submissionId: fc.oneof(w(6, fc.constantFrom(...pool, m.id)), w(1, fc.uuid())) };
    }
    default: {
      // A response's attached documents (issue 13 §2): mostly this submission's own, sometimes not.
      const props = (specOf(m.w, type)?.schema as { properties?: Record<string, unknown> } | undefined)?.properties;
      if (!props?.documents) return {};
      const ids = [...m.documentIds];
      const one = ids.length > 0 ? fc.oneof(w(4, fc.constantFrom(...ids)), w(1, fc.uuid())) : fc.uuid();
      return { documents: fc.uniqueArray(one, { minLength: 1, maxLength: 3 }) };
    }
  }
}

type Gen = fc.GeneratorValue;

function validData(m: Model, type: string, g: Gen): Record<string, unknown> {
  const schema = specOf(m.w, type)?.schema ?? { type: 'object', additionalProperties: false, properties: {} };
  return g(() => schemaArb(schema, hintsFor(m, type))) as Record<string, unknown>;
}

function spoiled(m: Model, type: string, valid: Record<string, unknown>, mode: DataMode, pick: number, g: Gen): unknown {
  const schema = specOf(m.w, type)?.schema ?? { type: 'object', additionalProperties: false, properties: {} };
  const random = mode === 'random' ? g(() => fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })) : undefined;
  return spoil(schema, valid, mode, pick, random);
}

type Senders = 'system' | 'all';
const systemOnly = (m: Model, type: string) => specOf(m.w, type)?.roles.every((r) => r === 'system') ?? false;

/** Handled events the senders may send: system-only ones for the system actor; any for a step whose sender fits the event. */
function handledBy(m: Model, who: Senders): string[] {
  return handled(m.snap).filter((t) => who === 'all' || specOf(m.w, t)?.roles.includes('system'));
}

/**
 * Mostly events that move the submission on, so walks get deep before they close; one step in
 * sixty-four only the closing ones (withdrawal, desistance, timeouts, expiry) when the state has any.
 */
function onward(types: string[], pick: number): string[] {
  const closing = (t: string) => ['WITHDRAW', 'DESIST', 'EXPIRE'].includes(t) || t.endsWith('_TIMEOUT');
  const pool = types.filter((t) => closing(t) === (pick % 64 === 0));
  return pool.length ? pool : types;
}

/**
 * The event type and valid data of a step. `enabled` tries the handled events in turn (from a
 * generated offset) and takes the first the model accepts with its generated data on `effectiveDate`.
 */
function chooseEvent(m: Model, mode: TypeMode, pick: number, who: Senders, effectiveDate: string, g: Gen): { type: string; valid: Record<string, unknown> } {
  if (mode === 'enabled') {
    const pool = onward(handledBy(m, who), pick);
    for (let i = 0; i < pool.length; i++) {
      const type = pool[(pick + i) % pool.length]!;
      const valid = validData(m, type, g);
      const facts = factsFor(m, type, valid);
      if (m.snap.can({ type, data: valid, effectiveDate, ...(m.w.factsFor?.[type] ? { facts } : {}) })) return { type, valid };
    }
  }
  const type = chooseType(m, mode === 'enabled' ? 'guided' : mode, pick, who);
  return { type, valid: validData(m, type, g) };
}

function chooseType(m: Model, mode: Exclude<TypeMode, 'enabled'>, pick: number, who: Senders): string {
  const types = Object.keys(m.w.events);
  switch (mode) {
    case 'guided': {
      // Nothing handled now: the system actor tries its own (timer) events, people any event.
      const h = handledBy(m, who);
      const timers = types.filter((t) => systemOnly(m, t));
      const pool = h.length ? onward(h, pick) : who === 'system' && timers.length ? timers : types;
      return pool[pick % pool.length]!;
    }
    case 'any':
      return types[pick % types.length]!;
    case 'foreign': {
      const pool = [...ALL_TYPES.filter((t) => !specOf(m.w, t)), ...NOT_EVENTS];
      return pool[pick % pool.length]!;
    }
    default:
      return ['submit', '', 'SUBMIT ', '1SUBMIT', 'A'.repeat(65), '__proto__', 'SUBMIT\n'][pick % 7]!;
  }
}

function makeEffectiveAt(m: Model, mode: EffMode, days: number, pick: number): string | undefined {
  switch (mode) {
    case 'omit':
      return undefined;
    case 'next':
    case 'leap': {
      // A plausible next date after the previous one (or server time after server time).
      if (m.lastEff === 'now') return undefined;
      const base = m.lastEff ? m.lastEff.date : m.startDate;
      const date = addDays(base, mode === 'leap' ? days * 10 : days);
      return date > daysAgo(2) ? daysAgo(2) : date;
    }
    case 'due': {
      const due = dueDate(m);
      if (due === undefined || due > daysAgo(1)) return makeEffectiveAt(m, 'next', days, pick);
      if (m.lastEff === 'now') return undefined;
      return m.lastEff && m.lastEff.date > due ? m.lastEff.date : due;
    }
    case 'past':
      return '2000-01-03';
    case 'future':
      return utcPlusDays(3);
    case 'garbage':
      return ['2026-02-30', 'yesterday', '2026-11-28T10:00', '28/11/2026', '2026-13-01'][pick % 5];
    default:
      return '2'.repeat(41);
  }
}

/** The deepest active state's hard deadline, as the engine computes it, in calendar days only. */
function dueDate(m: Model): string | undefined {
  const metas = Object.values(m.snap.getMeta() as Record<string, { deadline?: DeadlineSpec } | undefined>);
  for (let i = metas.length - 1; i >= 0; i--) {
    const d = metas[i]?.deadline;
    if (!d) continue;
    if (d.unit !== 'calendar') return undefined;
    const anchor = d.anchor ? (m.snap.context as Record<string, unknown>)[d.anchor] : m.enteredOn;
    return typeof anchor === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(anchor) ? addDays(anchor, d.length) : undefined;
  }
  return undefined;
}

/** The Mexican business-day calendar the server counts under (the shipped file; the test context adds no days). */
const MX_CALENDAR = loadMexicanCalendar();

/**
 * The current state's deadline left to the regulator's decision (issue 9 §1, domain.md §7.1), with
 * its due date as the engine counts it (the term the regulator set when `lengthFrom` names one,
 * Mexican business days under the shipped calendar); `dueDate` undefined when the model does not
 * know the state's entry.
 */
function decisionDeadline(m: Model): { event: string; dueDate: string | undefined } | undefined {
  const metas = Object.values(m.snap.getMeta() as Record<string, { deadline?: DeadlineSpec } | undefined>);
  const d = metas.reverse().find((x) => x?.deadline)?.deadline;
  if (d?.consequence !== 'decision') return undefined;
  const context = m.snap.context as Record<string, unknown>;
  const anchor = d.anchor ? context[d.anchor] : m.enteredOn;
  const isDate = typeof anchor === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(anchor);
  // The engine keeps no deadline whose context date is not set.
  if (d.anchor && !isDate) return undefined;
  if (!isDate) return { event: d.event, dueDate: undefined };
  const set = d.lengthFrom ? context[d.lengthFrom] : undefined;
  const length = typeof set === 'number' && Number.isInteger(set) && set > 0 ? set : d.length;
  return { event: d.event, dueDate: d.unit === 'mx-business' ? MX_CALENDAR.addBusinessDays(anchor, length) : addDays(anchor, length) };
}

// ---------------------------------------------------------------- prediction

interface Prediction {
  readonly status: number;
  readonly why: string;
  readonly event?: WorkflowEvent;
}

interface Sent {
  readonly actor: ActorKey | 'system';
  readonly body: Record<string, unknown>;
  readonly ifMatch: IfMatchMode;
  readonly eff: EffMode;
}

/** The engine's order of checks (see the file comment); the first that fails decides the status. */
function predict(m: Model, s: Sent): Prediction {
  const { body } = s;
  const human = s.actor !== 'system';
  if (human && (badText(body) || s.ifMatch === 'junk')) return { status: 422, why: 'NUL / lone surrogate in the body, or If-Match junk' };
  if (!sendEventValid(body)) return { status: 422, why: 'body fails send-event.json' };
  if (human && !visible(m, s.actor)) return { status: 404, why: `${s.actor} may not see this submission` };
  if (s.ifMatch === 'stale' || s.ifMatch === 'weak')
    return { status: 412, why: 'If-Match names an old version, or a weak tag (never matches: RFC 9110 strong comparison)' };
  const type = body.type as string;
  const spec = specOf(m.w, type);
  if (!spec) return { status: 422, why: `unknown event ${type}` };
  const role: Role = human ? ROLE_OF[s.actor] : 'system';
  if (!spec.roles.includes(role)) return { status: 403, why: `role ${role} may not send ${type}` };
  const data = (body.data ?? {}) as Record<string, unknown>;
  if (!payloadValid(m.w, type, data)) return { status: 422, why: `payload of ${type} invalid` };
  let effectiveDate = todayIn(m.w.timeZone);
  if (typeof body.effectiveAt === 'string') {
    const eff = body.effectiveAt;
    if (s.eff === 'garbage' || s.eff === 'future') return { status: 422, why: `effectiveAt ${eff} is not a past date` };
    if (m.lastEff === 'now') return { status: 422, why: `effectiveAt ${eff} is before the previous event (server time)` };
    if (m.lastEff && eff < m.lastEff.date) return { status: 422, why: `effectiveAt ${eff} is before the previous event ${m.lastEff.date}` };
    effectiveDate = eff;
  }
  // Issue 13 §2: documents a response attaches are this submission's own.
  if (Array.isArray(data.documents) && data.documents.some((id) => !m.documentIds.has(id as string)))
    return { status: 422, why: `${type} attaches documents that are not on this submission` };
  const facts = factsFor(m, type, data);
  const event: WorkflowEvent = { type, data, effectiveDate, ...(m.w.factsFor?.[type] ? { facts } : {}) };
  // Issue 9 §1 (domain.md §7.1): the regulator's decision on a deadline is refused while the
  // applicant's term runs (the effective date and today both on or before the due date). The walks
  // run no sweeper, so no such deadline is ever recorded as passed.
  const decision = human ? decisionDeadline(m) : undefined;
  if (decision?.event === type) {
    if (decision.dueDate === undefined) fail(m, -1, `${type}: the model does not know when ${statePath(m.snap.value)} was entered`);
    if (effectiveDate <= decision.dueDate && todayIn(m.w.timeZone) <= decision.dueDate)
      return { status: 409, why: `${type} is the regulator's decision once the term ending ${decision.dueDate} has passed` };
  }
  if (!m.snap.can(event))
    return { status: 409, why: `${type} not allowed in ${statePath(m.snap.value)} (facts ${JSON.stringify(facts ?? null)}, date ${effectiveDate})` };
  // Issue 6: the last check before the write; the version the submission runs on decides.
  if (spec.requiresSignature && body.signature === undefined) return { status: 422, why: `${type} must be signed on ${m.w.id}@${m.w.version}` };
  return { status: 200, why: 'accepted', event };
}

function fail(m: Model, step: number, what: string): never {
  throw new Error(
    `walk "${m.kind}" on ${m.w.id}@${m.w.version} ${m.id} (input ${JSON.stringify(m.input)}), step ${step} (state ${statePath(m.snap.value)}, version ${m.version}): ${what}`,
  );
}

function record(statusCode: number): void {
  statusCounts.set(statusCode, (statusCounts.get(statusCode) ?? 0) + 1);
}

/** Applies an accepted event to the model and checks the answer against it. */
function applyAccepted(m: Model, n: number, label: string, p: Prediction, role: Role, effectiveAt: string | undefined, answer: Json): void {
  const before = statePath(m.snap.value);
  const [next] = transition(m.w.machine, m.snap, p.event as never);
  m.snap = next;
  m.version++;
  const to = statePath(next.value);
  m.records.push({ type: p.event!.type, from: before, to, role });
  if (FILING.has(p.event!.type)) m.filed = true;
  m.lastEff = effectiveAt === undefined ? 'now' : { date: effectiveAt };
  if (to !== before) m.enteredOn = p.event!.effectiveDate ?? null;
  invalidateRelying(m, before, to, p.event!.type, m.lastEff);
  accepted++;
  const types = acceptedTypes.get(m.w.id) ?? new Set<string>();
  types.add(p.event!.type);
  acceptedTypes.set(m.w.id, types);
  if (answer.submission?.state !== to) fail(m, n, `${label}: answer state ${answer.submission?.state}, machine ${to}`);
  if (answer.submission?.version !== m.version) fail(m, n, `${label}: answer version ${answer.submission?.version}, expected ${m.version}`);
  const t = answer.transition as Json;
  if (t?.type !== p.event!.type || t?.from !== before || t?.to !== to || t?.seq !== m.records.length || t?.actor?.role !== role) {
    fail(m, n, `${label}: transition record ${JSON.stringify(t).slice(0, 400)} is not ${p.event!.type} ${before} -> ${to} seq ${m.records.length} by ${role}`);
  }
}

/**
 * Reliance (engine writeEvent): when a reference enters a state that invalidates reliance, every
 * active registration relying on it whose machine handles it gets REFERENCE_INVALIDATED from the
 * system actor in the same transaction, dated max(its last effective date, the reference event's).
 * Dates compare as strings: a bare date is the start of that day in the regulator's zone, and
 * Mexico City's day starts after New York's, so the later date string is the later instant.
 */
function invalidateRelying(ref: Model, from: string, to: string, type: string, eff: Model['lastEff']): void {
  if (from === to || !ref.w.invalidatesReliance?.(to)) return;
  for (const r of ref.relying) {
    const state = statePath(r.snap.value);
    if (state === 'closed' || state.startsWith('closed.') || !specOf(r.w, 'REFERENCE_INVALIDATED')) continue;
    const data = { referenceSubmissionId: ref.id, referenceState: to, reason: `${ref.w.title} ${ref.id} entered ${to} (${type})` };
    if (!r.snap.can({ type: 'REFERENCE_INVALIDATED', data })) continue;
    const dated: Model['lastEff'] =
      r.lastEff === 'now' || eff === 'now' ? 'now' : r.lastEff && eff && r.lastEff.date > eff.date ? r.lastEff : (eff ?? r.lastEff);
    // Its effectiveDate (the instant's date in Mexico City) changes nothing the machine keeps.
    const [next] = transition(r.w.machine, r.snap, {
      type: 'REFERENCE_INVALIDATED',
      data,
      effectiveDate: dated === 'now' || dated === null ? todayIn(r.w.timeZone) : dated.date,
    });
    r.snap = next;
    r.version++;
    r.records.push({ type: 'REFERENCE_INVALIDATED', from: state, to: statePath(next.value), role: 'system' });
    if (statePath(next.value) !== state) r.enteredOn = null; // dated in Mexico City from a New York instant: not modelled
    r.lastEff = dated;
    invalidations++;
  }
}

function fitActor(roles: readonly Role[], pick: number): ActorKey {
  const humans = ACTORS.filter((a) => a !== 'otherManufacturer' && roles.includes(ROLE_OF[a]));
  return humans.length ? humans[pick % humans.length]! : (['auditor', 'admin'] as const)[pick % 2]!;
}

// ---------------------------------------------------------------- one step: send, predict, compare

async function eventStepRun(m: Model, s: EventStep, n: number, g: Gen): Promise<void> {
  const effectiveAt = makeEffectiveAt(m, s.eff, s.days, s.pick);
  const { type, valid } = chooseEvent(m, s.typeMode, s.pick, 'all', effectiveAt ?? todayIn(m.w.timeZone), g);
  const spec = specOf(m.w, type);
  const data = spoiled(m, type, valid, s.data, s.pick, g);
  const body: Record<string, unknown> = { type };
  if (data !== undefined) body.data = data;
  if (effectiveAt !== undefined) body.effectiveAt = effectiveAt;
  // The one sender that fits a timer event is the system actor, which only the engine's callers can be.
  if (s.actor === 'fit' && systemOnly(m, type)) return systemSend(m, n, body, s.eff);
  const actor = s.actor === 'fit' ? fitActor(spec?.roles ?? [], s.pick) : s.actor;
  if (s.comment !== 'none') body.comment = s.comment === 'ok' ? 'per the letter on file' : s.comment === 'empty' ? '' : 'c'.repeat(4001);
  // Every fixture user has a password (tests/support/fixtures.ts); the walks never send a wrong one
  // (five would lock the shared users; tests/http/signatures.test.ts covers wrong passwords and locks).
  const password = user(actor).password ?? '';
  const sign = s.signature === 'ok' || (s.signature === 'none' && spec?.requiresSignature === true);
  if (sign) body.signature = { meaning: ROLE_OF[actor] === 'manufacturer' ? 'responsibility' : 'approval', password };
  else if (s.signature === 'empty') body.signature = { meaning: '', password };
  else if (s.signature === 'extra') body.signature = { meaning: 'review', password, at: 'now' };

  const headers: Record<string, string> = {};
  if (s.ifMatch === 'current') headers['If-Match'] = `"${m.version}"`;
  if (s.ifMatch === 'weak') headers['If-Match'] = `W/"${m.version}"`;
  if (s.ifMatch === 'star') headers['If-Match'] = '*';
  if (s.ifMatch === 'stale') headers['If-Match'] = `"${m.version - 1}"`;
  if (s.ifMatch === 'junk') headers['If-Match'] = 'version-seven';

  const p = predict(m, { actor, body, ifMatch: s.ifMatch, eff: s.eff });
  const res = await request(server).post(`/v1/submissions/${m.id}/events`).set(user(actor).auth).set(headers).send(body);
  record(res.status);
  const label = `${actor} sends ${JSON.stringify(body).slice(0, 300)} ${JSON.stringify(headers)}`;
  try {
    assertContract(
      label,
      { status: res.status, headers: res.headers, text: res.text },
      echoes({ path: `/v1/submissions/${m.id}/events`, headers, body: JSON.stringify(body) }),
      'POST',
    );
  } catch (e) {
    fail(m, n, (e as Error).message);
  }
  if (res.status !== p.status) fail(m, n, `${label} -> ${res.status} ${res.text.slice(0, 400)}; the model expected ${p.status} (${p.why})`);
  if (p.status === 200) {
    applyAccepted(m, n, label, p, ROLE_OF[actor], effectiveAt, res.body as Json);
    if (res.headers.etag !== `"${m.version}"`) fail(m, n, `${label}: ETag ${res.headers.etag}, expected "${m.version}"`);
  }
  // A refused step is always read back (it must have changed nothing); an accepted one of the owner
  // answered with the owner's view of the new row.
  await compare(m, n, label, p.status === 200 && actor === 'manufacturer' ? ((res.body as Json).submission as Json) : undefined);
}

/** A timer or reliance event as the built-in system actor, through the engine as the sweeper sends it. */
async function systemStepRun(m: Model, s: SystemStep, n: number, g: Gen): Promise<void> {
  const effectiveAt = makeEffectiveAt(m, s.eff, s.days, s.pick);
  const { type, valid } = chooseEvent(m, s.typeMode, s.pick, 'system', effectiveAt ?? todayIn(m.w.timeZone), g);
  const data = spoiled(m, type, valid, s.data, s.pick, g);
  const body: Record<string, unknown> = { type };
  if (data !== undefined) body.data = data;
  if (effectiveAt !== undefined) body.effectiveAt = effectiveAt;
  await systemSend(m, n, body, s.eff);
}

async function systemSend(m: Model, n: number, body: Record<string, unknown>, eff: EffMode): Promise<void> {
  // The engine's own callers never hand it text PostgreSQL cannot store; only HTTP bodies are checked for that.
  if (badText(body)) return;
  const effectiveAt = body.effectiveAt as string | undefined;
  const p = predict(m, { actor: 'system', body, ifMatch: 'none', eff });
  let status: number;
  let answer: Json = {};
  try {
    const r = await ctx.services.engine.sendSystemEvent(m.id, body as never);
    status = r.outcome === 'applied' ? 200 : 201; // the HTTP edge's mapping of a command outcome
    answer = r.body;
  } catch (e) {
    if (!(e instanceof AppError) || STATUS_OF[e.code] === undefined)
      fail(m, n, `system sends ${JSON.stringify(body).slice(0, 300)}: unexpected error ${(e as Error).stack ?? String(e)}`);
    status = STATUS_OF[e.code]!;
  }
  record(status);
  const label = `system sends ${JSON.stringify(body).slice(0, 300)}`;
  if (status !== p.status) fail(m, n, `${label} -> ${status}; the model expected ${p.status} (${p.why})`);
  if (p.status === 200) applyAccepted(m, n, label, p, 'system', effectiveAt, answer);
  await compare(m, n, label);
}

async function uploadStepRun(m: Model, s: UploadStep, n: number): Promise<void> {
  const required = m.w.dossier(m.input).map((d) => d.kind);
  const missing = required.filter((k) => !m.present.has(k));
  let kind: string;
  switch (s.kindMode) {
    case 'missing':
      kind = missing.length ? missing[s.pick % missing.length]! : (required[s.pick % Math.max(1, required.length)] ?? 'cover-letter');
      break;
    case 'dossier':
      kind = required[s.pick % Math.max(1, required.length)] ?? 'cover-letter';
      break;
    case 'other':
      kind = ['cover-letter', 'correspondence', 'fda-decision-letter', 'reference-authorization', 'x', 'fda-correspondence', 'cofepris-correspondence-minutes'][
        s.pick % 7
      ]!;
      break;
    default:
      kind = ['Cover Letter', '-x', 'a'.repeat(65), '', 'kind/../x'][s.pick % 5]!;
  }
  const filename = s.badName ? ['a/b.pdf', '', 'x'.repeat(256), 'a\u0001b'][s.pick % 4]! : `${kind || 'file'}.pdf`;
  const actor =
    s.actor === 'fit' ? (m.w.jurisdiction === 'FDA' ? (['manufacturer', 'fda'] as const) : (['manufacturer', 'cofepris'] as const))[s.pick % 2]! : s.actor;
  const bytes = s.empty ? Buffer.alloc(0) : Buffer.from(`%PDF-1.7\n% ${kind} for ${m.id} step ${n}\n%%EOF\n`);

  const p = ((): Prediction => {
    if (!uploadQueryValid({ kind, filename }) || bytes.length === 0) return { status: 422, why: 'query or body invalid' };
    if (!visible(m, actor)) return { status: 404, why: `${actor} may not see this submission` };
    const may =
      ROLE_OF[actor] === 'manufacturer' || (actor === 'fda' && m.w.jurisdiction === 'FDA') || (actor === 'cofepris' && m.w.jurisdiction === 'COFEPRIS');
    if (!may) return { status: 403, why: `${actor} may not add documents` };
    // Issue 8 §6: a reviewer uploads their agency's correspondence only; the applicant never uploads correspondence.
    const role = ROLE_OF[actor];
    if (role !== 'manufacturer' && !isOwnCorrespondence(role, kind)) return { status: 403, why: `${actor} uploads correspondence only` };
    if (role === 'manufacturer' && isCorrespondenceKind(kind)) return { status: 403, why: "correspondence is the regulator's" };
    return { status: 201, why: 'accepted' };
  })();

  const path = `/v1/submissions/${m.id}/documents`;
  const res = await request(server).post(path).query({ kind, filename }).set(user(actor).auth).set('Content-Type', 'application/pdf').send(bytes);
  record(res.status);
  const label = `${actor} uploads kind=${JSON.stringify(kind)} filename=${JSON.stringify(filename.slice(0, 40))} (${bytes.length} bytes)`;
  try {
    assertContract(
      label,
      { status: res.status, headers: res.headers, text: res.text },
      echoes({ path: `${path}?kind=${encodeURIComponent(kind)}&filename=${encodeURIComponent(filename)}` }),
      'POST',
    );
  } catch (e) {
    fail(m, n, (e as Error).message);
  }
  if (res.status !== p.status) fail(m, n, `${label} -> ${res.status} ${res.text.slice(0, 400)}; the model expected ${p.status} (${p.why})`);
  if (p.status === 201) {
    const st = statePath(m.snap.value);
    m.version++;
    if (!isCorrespondenceKind(kind)) m.present.add(kind);
    m.documentIds.add((res.body as { id: string }).id);
    m.records.push({ type: 'DOCUMENT_ADDED', from: st, to: st, role: ROLE_OF[actor] });
    accepted++;
  }
  await compare(m, n, label);
}

/** Reads the submission as its owner and compares it with the model. */
/**
 * Compares the submission as its owner sees it with the model: read back with GET, or (`view`)
 * the view an accepted command of the owner answered with, which is the same read of the new row.
 */
async function compare(m: Model, n: number, label: string, view?: Json): Promise<void> {
  const state = statePath(m.snap.value);
  const seen = statesSeen.get(m.w.id) ?? new Set<string>();
  seen.add(state);
  statesSeen.set(m.w.id, seen);
  const s = view ? { status: 200, body: view, text: '' } : await request(server).get(`/v1/submissions/${m.id}`).set(user('manufacturer').auth);
  if (s.status !== 200) fail(m, n, `GET submission after "${label}": ${s.status} ${s.text.slice(0, 300)}`);
  if (s.body.state !== state) fail(m, n, `after "${label}": API state ${s.body.state}, machine state ${state}`);
  if (s.body.version !== m.version) fail(m, n, `after "${label}": API version ${s.body.version}, expected ${m.version}`);
  if (s.body.status !== (state.startsWith('closed') ? 'closed' : 'active')) fail(m, n, `after "${label}": status ${s.body.status} in state ${state}`);
  const allowed = handled(m.snap)
    .filter((t) => specOf(m.w, t)?.roles.includes('manufacturer'))
    .sort();
  if (JSON.stringify([...(s.body.allowedEvents as string[])].sort()) !== JSON.stringify(allowed)) {
    fail(m, n, `after "${label}": allowedEvents for the manufacturer ${JSON.stringify(s.body.allowedEvents)}, machine ${JSON.stringify(allowed)}`);
  }
  const present = [...m.present].sort();
  if (JSON.stringify(s.body.dossier?.present) !== JSON.stringify(present))
    fail(m, n, `after "${label}": dossier.present ${JSON.stringify(s.body.dossier?.present)}, model ${JSON.stringify(present)}`);
  // What the view derives from the machine: clocks from the state's tags, the decision, the reference.
  const tags = [...m.snap.tags] as string[];
  const clocks = { running: tags.filter((t) => t !== 'hold').sort(), onHold: tags.includes('hold') };
  const shown = { running: [...((s.body.clocks?.running as string[]) ?? [])].sort(), onHold: s.body.clocks?.onHold };
  if (JSON.stringify(shown) !== JSON.stringify(clocks))
    fail(m, n, `after "${label}": clocks ${JSON.stringify(shown)}, machine tags say ${JSON.stringify(clocks)}`);
  const ctxt = m.snap.context as Record<string, unknown>;
  let decision: unknown = null;
  if (m.w.decisionOf) {
    const d = m.w.decisionOf(state, m.snap.context);
    decision = d.decision ? d : null;
  }
  if (m.w.jurisdiction === 'COFEPRIS' && ctxt.registrationNumber) {
    decision = { registrationNumber: ctxt.registrationNumber, grantedOn: ctxt.grantedOn ?? null, validUntil: ctxt.validUntil ?? null };
  }
  if (!isDeepStrictEqual(s.body.decision ?? null, decision))
    fail(m, n, `after "${label}": decision ${JSON.stringify(s.body.decision)}, machine ${JSON.stringify(decision)}`);
  const ref = referenceFacts(m);
  if (ref) {
    const r = s.body.reference as Record<string, unknown> | null;
    const want = { decision: ref.decision, decisionDate: ref.decisionDate, favourable: ref.favourable, invalidated: ctxt.referenceInvalidated === true };
    const got = r && { decision: r.decision, decisionDate: r.decisionDate, favourable: r.favourable, invalidated: r.invalidated };
    if (!isDeepStrictEqual(got, want)) fail(m, n, `after "${label}": reference ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
  }
}

/**
 * End of a walk: the whole history against the model's records (one per accepted step, in order,
 * with type / from / to / role) and its hash chain; the diagram's marks; Breakthrough priority.
 */
async function finishWalk(m: Model, steps: number): Promise<void> {
  const h = await request(server).get(`/v1/submissions/${m.id}/history`).set(user('auditor').auth);
  if (h.status !== 200) fail(m, steps, `GET history: ${h.status} ${h.text.slice(0, 300)}`);
  const items = h.body.items as Array<Record<string, any>>;
  const got = items.map((r) => `${r.seq} ${r.type} ${r.from} -> ${r.to} by ${r.actor?.role}`);
  const want = m.records.map((r, i) => `${i + 1} ${r.type} ${r.from} -> ${r.to} by ${r.role}`);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    const at = want.findIndex((x, i) => got[i] !== x);
    fail(
      m,
      steps,
      `history has ${got.length} records, the model ${want.length}; first difference at #${at + 1}: API ${got[at] ?? '(none)'}, model ${want[at] ?? '(none)'}`,
    );
  }
  const broken = chainProblem(items);
  if (broken) fail(m, steps, `hash chain: ${broken}`);

  const d = await request(server).get(`/v1/submissions/${m.id}/diagram`).set(user('auditor').auth);
  if (d.status !== 200 || !d.text.startsWith('stateDiagram-v2\n')) fail(m, steps, `GET diagram: ${d.status} ${d.text.slice(0, 200)}`);
  const current = statePath(m.snap.value);
  const visited = [...new Set(m.records.flatMap((r) => (r.from ? [r.from, r.to] : [r.to])))].filter((p) => p !== current);
  const lines = d.text.split('\n');
  const visitedLines = lines.filter((l) => /^ {2}class \S+ visited$/.test(l));
  const wantVisited = visited.length ? [`  class ${visited.map(mermaidId).join(',')} visited`] : [];
  if (JSON.stringify(visitedLines) !== JSON.stringify(wantVisited))
    fail(m, steps, `diagram marks ${JSON.stringify(visitedLines)} as visited, the walk visited ${JSON.stringify(wantVisited)}`);
  if (!lines.includes(`  class ${mermaidId(current)} current`)) fail(m, steps, `diagram does not mark ${current} as current`);

  if (m.w.prioritizes) {
    // Every marketing submission an active designation of Acme names shows `prioritized: true`.
    for (const t of [fx.k510, fx.k510review, fx.deNovo, fx.pma]) {
      const want = [...known.values()].some(
        (x) =>
          x.org === 'acme' &&
          x.w.prioritizes &&
          !statePath(x.snap.value).startsWith('closed') &&
          x.w.prioritizes(statePath(x.snap.value), x.snap.context).includes(t.id),
      );
      const s = await request(server).get(`/v1/submissions/${t.id}`).set(user('manufacturer').auth);
      if (s.body.prioritized !== want) fail(m, steps, `${t.w.id} ${t.id} shows prioritized ${s.body.prioritized}, the designations say ${want}`);
    }
  }
}

// ---------------------------------------------------------------- the walks

async function newModel(kind: WalkKind, wd: WorkflowDefinition, input: Record<string, unknown>, productCode: string): Promise<Model> {
  const device = { ...DEVICE, productCode };
  const created = await api.create(ctx.users.manufacturer, { workflow: wd.id, title: `Walk ${kind.name}`, device, input });
  const [initial] = initialTransition(wd.machine, input as never);
  const m: Model = {
    kind: kind.name,
    w: wd,
    id: created.id as string,
    org: 'acme',
    productCode: device.productCode,
    input,
    snap: initial,
    version: 1,
    records: [{ type: 'CREATED', from: null, to: statePath(initial.value), role: 'manufacturer' }],
    lastEff: null,
    present: new Set(),
    documentIds: new Set(),
    startDate: daysAgo(kind.startDaysAgo ?? 300),
    reliedOnBy: new Set(),
    filed: false,
    relying: [],
    enteredOn: todayIn(wd.timeZone),
  };
  known.set(m.id, m);
  expect(created.state, 'created state').toBe(statePath(initial.value));
  expect(created.workflow, 'created on the latest version').toEqual({ id: wd.id, version: wd.version });
  const reference = (input.reference as { submissionId?: unknown } | undefined)?.submissionId;
  if (typeof reference === 'string') known.get(reference)?.reliedOnBy.add(m.id);
  return m;
}

/** Sends events that must all be accepted (a partner's way to its decision), keeping the model in step. */
async function driveModel(m: Model, steps: ReadonlyArray<[ActorKey, string, Record<string, unknown>, string]>): Promise<void> {
  for (const [actor, type, data, effectiveAt] of steps) {
    const signed = specOf(m.w, type)?.requiresSignature ? { signature: { meaning: 'approval', password: user(actor).password ?? '' } } : {};
    const body = { type, data, effectiveAt, ...signed };
    const p = predict(m, { actor, body, ifMatch: 'none', eff: 'next' });
    const res = await request(server).post(`/v1/submissions/${m.id}/events`).set(user(actor).auth).send(body);
    if (p.status !== 200 || res.status !== 200) fail(m, 0, `driving ${type}: API ${res.status} ${res.text.slice(0, 300)}, model ${p.status} (${p.why})`);
    applyAccepted(m, 0, `drive ${type}`, p, ROLE_OF[actor], effectiveAt, res.body as Json);
  }
}

async function startWalk(
  kind: WalkKind,
  input: Record<string, unknown>,
  preUpload: 'none' | 'allButOne' | 'all',
  partnerSpec?: { wid: string; decided: boolean },
): Promise<{ m: Model; partner?: Model }> {
  let partner: Model | undefined;
  if (partnerSpec) {
    const pw = wf(partnerSpec.wid);
    const pinput = pw.id === 'fda-510k' ? { format: 'eSTAR', variant: 'traditional' } : pw.id === 'fda-de-novo' ? { format: 'eSTAR' } : {};
    partner = await newModel(kind, pw, pinput, pw.id === 'fda-hde' ? 'OAZ' : pw.id === 'fda-pma' ? 'BWL' : 'FRN');
    if (partnerSpec.decided) await driveModel(partner, decisionPath(pw.id, (kind.startDaysAgo ?? 300) + 200));
    input = { ...input, reference: { submissionId: partner.id } };
  }
  const m = await newModel(kind, kind.w, input, kind.productCode ?? DEVICE.productCode);
  partner?.relying.push(m);
  walksRun++;
  if (kind.preUpload && preUpload !== 'none') {
    const initial = m.snap;
    const kinds = kind.w.dossier(input).map((x) => x.kind);
    for (const k of preUpload === 'all' ? kinds : kinds.slice(0, -1)) {
      const res = await api.upload(ctx.users.manufacturer, m.id, k, Buffer.from(`%PDF-1.7\n% ${k}\n`));
      expect(res.status, res.text).toBe(201);
      m.version++;
      m.present.add(k);
      m.records.push({ type: 'DOCUMENT_ADDED', from: statePath(initial.value), to: statePath(initial.value), role: 'manufacturer' });
    }
  }
  await compare(m, 0, 'creation');
  if (partner) await compare(partner, 0, 'creation');
  return { m, partner };
}

describe(`random walks against the machine (${WALKS} walks per kind times its weight, up to ${MAX_STEPS} steps each)`, () => {
  it('has a walk kind for every workflow of the catalog (latest versions)', () => {
    const covered = new Set(WALK_KINDS.map((k) => `${k.w.id}@${k.w.version}`));
    expect(
      latestWorkflows()
        .map((x) => `${x.id}@${x.version}`)
        .filter((k) => !covered.has(k)),
    ).toEqual([]);
  });

  for (const kind of WALK_KINDS) {
    it(
      kind.name,
      async () => {
        const acceptedBefore = accepted;
        await fc.assert(
          fc.asyncProperty(
            kind.input(),
            fc.constantFrom<'none' | 'allButOne' | 'all'>('all', 'allButOne', 'none'),
            walkStepsArb,
            kind.partner ? kind.partner() : fc.constant(undefined),
            fc.gen(),
            async (input, pre, { steps }, partnerSpec, g) => {
              const { m, partner } = await startWalk(kind, input, pre, partnerSpec);
              let n = 0;
              let afterFinal = 0;
              for (const s of steps) {
                n++;
                stepsRun++;
                const target = partner && s.to === 0 ? partner : m;
                const registrationVersion = m.version;
                if (s.kind === 'event') await eventStepRun(target, s, n, g);
                else if (s.kind === 'system') await systemStepRun(target, s, n, g);
                else await uploadStepRun(target, s, n);
                // Reliance invalidation may have moved the registration too.
                if (partner && target === partner && m.version !== registrationVersion) await compare(m, n, 'reliance invalidation');
                // A final state refuses everything alike: a few refused steps there are enough.
                if (!handled(m.snap).length && ++afterFinal >= 4) break;
              }
              if (partner) await finishWalk(partner, n);
              await finishWalk(m, n);
            },
          ),
          // A walk replays dozens of HTTP requests, so shrinking one takes minutes: by default the first
          // failing walk is reported as found (its message names the step, request, answer and model);
          // HOSTILE_SHRINK=1 shrinks it.
          { ...fcParams(Math.max(1, Math.round(WALKS * (kind.weight ?? 1)))), endOnFailure: process.env.HOSTILE_SHRINK !== '1' },
        );
        // The accepted path (model transition, answer compared with the machine) must have run:
        // walks that were only ever refused would pass vacuously.
        expect(accepted - acceptedBefore, `no step of the ${kind.name} walks was accepted`).toBeGreaterThan(0);
      },
      300_000,
    );
  }

  it('every hash chain of the database verifies after the walks', async () => {
    const v = await verifyDatabase(ctx.services.db.knex);
    expect(v.breaks).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.submissions).toBe(known.size);
  });
});
