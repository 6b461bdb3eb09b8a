/**
 * Random walks against the API, checked step by step against the pure machine (issue 3).
 *
 * fast-check generates walks of events (and document uploads) from every role: manufacturer,
 * fda, cofepris, auditor, admin and another organization's manufacturer, on fda-510k (eSTAR and
 * eCopy) and cofepris-registration (several routes and references), with valid-or-invalid
 * payloads, effective dates, comments, signatures and If-Match headers. The test keeps its own
 * model of each submission: the machine from the workflow file, advanced with xstate's pure
 * `initialTransition()` / `transition()` by the accepted events only, plus the role rules
 * (`definition.events[type].roles`), visibility (another organization, admin, the other
 * jurisdiction's regulator -> 404), payload validity (its own ajv over the same schemas -> 422),
 * the effectiveAt rules and If-Match. At every step:
 *
 *  - the status is one the model allows (order-agnostic: any failing check's status), and 2xx
 *    exactly when the model accepts;
 *  - the resulting `state` is the machine's, `version` moved by exactly one on an accepted step
 *    and not at all otherwise, the history grew by exactly one record per accepted step (with the
 *    right type / from / to) and still recomputes its hash chain;
 *  - `allowedEvents` for the owner is what the machine handles now and the role may send.
 *
 * HOSTILE_WALKS (default 10) walks of up to HOSTILE_WALK_STEPS (default 40) steps per walk kind.
 */
import fs from 'node:fs';
import http from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNextTransitions, initialTransition, transition, type AnyMachineSnapshot, type StateValue } from 'xstate';
import { cofeprisRegistration } from '../../workflows/cofepris-registration.js';
import { fda510k } from '../../workflows/fda-510k.js';
import type { ReferenceFacts, Role, WorkflowDefinition, WorkflowEvent } from '../../workflows/types.js';
import { Api, body510k, bodyRegistration, daysAgo, type Json } from '../http/helpers.js';
import { createTestContext, testApp, type TestContext, type TestUser } from '../support/fixtures.js';
import { assertContract, chainProblem, echoes, envInt, fcParams } from './support.js';

const WALKS = envInt('HOSTILE_WALKS', 10);
const MAX_STEPS = envInt('HOSTILE_WALK_STEPS', 40);

type ActorKey = 'manufacturer' | 'otherManufacturer' | 'fda' | 'cofepris' | 'auditor' | 'admin';
const ACTORS: readonly ActorKey[] = ['manufacturer', 'otherManufacturer', 'fda', 'cofepris', 'auditor', 'admin'];
const ROLE_OF: Record<ActorKey, Role> = { manufacturer: 'manufacturer', otherManufacturer: 'manufacturer', fda: 'fda', cofepris: 'cofepris', auditor: 'auditor', admin: 'admin' };

// ---------------------------------------------------------------- the oracle's own validator

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const schemaDir = new URL('../../schemas/', import.meta.url);
for (const f of fs.readdirSync(schemaDir).filter((n) => n.endsWith('.json'))) ajv.addSchema(JSON.parse(fs.readFileSync(new URL(f, schemaDir), 'utf8')) as object);
const sendEventValid = ajv.getSchema('https://puente.dev/schemas/send-event.json')!;
const uploadQueryValid = ajv.getSchema('https://puente.dev/schemas/upload-document-query.json')!;
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

// ---------------------------------------------------------------- dates

const todayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const utcPlusDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- the model

function statePath(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value)[0] ?? [];
  if (key === undefined) return '';
  return child === undefined || (typeof child === 'object' && Object.keys(child).length === 0) ? key : `${key}.${statePath(child as StateValue)}`;
}

/** Events the snapshot's active states handle (guards not evaluated). */
function handled(snap: AnyMachineSnapshot): string[] {
  return [...new Set(getNextTransitions(snap).map((t) => t.eventType).filter((t): t is string => Boolean(t) && t !== '*'))];
}

interface RefSpec {
  readonly favourable: boolean;
  readonly decision: string | null;
  readonly decisionDate: string | null;
  readonly external: boolean;
}

interface Model {
  readonly w: WorkflowDefinition;
  readonly id: string;
  readonly input: Record<string, unknown>;
  readonly ref?: RefSpec;
  snap: AnyMachineSnapshot;
  version: number;
  history: number;
  /** The previous regulatory event's effectiveAt: a date, server time, or none yet. */
  lastEff: { date: string } | 'now' | null;
  present: Set<string>;
}

const visible = (m: Model, a: ActorKey): boolean =>
  a === 'manufacturer' || a === 'auditor' || (a === 'fda' && m.w.jurisdiction === 'FDA') || (a === 'cofepris' && m.w.jurisdiction === 'COFEPRIS');

function factsFor(m: Model, type: string): WorkflowEvent['facts'] {
  const wanted = m.w.factsFor?.[type];
  if (!wanted) return undefined;
  const facts: { dossierMissing?: string[]; reference?: ReferenceFacts } = {};
  if (wanted.includes('dossierMissing')) facts.dossierMissing = m.w.dossier(m.input).map((d) => d.kind).filter((k) => !m.present.has(k));
  if (wanted.includes('reference') && m.ref) {
    facts.reference = {
      label: 'reference',
      decision: m.ref.decision,
      decisionDate: m.ref.decisionDate,
      favourable: m.ref.favourable,
      status: 'model',
      external: m.ref.external,
      letterOnFile: m.present.has('fda-decision-letter'),
      agency: 'FDA',
      deviceClass: null,
      authorizationType: 'ordinary',
    };
  }
  return facts;
}

// ---------------------------------------------------------------- steps

type TypeMode = 'guided' | 'any' | 'unknown' | 'malformed';
type DataMode = 'example' | 'empty' | 'omit' | 'extra' | 'wrongType' | 'notObject' | 'random';
type EffMode = 'omit' | 'next' | 'past' | 'future' | 'garbage' | 'tooLong';

interface EventStep {
  readonly kind: 'event';
  readonly typeMode: TypeMode;
  readonly pick: number;
  readonly actor: ActorKey | 'fit';
  readonly data: DataMode;
  readonly randomData: Record<string, unknown>;
  readonly eff: EffMode;
  readonly days: number;
  readonly comment: 'none' | 'ok' | 'empty' | 'long';
  readonly signature: 'none' | 'ok' | 'empty' | 'extra';
  readonly ifMatch: 'none' | 'current' | 'weak' | 'star' | 'stale' | 'junk';
}

interface UploadStep {
  readonly kind: 'upload';
  readonly actor: ActorKey | 'fit';
  readonly kindMode: 'missing' | 'dossier' | 'other' | 'invalid';
  readonly pick: number;
  readonly empty: boolean;
  readonly badName: boolean;
}

type Step = EventStep | UploadStep;

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });

const eventStep: fc.Arbitrary<EventStep> = fc.record({
  kind: fc.constant('event' as const),
  typeMode: fc.oneof(w(12, fc.constant<TypeMode>('guided')), w(3, fc.constant<TypeMode>('any')), w(1, fc.constant<TypeMode>('unknown')), w(1, fc.constant<TypeMode>('malformed'))),
  pick: fc.nat(1000),
  actor: fc.oneof(w(10, fc.constant<'fit'>('fit')), w(5, fc.constantFrom(...ACTORS))),
  data: fc.oneof(w(12, fc.constant<DataMode>('example')), w(1, fc.constantFrom<DataMode>('empty', 'omit', 'extra', 'wrongType', 'notObject', 'random'))),
  randomData: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) as fc.Arbitrary<Record<string, unknown>>,
  eff: fc.oneof(w(8, fc.constant<EffMode>('next')), w(4, fc.constant<EffMode>('omit')), w(1, fc.constantFrom<EffMode>('past', 'future', 'garbage', 'tooLong'))),
  days: fc.nat(6),
  comment: fc.oneof(w(12, fc.constant('none' as const)), w(6, fc.constant('ok' as const)), w(1, fc.constantFrom('empty' as const, 'long' as const))),
  signature: fc.oneof(w(12, fc.constant('none' as const)), w(6, fc.constant('ok' as const)), w(1, fc.constantFrom('empty' as const, 'extra' as const))),
  ifMatch: fc.oneof(w(10, fc.constant('none' as const)), w(3, fc.constantFrom('current' as const, 'weak' as const, 'star' as const)), w(1, fc.constantFrom('stale' as const, 'junk' as const))),
});

const uploadStep: fc.Arbitrary<UploadStep> = fc.record({
  kind: fc.constant('upload' as const),
  actor: fc.oneof(w(3, fc.constant<'fit'>('fit')), w(1, fc.constantFrom(...ACTORS))),
  kindMode: fc.oneof(w(4, fc.constant('missing' as const)), w(1, fc.constantFrom('dossier' as const, 'other' as const, 'invalid' as const))),
  pick: fc.nat(1000),
  empty: fc.oneof(w(12, fc.constant(false)), w(1, fc.constant(true))),
  badName: fc.oneof(w(12, fc.constant(false)), w(1, fc.constant(true))),
});

const stepArb: fc.Arbitrary<Step> = fc.oneof(w(5, eventStep), w(1, uploadStep));

/** Example payloads, as a client would send them; whether they are valid is the oracle's call. */
const EXAMPLE_DATA: Record<string, Record<string, unknown>> = {
  FEE_PAID: { receipt: 'MDUFA-1' },
  SCREEN_FAIL: { reasons: ['missing biocompatibility'] },
  REFUSE_TO_ACCEPT: { reasons: ['missing element'] },
  RTA_RESPONSE: { summary: 'added the missing elements' },
  SUBSTANTIVE_INTERACTION: { summary: 'SI letter sent' },
  REQUEST_AI: { deficiencies: ['biocompatibility', 'software'] },
  AI_RESPONSE: { summary: 'complete response' },
  DECIDE_SE: { kNumber: 'K261234', decisionDate: daysAgo(3) },
  DECIDE_NSE: { reason: 'new intended use', decisionDate: daysAgo(3) },
  WITHDRAW: { reason: 'business decision' },
  RESCIND_SE: { reason: 'error in the record' },
  'fda-510k:SUBMIT': {},
  SUBMIT: { folio: 'CIS-2026-1' },
  ISSUE_PREVENCION: { items: ['Spanish label'] },
  RESPOND_PREVENCION: { summary: 'label attached' },
  GRANT: { registrationNumber: 'RS-2026-0001' },
  DENY: { reason: 'insufficient evidence' },
  DESIST: { reason: 'market exit' },
  REVOKE: { reason: 'fraud' },
  REFERENCE_INVALIDATED: { reason: 'rescinded' },
};

// ---------------------------------------------------------------- fixtures

let ctx: TestContext;
let server: http.Server;
let api: Api;
let stepsRun = 0;
let accepted = 0;
const statesSeen = new Set<string>();
const statusCounts = new Map<number, number>();
let clearedRef: { id: string; decisionDate: string };
let unclearedRef: string;
const WALK_START = daysAgo(300);

beforeAll(async () => {
  ctx = await createTestContext();
  const app = testApp(ctx);
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = new Api(app);
  const { manufacturer: m, fda } = ctx.users;
  clearedRef = { id: await api.cleared510k(m, fda, { kNumber: 'K260222', decisionDaysAgo: 320 }), decisionDate: daysAgo(320) };
  const inReview = await api.create(m, body510k('Uncleared reference'));
  await api.send(m, inReview.id, 'SUBMIT', { effectiveAt: daysAgo(330) });
  unclearedRef = inReview.id as string;
}, 120_000);

afterAll(async () => {
  console.log(
    `hostile random walks: ${stepsRun} steps, ${accepted} accepted; statuses ${JSON.stringify(Object.fromEntries([...statusCounts].sort((a, b) => a[0] - b[0])))}; states reached ${[...statesSeen].sort().join(', ')}`,
  );
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await ctx?.close();
});

interface WalkKind {
  readonly name: string;
  readonly w: WorkflowDefinition;
  body(): Json;
  readonly ref?: () => RefSpec;
  /** COFEPRIS: upload the dossier before the walk (none / all but one / all). */
  readonly preUpload: boolean;
}

const WALK_KINDS: readonly WalkKind[] = [
  { name: 'fda-510k eSTAR', w: fda510k, body: () => body510k('Walk eSTAR', { format: 'eSTAR', variant: 'traditional' }), preUpload: false },
  { name: 'fda-510k eCopy', w: fda510k, body: () => body510k('Walk eCopy', { format: 'eCopy', variant: 'special' }), preUpload: false },
  {
    name: 'cofepris-registration equivalence, cleared FDA submission',
    w: cofeprisRegistration,
    body: () => bodyRegistration({ submissionId: clearedRef.id }, 'equivalence', 'Walk equivalence'),
    ref: () => ({ favourable: true, decision: 'SE', decisionDate: clearedRef.decisionDate, external: false }),
    preUpload: true,
  },
  {
    name: 'cofepris-registration abbreviated, external FDA decision',
    w: cofeprisRegistration,
    body: () => bodyRegistration({ agency: 'FDA', number: 'K231234', decisionDate: daysAgo(400), decision: 'SE' }, 'abbreviated', 'Walk abbreviated'),
    ref: () => ({ favourable: true, decision: 'SE', decisionDate: daysAgo(400), external: true }),
    preUpload: true,
  },
  {
    name: 'cofepris-registration equivalence, FDA submission not cleared',
    w: cofeprisRegistration,
    body: () => bodyRegistration({ submissionId: unclearedRef }, 'equivalence', 'Walk uncleared'),
    ref: () => ({ favourable: false, decision: null, decisionDate: null, external: false }),
    preUpload: true,
  },
];

function user(a: ActorKey): TestUser {
  return ctx.users[a];
}

function fail(m: Model, step: number, what: string): never {
  throw new Error(`walk on ${m.w.id} ${m.id}, step ${step} (state ${statePath(m.snap.value)}, version ${m.version}): ${what}`);
}

// ---------------------------------------------------------------- one step: send, predict, compare

interface Prediction {
  /** Statuses the model allows; 200/201 only when it accepts. */
  readonly allowed: ReadonlySet<number>;
  readonly accept: boolean;
  readonly why: string;
}

function fitActor(roles: readonly Role[], pick: number): ActorKey {
  const human = ACTORS.filter((a) => a !== 'otherManufacturer' && roles.includes(ROLE_OF[a]));
  return human.length ? human[pick % human.length]! : (['auditor', 'admin'] as const)[pick % 2]!;
}

async function eventStepRun(m: Model, s: EventStep, n: number): Promise<void> {
  const types = Object.keys(m.w.events);
  let type: string;
  switch (s.typeMode) {
    case 'guided': {
      // Mostly events that move the submission on, so walks get deep before WITHDRAW / DESIST.
      const h = handled(m.snap);
      const onward = h.filter((t) => t !== 'WITHDRAW' && t !== 'DESIST');
      const pool = onward.length && s.pick % 8 !== 0 ? onward : h.length ? h : types;
      type = pool[s.pick % pool.length]!;
      break;
    }
    case 'any':
      type = types[s.pick % types.length]!;
      break;
    case 'unknown': {
      const foreign = (m.w === fda510k ? Object.keys(cofeprisRegistration.events) : Object.keys(fda510k.events)).filter((t) => !m.w.events[t]);
      const pool = [...foreign, 'NOT_AN_EVENT', 'CREATED', 'DOCUMENT_ADDED', 'SUBMIT_X'];
      type = pool[s.pick % pool.length]!;
      break;
    }
    default:
      type = ['submit', '', 'SUBMIT ', '1SUBMIT', 'A'.repeat(65), '__proto__', 'SUBMIT\n'][s.pick % 7]!;
  }
  const spec = m.w.events[type];
  const actor = s.actor === 'fit' ? fitActor(spec?.roles ?? [], s.pick) : s.actor;

  const example = EXAMPLE_DATA[`${m.w.id}:${type}`] ?? EXAMPLE_DATA[type] ?? {};
  let data: unknown;
  switch (s.data) {
    case 'example':
      data = example;
      break;
    case 'empty':
      data = {};
      break;
    case 'omit':
      data = undefined;
      break;
    case 'extra':
      data = { ...example, unexpected: true };
      break;
    case 'wrongType': {
      const k = Object.keys(example)[0];
      data = k ? { ...example, [k]: 42 } : { x: 42 };
      break;
    }
    case 'notObject':
      data = [['x'], 'x', null, 7][s.pick % 4];
      break;
    default:
      data = s.randomData;
  }

  const tz = m.w.timeZone;
  let effectiveAt: string | undefined;
  switch (s.eff) {
    case 'omit':
      break;
    case 'next': {
      // A plausible next date: a few days after the previous one (or server time after server time).
      if (m.lastEff === 'now') break;
      const base = m.lastEff ? m.lastEff.date : WALK_START;
      const d = addDays(base, s.days);
      effectiveAt = d > daysAgo(2) ? daysAgo(2) : d;
      break;
    }
    case 'past':
      effectiveAt = '2000-01-03';
      break;
    case 'future':
      effectiveAt = utcPlusDays(3);
      break;
    case 'garbage':
      effectiveAt = ['2026-02-30', 'yesterday', '2026-11-28T10:00', '28/11/2026', '2026-13-01'][s.pick % 5];
      break;
    default:
      effectiveAt = '2'.repeat(41);
  }

  const body: Record<string, unknown> = { type };
  if (data !== undefined) body.data = data;
  if (effectiveAt !== undefined) body.effectiveAt = effectiveAt;
  if (s.comment !== 'none') body.comment = s.comment === 'ok' ? 'per the letter on file' : s.comment === 'empty' ? '' : 'c'.repeat(4001);
  if (s.signature !== 'none') body.signature = s.signature === 'ok' ? { meaning: 'review' } : s.signature === 'empty' ? { meaning: '' } : { meaning: 'review', at: 'now' };

  const headers: Record<string, string> = {};
  if (s.ifMatch === 'current') headers['If-Match'] = `"${m.version}"`;
  if (s.ifMatch === 'weak') headers['If-Match'] = `W/"${m.version}"`;
  if (s.ifMatch === 'star') headers['If-Match'] = '*';
  if (s.ifMatch === 'stale') headers['If-Match'] = `"${m.version - 1}"`;
  if (s.ifMatch === 'junk') headers['If-Match'] = 'version-seven';

  // ---- the model's prediction
  const prediction = ((): Prediction & { event?: WorkflowEvent; effDate?: string } => {
    if (!sendEventValid(body) || s.ifMatch === 'junk') return { allowed: new Set([422]), accept: false, why: 'body or If-Match invalid before anything is loaded' };
    if (!visible(m, actor)) return { allowed: new Set([404]), accept: false, why: `${actor} may not see this submission` };
    const errs = new Map<number, string>();
    if (s.ifMatch === 'stale') errs.set(412, 'If-Match names an old version');
    if (!spec) {
      errs.set(422, `unknown event ${type}`);
    } else {
      if (!spec.roles.includes(ROLE_OF[actor])) errs.set(403, `role ${ROLE_OF[actor]} may not send ${type}`);
      if (!payloadValid(m.w, type, data ?? {})) errs.set(422, `payload of ${type} invalid`);
      let effDate: string = todayIn(tz);
      if (effectiveAt !== undefined) {
        const refused =
          s.eff === 'garbage' || s.eff === 'future'
            ? 'not a past date'
            : m.lastEff === 'now'
              ? 'before the previous event (server time)'
              : m.lastEff && effectiveAt < m.lastEff.date
                ? 'before the previous event'
                : null;
        if (refused) errs.set(422, `effectiveAt ${effectiveAt}: ${refused}`);
        else effDate = effectiveAt;
      }
      const facts = factsFor(m, type);
      const event: WorkflowEvent = { type, data: (data ?? {}) as Record<string, unknown>, effectiveDate: effDate, ...(facts ? { facts } : {}) };
      if (!m.snap.can(event)) errs.set(409, `${type} not allowed in ${statePath(m.snap.value)}`);
      if (!errs.size) return { allowed: new Set([200]), accept: true, why: 'accepted', event, effDate };
    }
    return { allowed: new Set(errs.keys()), accept: false, why: [...errs.values()].join('; ') };
  })();

  // ---- the API's answer
  const res = await request(server).post(`/v1/submissions/${m.id}/events`).set(user(actor).auth).set(headers).send(body);
  const answer = { status: res.status, headers: res.headers as Record<string, string>, text: res.text };
  statusCounts.set(res.status, (statusCounts.get(res.status) ?? 0) + 1);
  const label = `${actor} sends ${JSON.stringify(body).slice(0, 300)} ${JSON.stringify(headers)}`;
  try {
    assertContract(label, answer, echoes({ path: `/v1/submissions/${m.id}/events`, headers, body: JSON.stringify(body) }), 'POST');
  } catch (e) {
    fail(m, n, (e as Error).message);
  }
  if (!prediction.allowed.has(res.status)) {
    fail(m, n, `${label} -> ${res.status} ${res.text.slice(0, 400)}; the model expected ${[...prediction.allowed].join(' or ')} (${prediction.why})`);
  }

  const before = statePath(m.snap.value);
  if (prediction.accept && prediction.event) {
    const [next] = transition(m.w.machine, m.snap, prediction.event as never);
    m.snap = next;
    m.version++;
    m.history++;
    m.lastEff = effectiveAt === undefined ? 'now' : { date: effectiveAt };
    accepted++;
    const to = statePath(next.value);
    if (res.body.submission?.state !== to) fail(m, n, `${label}: answer state ${res.body.submission?.state}, machine ${to}`);
    if (res.body.submission?.version !== m.version) fail(m, n, `${label}: answer version ${res.body.submission?.version}, expected ${m.version}`);
    if (res.headers.etag !== `"${m.version}"`) fail(m, n, `${label}: ETag ${res.headers.etag}, expected "${m.version}"`);
    const t = res.body.transition as Json;
    if (t?.type !== type || t?.from !== before || t?.to !== to || t?.seq !== m.history || t?.actor?.role !== ROLE_OF[actor]) {
      fail(m, n, `${label}: transition record ${JSON.stringify(t).slice(0, 400)} is not ${type} ${before} -> ${to} seq ${m.history} by ${ROLE_OF[actor]}`);
    }
  }
  await compare(m, n, label, prediction.accept ? { type, from: before } : undefined);
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
      kind = ['cover-letter', 'correspondence', 'x'][s.pick % 3]!;
      break;
    default:
      kind = ['Cover Letter', '-x', 'a'.repeat(65), '', 'kind/../x'][s.pick % 5]!;
  }
  const filename = s.badName ? ['a/b.pdf', '', 'x'.repeat(256), 'a\u0001b'][s.pick % 4]! : `${kind || 'file'}.pdf`;
  const actor = s.actor === 'fit' ? (m.w.jurisdiction === 'FDA' ? (['manufacturer', 'fda'] as const) : (['manufacturer', 'cofepris'] as const))[s.pick % 2]! : s.actor;
  const bytes = s.empty ? Buffer.alloc(0) : Buffer.from(`%PDF-1.7\n% ${kind} for ${m.id} step ${n}\n%%EOF\n`);

  const prediction = ((): Prediction => {
    if (!uploadQueryValid({ kind, filename }) || bytes.length === 0) return { allowed: new Set([422]), accept: false, why: 'query or body invalid' };
    if (!visible(m, actor)) return { allowed: new Set([404]), accept: false, why: `${actor} may not see this submission` };
    const may = ROLE_OF[actor] === 'manufacturer' || (actor === 'fda' && m.w.jurisdiction === 'FDA') || (actor === 'cofepris' && m.w.jurisdiction === 'COFEPRIS');
    if (!may) return { allowed: new Set([403]), accept: false, why: `${actor} may not add documents` };
    return { allowed: new Set([201]), accept: true, why: 'accepted' };
  })();

  const path = `/v1/submissions/${m.id}/documents`;
  const res = await request(server).post(path).query({ kind, filename }).set(user(actor).auth).set('Content-Type', 'application/pdf').send(bytes);
  statusCounts.set(res.status, (statusCounts.get(res.status) ?? 0) + 1);
  const label = `${actor} uploads kind=${JSON.stringify(kind)} filename=${JSON.stringify(filename.slice(0, 40))} (${bytes.length} bytes)`;
  try {
    assertContract(label, { status: res.status, headers: res.headers as Record<string, string>, text: res.text }, echoes({ path: `${path}?kind=${encodeURIComponent(kind)}&filename=${encodeURIComponent(filename)}` }), 'POST');
  } catch (e) {
    fail(m, n, (e as Error).message);
  }
  if (!prediction.allowed.has(res.status)) {
    fail(m, n, `${label} -> ${res.status} ${res.text.slice(0, 400)}; the model expected ${[...prediction.allowed].join(' or ')} (${prediction.why})`);
  }
  if (prediction.accept) {
    m.version++;
    m.history++;
    m.present.add(kind);
    accepted++;
  }
  const st = statePath(m.snap.value);
  await compare(m, n, label, prediction.accept ? { type: 'DOCUMENT_ADDED', from: st } : undefined);
}

/** Reads the submission (as its owner) and its history (as the auditor) and compares with the model. */
async function compare(m: Model, n: number, label: string, last?: { type: string; from: string }): Promise<void> {
  stepsRun++;
  const state = statePath(m.snap.value);
  statesSeen.add(`${m.w.id}:${state}`);
  const s = await request(server).get(`/v1/submissions/${m.id}`).set(user('manufacturer').auth);
  if (s.status !== 200) fail(m, n, `GET submission after "${label}": ${s.status} ${s.text.slice(0, 300)}`);
  if (s.body.state !== state) fail(m, n, `after "${label}": API state ${s.body.state}, machine state ${state}`);
  if (s.body.version !== m.version) fail(m, n, `after "${label}": API version ${s.body.version}, expected ${m.version}`);
  if (s.body.status !== (state.startsWith('closed') ? 'closed' : 'active')) fail(m, n, `after "${label}": status ${s.body.status} in state ${state}`);
  const allowed = handled(m.snap).filter((t) => m.w.events[t]?.roles.includes('manufacturer')).sort();
  if (JSON.stringify([...(s.body.allowedEvents as string[])].sort()) !== JSON.stringify(allowed)) {
    fail(m, n, `after "${label}": allowedEvents for the manufacturer ${JSON.stringify(s.body.allowedEvents)}, machine ${JSON.stringify(allowed)}`);
  }
  const h = await request(server).get(`/v1/submissions/${m.id}/history`).set(user('auditor').auth);
  if (h.status !== 200) fail(m, n, `GET history after "${label}": ${h.status}`);
  const items = h.body.items as Array<Record<string, unknown>>;
  if (items.length !== m.history) fail(m, n, `after "${label}": history has ${items.length} records, expected ${m.history}`);
  const tail = items[items.length - 1];
  if (last && (tail?.type !== last.type || tail?.from !== last.from || tail?.to !== state)) {
    fail(m, n, `after "${label}": last history record ${String(tail?.type)} ${String(tail?.from)} -> ${String(tail?.to)}, expected ${last.type} ${last.from} -> ${state}`);
  }
  const broken = chainProblem(items);
  if (broken) fail(m, n, `after "${label}": hash chain ${broken}`);
}

// ---------------------------------------------------------------- the walks

async function startWalk(kind: WalkKind, preUpload: 'none' | 'allButOne' | 'all'): Promise<Model> {
  const body = kind.body() as Record<string, unknown>;
  const input = body.input as Record<string, unknown>;
  const created = await api.create(ctx.users.manufacturer, body);
  const [initial] = initialTransition(kind.w.machine, input as never);
  const m: Model = {
    w: kind.w,
    id: created.id as string,
    input,
    ...(kind.ref ? { ref: kind.ref() } : {}),
    snap: initial,
    version: 1,
    history: 1,
    lastEff: null,
    present: new Set(),
  };
  expect(created.state, 'created state').toBe(statePath(initial.value));
  if (kind.preUpload && preUpload !== 'none') {
    const kinds = kind.w.dossier(input).map((d) => d.kind);
    for (const k of preUpload === 'all' ? kinds : kinds.slice(0, -1)) {
      const res = await api.upload(ctx.users.manufacturer, m.id, k, Buffer.from(`%PDF-1.7\n% ${k}\n`));
      expect(res.status, res.text).toBe(201);
      m.version++;
      m.history++;
      m.present.add(k);
    }
  }
  await compare(m, 0, 'creation');
  return m;
}

describe(`random walks against the machine (${WALKS} walks of up to ${MAX_STEPS} steps per kind)`, () => {
  for (const kind of WALK_KINDS) {
    it(kind.name, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom<'none' | 'allButOne' | 'all'>('all', 'allButOne', 'none'), fc.array(stepArb, { minLength: Math.min(5, MAX_STEPS), maxLength: MAX_STEPS, size: 'max' }), async (pre, steps) => {
          const m = await startWalk(kind, pre);
          let n = 0;
          for (const s of steps) {
            n++;
            if (s.kind === 'event') await eventStepRun(m, s, n);
            else await uploadStepRun(m, s, n);
          }
        }),
        fcParams(WALKS),
      );
    }, 300_000);
  }
});
