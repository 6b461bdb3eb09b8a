/**
 * The PMA machine against reference/domain.md §5.3 (with §1.3 and the brief's additions: the
 * 30-day notice path of 21 CFR 814.39(f) and the withdrawal of approval of 814.46),
 * exhaustively: for every creation input (original, resubmitted original, each supplement type)
 * every state reachable from `draft` (found by `xstate/graph`) is visited, and in each one every
 * event type declared in `fdaPma.events` is sent with the pure `transition()`. The expected
 * outcome comes from `TABLE` below, transcribed by hand from domain.md, never from the machine.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { activeDeadline } from '../../src/engine/definitions.js';
import type { FieldError } from '../../src/errors.js';
import { createValidator, eventSchemaId, inputSchemaId } from '../../src/validation.js';
import { NUMBER_PATTERNS } from '../../workflows/common.js';
import { approvalNumberProblem, fdaPma, type FdaPmaContext, type FdaPmaInput } from '../../workflows/fda-pma.js';
import type { GoalSpec, StateMeta, WorkflowEvent } from '../../workflows/types.js';
import { reasonsText } from '../../src/messages/format.js';
import { createMachineHarness, pathOf, type TableRow, rolesByEvent } from '../support/machine-harness.js';

/** What a table row may be limited to: the kind of submission. */
type Kind = 'original' | 'panel-track' | '180-day' | 'real-time' | '30-day-notice';

interface Variant {
  readonly name: string;
  readonly kind: Kind;
  readonly input: FdaPmaInput;
  /** The number FDA puts on this submission's approval order. */
  readonly approvalNumber: string;
}

const PARENT = 'P170019';
const VARIANTS: readonly Variant[] = [
  { name: 'original PMA', kind: 'original', input: {}, approvalNumber: 'P250001' },
  { name: 'resubmitted original PMA', kind: 'original', input: { pmaNumber: PARENT }, approvalNumber: PARENT },
  { name: 'panel-track supplement', kind: 'panel-track', input: { supplementType: 'panel-track', pmaNumber: PARENT }, approvalNumber: `${PARENT}/S012` },
  { name: '180-day supplement', kind: '180-day', input: { supplementType: '180-day', pmaNumber: PARENT }, approvalNumber: `${PARENT}/S013` },
  { name: 'real-time supplement', kind: 'real-time', input: { supplementType: 'real-time', pmaNumber: PARENT }, approvalNumber: `${PARENT}/S014` },
  { name: '30-day notice', kind: '30-day-notice', input: { supplementType: '30-day-notice', pmaNumber: PARENT }, approvalNumber: `${PARENT}/S015` },
];

const machine = fdaPma.machine;

// ---------------------------------------------------------------------------------------------
// reference/domain.md §5.3, transcribed. `from` is a dotted state path, `review.*` / `mdlHold.*`
// (any sub-state) or `*` (any state that is not an outcome). `kinds` limits a row to some
// submission kinds. `to: 'self'` = the state stays and the event is recorded in the context.
// ---------------------------------------------------------------------------------------------

/** DESIGN §4 catalog table: the final outcomes of `fda-pma`. */
const DESIGN_OUTCOMES = ['approved', 'closed.denied', 'closed.notFiled', 'closed.withdrawn'];
/** Outcomes the brief adds: 814.46 withdrawal of approval, and the two ends of a 30-day notice. */
const OTHER_OUTCOMES = ['closed.approvalWithdrawn', 'inEffect', 'closed.noticeInadequate'];
/** No sponsor withdrawal from an outcome (an approval is withdrawn by FDA only). */
const OUTCOMES = [...DESIGN_OUTCOMES, ...OTHER_OUTCOMES];

const ORIGINAL_LIKE: Kind[] = ['original', 'panel-track'];
const REVIEWED_SUPPLEMENTS: Kind[] = ['180-day', 'real-time'];

interface Row extends TableRow {
  readonly kinds?: readonly Kind[];
  readonly source: string;
}

const TABLE: readonly Row[] = [
  { from: 'draft', event: 'SUBMIT', to: 'received', source: '#1' },
  { from: 'received', event: 'FEE_VERIFIED', to: 'acceptanceReview', kinds: ORIGINAL_LIKE, source: '#2; §1.3 acceptance: originals and panel-track' },
  { from: 'received', event: 'FEE_VERIFIED', to: 'review.substantive', kinds: REVIEWED_SUPPLEMENTS, source: '§1.3 (no acceptance/filing review listed)' },
  { from: 'received', event: 'FEE_VERIFIED', to: 'noticePeriod', kinds: ['30-day-notice'], source: '§1.3 30-day notice' },
  { from: 'received', event: 'FEE_UNPAID', to: 'userFeeHold', source: '§1.0 user fee hold' },
  { from: 'userFeeHold', event: 'FEE_PAID', to: 'received', source: '§1.0' },
  { from: 'acceptanceReview', event: 'ACCEPT', to: 'filingReview', source: '#3' },
  { from: 'acceptanceReview', event: 'REFUSE_TO_ACCEPT', to: 'rtaHold', source: '#4' },
  { from: 'rtaHold', event: 'RTA_RESPONSE', to: 'acceptanceReview', source: 'as 510(k) #12' },
  { from: 'rtaHold', event: 'RTA_TIMEOUT', to: 'closed.withdrawn', source: '#4 (180 days assumed)' },
  { from: 'filingReview', event: 'FILE', to: 'review.substantive', source: '#5' },
  { from: 'filingReview', event: 'REFUSE_TO_FILE', to: 'closed.notFiled', source: '#6' },
  { from: 'review.substantive', event: 'SUBSTANTIVE_INTERACTION', to: 'review.interactive', source: '#7' },
  {
    from: 'review.*',
    event: 'ISSUE_MDL',
    to: 'mdlHold.responseWindow',
    kinds: ['original', 'panel-track', '180-day', '30-day-notice'],
    source: '#8 (no MDL for real-time supplements)',
  },
  { from: 'mdlHold.responseWindow', event: 'EXTEND_MDL_RESPONSE', to: 'mdlHold.extendedWindow', source: '#8 (extendable up to 360)' },
  { from: 'mdlHold.*', event: 'MAJOR_AMENDMENT', to: 'review.substantive', source: '#9' },
  { from: 'mdlHold.*', event: 'MDL_TIMEOUT', to: 'closed.withdrawn', source: '#10' },
  { from: 'review.*', event: 'UNSOLICITED_MAJOR_AMENDMENT', to: 'self', source: '#11' },
  { from: 'review.*', event: 'REFER_TO_PANEL', to: 'advisoryPanel', source: '#12' },
  { from: 'advisoryPanel', event: 'PANEL_RECOMMENDATION', to: 'review.postPanel', source: '#13' },
  { from: 'review.*', event: 'ISSUE_APPROVAL_ORDER', to: 'approved', source: '#14, #17' },
  { from: 'review.*', event: 'ISSUE_APPROVABLE', to: 'approvable', source: '#15' },
  { from: 'approvable', event: 'APPROVABLE_RESPONSE', to: 'review.final', source: '#16' },
  { from: 'review.*', event: 'ISSUE_NOT_APPROVABLE', to: 'notApprovable', source: '#18' },
  { from: 'notApprovable', event: 'AMENDMENT', to: 'review.substantive', source: '#19' },
  { from: 'notApprovable', event: 'NOT_APPROVABLE_TIMEOUT', to: 'closed.withdrawn', source: '#18 (180 days assumed)' },
  { from: 'review.*', event: 'ISSUE_DENIAL', to: 'closed.denied', source: '#20' },
  { from: 'notApprovable', event: 'ISSUE_DENIAL', to: 'closed.denied', source: '#20' },
  { from: '*', event: 'WITHDRAW', to: 'closed.withdrawn', source: '#21' },
  { from: 'noticePeriod', event: 'NOTICE_PERIOD_TIMEOUT', to: 'inEffect', source: '§5.3 "distribute on day 30"; 814.39(f)' },
  { from: 'noticePeriod', event: 'FDA_OBJECTS', to: 'closed.noticeInadequate', source: '§5.3 "unless FDA_OBJECTS"; 814.39(f)' },
  { from: 'approved', event: 'WITHDRAW_APPROVAL', to: 'closed.approvalWithdrawn', source: '§4 note 4 (PMA withdrawal); 814.46' },
];

// ---------------------------------------------------------------------------------------------
// One valid event of each declared type, dated as the engine dates every event.
// ---------------------------------------------------------------------------------------------

const ON = '2026-03-02';
const EVENTS: Record<string, WorkflowEvent> = {
  SUBMIT: { type: 'SUBMIT' },
  FEE_VERIFIED: { type: 'FEE_VERIFIED' },
  FEE_UNPAID: { type: 'FEE_UNPAID' },
  FEE_PAID: { type: 'FEE_PAID', data: { receipt: 'Pay.gov 26-0003' } },
  ACCEPT: { type: 'ACCEPT' },
  REFUSE_TO_ACCEPT: { type: 'REFUSE_TO_ACCEPT', data: { reasons: ['Clinical study report missing'] } },
  RTA_RESPONSE: { type: 'RTA_RESPONSE', data: { summary: 'Clinical study report added' } },
  RTA_TIMEOUT: { type: 'RTA_TIMEOUT' },
  FILE: { type: 'FILE' },
  REFUSE_TO_FILE: { type: 'REFUSE_TO_FILE', data: { reasons: ['Insufficient clinical data to file'] } },
  SUBSTANTIVE_INTERACTION: { type: 'SUBSTANTIVE_INTERACTION', data: { summary: 'Interactive review' } },
  ISSUE_MDL: { type: 'ISSUE_MDL', data: { deficiencies: ['Provide 2-year follow-up data'] } },
  EXTEND_MDL_RESPONSE: { type: 'EXTEND_MDL_RESPONSE', data: { reason: 'Follow-up data due in month 9' } },
  MAJOR_AMENDMENT: { type: 'MAJOR_AMENDMENT', data: { summary: '2-year follow-up data' } },
  MDL_TIMEOUT: { type: 'MDL_TIMEOUT' },
  UNSOLICITED_MAJOR_AMENDMENT: { type: 'UNSOLICITED_MAJOR_AMENDMENT', data: { summary: 'New sterilization validation' } },
  REFER_TO_PANEL: { type: 'REFER_TO_PANEL', data: { panel: 'Circulatory System Devices Panel', requestedBySponsor: false } },
  PANEL_RECOMMENDATION: { type: 'PANEL_RECOMMENDATION', data: { recommendation: 'approval-with-conditions', meetingDate: '2026-05-05' } },
  ISSUE_APPROVAL_ORDER: { type: 'ISSUE_APPROVAL_ORDER', data: { pmaNumber: 'set per variant', decisionDate: '2026-09-01' } },
  ISSUE_APPROVABLE: { type: 'ISSUE_APPROVABLE', data: { conditions: ['Final labeling'] } },
  APPROVABLE_RESPONSE: { type: 'APPROVABLE_RESPONSE', data: { summary: 'Final labeling submitted' } },
  ISSUE_NOT_APPROVABLE: { type: 'ISSUE_NOT_APPROVABLE', data: { deficiencies: ['Effectiveness endpoint not met'] } },
  AMENDMENT: { type: 'AMENDMENT', data: { summary: 'Re-analysis of the primary endpoint' } },
  NOT_APPROVABLE_TIMEOUT: { type: 'NOT_APPROVABLE_TIMEOUT' },
  ISSUE_DENIAL: { type: 'ISSUE_DENIAL', data: { reasons: ['No reasonable assurance of effectiveness'], decisionDate: '2026-09-02' } },
  FDA_OBJECTS: { type: 'FDA_OBJECTS', data: { reasons: ['Change affects the sterilization process'] } },
  NOTICE_PERIOD_TIMEOUT: { type: 'NOTICE_PERIOD_TIMEOUT' },
  WITHDRAW: { type: 'WITHDRAW', data: { reason: 'Business decision' } },
  WITHDRAW_APPROVAL: { type: 'WITHDRAW_APPROVAL', data: { reason: 'Post-approval study not conducted (814.46(a)(2))' } },
};

function ev(type: string, v: Variant, effectiveDate = ON): WorkflowEvent {
  const e = EVENTS[type];
  if (!e) throw new Error(`no test event for ${type}`);
  if (type === 'ISSUE_APPROVAL_ORDER') return { ...e, data: { ...e.data, pmaNumber: v.approvalNumber }, effectiveDate };
  return { ...e, effectiveDate };
}

/** The project's own validator (ajv strict, as the API runs it) with this workflow's schemas. */
const validator = createValidator([fdaPma]);
function schemaErrors(schemaId: string, data: unknown, prefix = '/data'): FieldError[] | null {
  try {
    validator.check(schemaId, data, prefix);
    return null;
  } catch (e) {
    // The pointer and the English message (each also carries its catalog code and params).
    return ((e as { errors?: FieldError[] }).errors ?? [{ path: '?', message: String(e) }]).map(({ path, message }) => ({ path, message }));
  }
}
const validData = (type: string, data: unknown) => schemaErrors(eventSchemaId(fdaPma, type), data) === null;

/**
 * The table's harness. The list of unsolicited amendments would grow forever, so the traversal
 * sends at most one per path; every snapshot still gets every event in the per-state checks.
 */
const h = createMachineHarness<Variant, Row>({
  workflow: fdaPma,
  table: TABLE,
  isFinal: (state) => OUTCOMES.includes(state),
  applies: (row, v) => !row.kinds || row.kinds.includes(v.kind),
  event: (type, v) => ev(type, v),
  eventTypes: Object.keys(EVENTS),
  machineInput: (v) => v.input,
  graphEvents: (s, all) => ((s.context as FdaPmaContext).unsolicitedMajorAmendments.length ? all.filter((e) => e.type !== 'UNSOLICITED_MAJOR_AMENDMENT') : all),
});
const reachable = (v: Variant) => h.reachable(v).map((r) => r.snapshot);
const LEAF_PATHS = h.leafPaths;

function run(v: Variant, steps: Array<string | [string, string]>): AnyMachineSnapshot {
  let [s] = initialTransition(machine, v.input) as [AnyMachineSnapshot, unknown];
  for (const step of steps) {
    const [t, on] = typeof step === 'string' ? [step, ON] : step;
    const before = JSON.stringify([s.value, s.context]);
    [s] = transition(machine, s, ev(t, v, on));
    expect(JSON.stringify([s.value, s.context]), `${t} from ${pathOf(s)}`).not.toBe(before);
  }
  return s;
}

const variant = (name: string) => VARIANTS.find((v) => v.name === name)!;

describe('fda-pma test fixtures', () => {
  it('has one test event for every declared event type, each valid against its payload schema for every variant', () => {
    expect(Object.keys(EVENTS).sort()).toEqual(Object.keys(fdaPma.events).sort());
    for (const v of VARIANTS) {
      for (const type of Object.keys(fdaPma.events)) {
        expect(schemaErrors(eventSchemaId(fdaPma, type), ev(type, v).data ?? {}), `${v.name} ${type}`).toBeNull();
      }
      expect(schemaErrors(inputSchemaId(fdaPma), v.input, '/input'), v.name).toBeNull();
    }
  });

  it('the expectation table only names declared events', () => {
    for (const row of TABLE) expect(Object.keys(fdaPma.events)).toContain(row.event);
  });
});

/** Leaves a kind never reaches, derived by hand from §5.3 and §1.3 (not from the table BFS). */
const UNREACHABLE: Record<Kind, string[]> = {
  original: ['closed.noticeInadequate', 'inEffect', 'noticePeriod'],
  'panel-track': ['closed.noticeInadequate', 'inEffect', 'noticePeriod'],
  '180-day': ['acceptanceReview', 'closed.noticeInadequate', 'closed.notFiled', 'filingReview', 'inEffect', 'noticePeriod', 'rtaHold'],
  'real-time': [
    'acceptanceReview',
    'closed.noticeInadequate',
    'closed.notFiled',
    'filingReview',
    'inEffect',
    'mdlHold.extendedWindow',
    'mdlHold.responseWindow',
    'noticePeriod',
    'rtaHold',
  ],
  '30-day-notice': LEAF_PATHS.filter(
    (p) => !['draft', 'received', 'userFeeHold', 'noticePeriod', 'inEffect', 'closed.noticeInadequate', 'closed.withdrawn'].includes(p),
  ),
};

for (const v of VARIANTS) {
  const reached = h.reachable(v);
  const snapshots = reached.map((r) => r.snapshot);

  describe(`fda-pma, ${v.name}`, () => {
    it('starts in draft with the creation input in context', () => {
      const [s] = initialTransition(machine, v.input);
      expect(pathOf(s)).toBe('draft');
      expect(s.context).toEqual({
        supplementType: v.input.supplementType ?? null,
        pmaNumber: v.input.pmaNumber ?? null,
        approvalNumber: null,
        decisionDate: null,
        filedOn: null,
        substantiveInteractionOn: null,
        mdlIssuedOn: null,
        panelReferred: false,
        panelRecommendation: null,
        unsolicitedMajorAmendments: [],
      });
    });

    it(`reaches every leaf state node except those a ${v.kind} never enters`, () => {
      const reached = new Set(snapshots.map(pathOf));
      expect(LEAF_PATHS.filter((p) => !reached.has(p))).toEqual([...UNREACHABLE[v.kind]].sort());
    });

    h.tableTests(v, reached);
  });
}

describe('fda-pma graph coverage', () => {
  const all = new Set<string>();
  for (const v of VARIANTS) for (const s of reachable(v)) all.add(pathOf(s));

  it('every leaf state node is reachable for some input', () => {
    expect(LEAF_PATHS.filter((p) => !all.has(p))).toEqual([]);
  });

  it('every final outcome DESIGN §4 lists for fda-pma is reachable, and so are the added ones', () => {
    for (const outcome of [...DESIGN_OUTCOMES, ...OTHER_OUTCOMES]) expect(all.has(outcome), outcome).toBe(true);
  });

  it('closed.* and inEffect are final states; approved is not (FDA may still withdraw it)', () => {
    const nodes = new Map(getStateNodes(machine.root).map((n) => [n.path.join('.'), n]));
    for (const p of LEAF_PATHS.filter((x) => x.startsWith('closed.') || x === 'inEffect')) expect(nodes.get(p)?.type, p).toBe('final');
    expect(nodes.get('approved')?.type).toBe('atomic');
  });

  it('the machine has exactly the leaf states of the table', () => {
    expect(LEAF_PATHS).toEqual(h.tableStates(OUTCOMES));
  });
});

describe('fda-pma context effects and decisions', () => {
  const original = variant('original PMA');
  const realTime = variant('real-time supplement');

  it('FILE records the filing date (FDA-day origin); SI and MDL dates are recorded', () => {
    const s = run(original, [
      'SUBMIT',
      'FEE_VERIFIED',
      'ACCEPT',
      ['FILE', '2026-02-14'],
      ['SUBSTANTIVE_INTERACTION', '2026-05-15'],
      ['ISSUE_MDL', '2026-05-20'],
    ]);
    expect(pathOf(s)).toBe('mdlHold.responseWindow');
    expect(s.context).toMatchObject({ filedOn: '2026-02-14', substantiveInteractionOn: '2026-05-15', mdlIssuedOn: '2026-05-20' });
    // An MDL that comes first is the Substantive Interaction.
    const t = run(original, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', ['FILE', '2026-02-14'], ['ISSUE_MDL', '2026-05-10']]);
    expect(t.context).toMatchObject({ substantiveInteractionOn: '2026-05-10', mdlIssuedOn: '2026-05-10' });
  });

  it('the MDL response deadline counts from the MDL, before and after an extension', () => {
    let s = run(original, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', ['ISSUE_MDL', '2026-05-10']]);
    expect(activeDeadline(s)).toMatchObject({ event: 'MDL_TIMEOUT', length: 180, anchor: 'mdlIssuedOn' });
    s = run(original, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', ['ISSUE_MDL', '2026-05-10'], ['EXTEND_MDL_RESPONSE', '2026-10-01']]);
    expect(pathOf(s)).toBe('mdlHold.extendedWindow');
    expect(s.context.mdlIssuedOn).toBe('2026-05-10');
    expect(activeDeadline(s)).toMatchObject({ event: 'MDL_TIMEOUT', length: 360, anchor: 'mdlIssuedOn' });
  });

  it('an unsolicited major amendment keeps the state and records how it extends the goal (before / after the SI)', () => {
    let s = run(original, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', ['UNSOLICITED_MAJOR_AMENDMENT', '2026-04-01']]);
    expect(pathOf(s)).toBe('review.substantive');
    expect(s.context.unsolicitedMajorAmendments).toEqual([{ on: '2026-04-01', extension: 'fdaDaysElapsed' }]);
    [s] = transition(machine, s, ev('SUBSTANTIVE_INTERACTION', original, '2026-05-01'));
    [s] = transition(machine, s, ev('UNSOLICITED_MAJOR_AMENDMENT', original, '2026-06-01'));
    expect(pathOf(s)).toBe('review.interactive');
    expect(s.context.unsolicitedMajorAmendments).toEqual([
      { on: '2026-04-01', extension: 'fdaDaysElapsed' },
      { on: '2026-06-01', extension: 'threeQuartersOfFdaDaysSinceFiling' },
    ]);
  });

  it('REFER_TO_PANEL switches to the panel goal; PANEL_RECOMMENDATION records the recommendation', () => {
    const s = run(original, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', 'SUBSTANTIVE_INTERACTION', 'REFER_TO_PANEL', 'PANEL_RECOMMENDATION']);
    expect(pathOf(s)).toBe('review.postPanel');
    expect(s.context).toMatchObject({ panelReferred: true, panelRecommendation: 'approval-with-conditions' });
  });

  it('ISSUE_APPROVAL_ORDER records the P-number and date; the approval is favourable until FDA withdraws it (814.46)', () => {
    let s = run(original, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', 'ISSUE_APPROVABLE', 'APPROVABLE_RESPONSE', 'ISSUE_APPROVAL_ORDER']);
    expect(pathOf(s)).toBe('approved');
    expect(s.context).toMatchObject({ approvalNumber: 'P250001', decisionDate: '2026-09-01' });
    expect(fdaPma.decisionOf?.('approved', s.context)).toEqual({ number: 'P250001', decision: 'approved', decisionDate: '2026-09-01', favourable: true });
    expect(fdaPma.invalidatesReliance?.('approved')).toBe(false);
    [s] = transition(machine, s, ev('WITHDRAW_APPROVAL', original));
    expect(pathOf(s)).toBe('closed.approvalWithdrawn');
    expect(fdaPma.decisionOf?.('closed.approvalWithdrawn', s.context)).toEqual({
      number: 'P250001',
      decision: 'approvalWithdrawn',
      decisionDate: '2026-09-01',
      favourable: false,
    });
    expect(fdaPma.invalidatesReliance?.('closed.approvalWithdrawn')).toBe(true);
  });

  it('a supplement is approved under its supplement number', () => {
    const s = run(realTime, ['SUBMIT', 'FEE_VERIFIED', 'ISSUE_APPROVAL_ORDER']);
    expect(fdaPma.decisionOf?.('approved', s.context)).toMatchObject({ number: `${PARENT}/S014`, decision: 'approved', favourable: true });
  });

  it("ISSUE_DENIAL records the decision date (the letter's, else the effective date), from review or from not approvable", () => {
    let s = run(original, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', 'ISSUE_NOT_APPROVABLE', 'ISSUE_DENIAL']);
    expect(pathOf(s)).toBe('closed.denied');
    expect(fdaPma.decisionOf?.('closed.denied', s.context)).toEqual({ number: null, decision: 'denied', decisionDate: '2026-09-02', favourable: false });
    s = run(original, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE']);
    [s] = transition(machine, s, { type: 'ISSUE_DENIAL', data: {}, effectiveDate: '2026-10-10' });
    expect(s.context.decisionDate).toBe('2026-10-10');
  });

  it('approvable and not approvable letters show as interim, unfavourable decisions dated by the letter', () => {
    let s = run(original, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', ['ISSUE_APPROVABLE', '2026-06-01']]);
    expect(fdaPma.decisionOf?.('approvable', s.context)).toEqual({ number: null, decision: 'approvable', decisionDate: '2026-06-01', favourable: false });
    s = run(original, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE', ['ISSUE_NOT_APPROVABLE', '2026-06-02']]);
    expect(fdaPma.decisionOf?.('notApprovable', s.context)).toEqual({ number: null, decision: 'notApprovable', decisionDate: '2026-06-02', favourable: false });
  });

  it('no decision is shown while undecided, for a 30-day notice, or after a withdrawal or refusal to file', () => {
    const c = run(original, []).context;
    for (const state of [
      'review.substantive',
      'review.final',
      'mdlHold.responseWindow',
      'inEffect',
      'closed.noticeInadequate',
      'closed.withdrawn',
      'closed.notFiled',
    ]) {
      expect(fdaPma.decisionOf?.(state, c), state).toEqual({ number: null, decision: null, decisionDate: null, favourable: false });
    }
  });

  it('every closed.* outcome invalidates reliance; nothing else does', () => {
    for (const p of LEAF_PATHS) expect(fdaPma.invalidatesReliance?.(p), p).toBe(p.startsWith('closed.'));
  });

  it('a 30-day notice takes effect when its period ends, unless FDA objects', () => {
    const notice = variant('30-day notice');
    expect(pathOf(run(notice, ['SUBMIT', 'FEE_VERIFIED', 'NOTICE_PERIOD_TIMEOUT']))).toBe('inEffect');
    expect(pathOf(run(notice, ['SUBMIT', 'FEE_VERIFIED', 'FDA_OBJECTS']))).toBe('closed.noticeInadequate');
  });
});

describe("fda-pma guards explain their refusals (the API's 409 detail)", () => {
  it('no Major Deficiency Letter for a real-time supplement', () => {
    const rt = variant('real-time supplement');
    const s = run(rt, ['SUBMIT', 'FEE_VERIFIED']);
    const e = ev('ISSUE_MDL', rt);
    expect(s.can(e)).toBe(false);
    expect(reasonsText(fdaPma.explainRefusal?.(s.context, e))).toMatch(/no Major Deficiency Letter for real-time supplements/);
    const d = variant('180-day supplement');
    expect(reasonsText(fdaPma.explainRefusal?.(run(d, ['SUBMIT', 'FEE_VERIFIED']).context, ev('ISSUE_MDL', d)))).toBeUndefined();
  });

  it('the approval order must carry the number that fits the submission', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['original PMA', `${PARENT}/S001`, /without a supplement suffix/],
      ['resubmitted original PMA', 'P180001', /carries P170019/],
      ['180-day supplement', PARENT, /supplement number like P170019\/S001/],
      ['panel-track supplement', 'P180001/S001', /supplement to P180001, but this supplement changes P170019/],
    ];
    for (const [name, pmaNumber, reason] of cases) {
      const v = variant(name);
      const s = run(v, v.kind === 'original' || v.kind === 'panel-track' ? ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'FILE'] : ['SUBMIT', 'FEE_VERIFIED']);
      const e: WorkflowEvent = { type: 'ISSUE_APPROVAL_ORDER', data: { pmaNumber, decisionDate: '2026-09-01' }, effectiveDate: ON };
      expect(validData('ISSUE_APPROVAL_ORDER', e.data), name).toBe(true);
      expect(s.can(e), name).toBe(false);
      expect(transition(machine, s, e)[0].value, name).toEqual(s.value);
      expect(reasonsText(fdaPma.explainRefusal?.(s.context, e)), name).toMatch(reason);
    }
  });

  it('approvalNumberProblem accepts exactly the fitting numbers', () => {
    expect(approvalNumberProblem({ supplementType: null, pmaNumber: null }, 'P250001')).toBeNull();
    expect(approvalNumberProblem({ supplementType: null, pmaNumber: PARENT }, PARENT)).toBeNull();
    expect(approvalNumberProblem({ supplementType: 'real-time', pmaNumber: PARENT }, `${PARENT}/S999`)).toBeNull();
    expect(reasonsText([approvalNumberProblem({ supplementType: 'real-time', pmaNumber: PARENT }, undefined)!])).toMatch(/must carry/);
  });
});

describe('fda-pma clocks and deadlines (domain.md §1.3, §4, §5.3)', () => {
  const nodes = new Map(getStateNodes(machine.root).map((n) => [n.path.join('.'), n]));
  const tagsOf = (path: string) => {
    const tags = new Set<string>();
    for (let n = nodes.get(path); n; n = n.parent) for (const t of n.tags) tags.add(t);
    return [...tags].sort();
  };

  it('FDA days run from filing (not during acceptance or filing review), in review and panel; they stop in every hold', () => {
    const expected: Record<string, string[]> = {
      draft: [],
      received: [],
      userFeeHold: ['hold'],
      acceptanceReview: [],
      rtaHold: ['hold'],
      filingReview: [],
      'review.substantive': ['fda-clock'],
      'review.interactive': ['fda-clock'],
      'review.postPanel': ['fda-clock'],
      'review.final': ['fda-clock'],
      'mdlHold.responseWindow': ['hold'],
      'mdlHold.extendedWindow': ['hold'],
      advisoryPanel: ['fda-clock'],
      approvable: ['hold'],
      notApprovable: ['hold'],
      noticePeriod: ['fda-clock'],
      inEffect: [],
      approved: [],
      'closed.notFiled': [],
      'closed.denied': [],
      'closed.withdrawn': [],
      'closed.noticeInadequate': [],
      'closed.approvalWithdrawn': [],
    };
    expect(Object.keys(expected).sort()).toEqual(LEAF_PATHS);
    for (const [path, tags] of Object.entries(expected)) expect(tagsOf(path), path).toEqual(tags);
  });

  it('hard deadlines: 180-day response windows (UNCONFIRMED), 360 after an MDL extension, and the 30-day notice period', () => {
    const expected: Record<string, { event: string; length: number; unconfirmed: boolean; anchor?: string }> = {
      rtaHold: { event: 'RTA_TIMEOUT', length: 180, unconfirmed: true },
      'mdlHold.responseWindow': { event: 'MDL_TIMEOUT', length: 180, unconfirmed: true, anchor: 'mdlIssuedOn' },
      'mdlHold.extendedWindow': { event: 'MDL_TIMEOUT', length: 360, unconfirmed: true, anchor: 'mdlIssuedOn' },
      notApprovable: { event: 'NOT_APPROVABLE_TIMEOUT', length: 180, unconfirmed: true },
      noticePeriod: { event: 'NOTICE_PERIOD_TIMEOUT', length: 30, unconfirmed: false },
    };
    const actual: Record<string, unknown> = {};
    for (const [path, n] of nodes) {
      const d = (n.meta as StateMeta | undefined)?.deadline;
      if (d) {
        expect(d.unit, path).toBe('calendar');
        expect(d.description.length, path).toBeGreaterThan(0);
        actual[path] = { event: d.event, length: d.length, unconfirmed: d.unconfirmed === true, ...(d.anchor ? { anchor: d.anchor } : {}) };
      }
    }
    expect(actual).toEqual(expected);
  });

  it("every system event is some state's deadline event, and only those", () => {
    const systemEvents = Object.entries(fdaPma.events)
      .filter(([, e]) => e.roles.includes('system'))
      .map(([t]) => t)
      .sort();
    const deadlineEvents = [...new Set([...nodes.values()].map((n) => (n.meta as StateMeta | undefined)?.deadline?.event).filter(Boolean))].sort();
    expect(systemEvents).toEqual(deadlineEvents);
  });

  it('every state has a description', () => {
    for (const [path, n] of nodes) if (path) expect((n.meta as StateMeta | undefined)?.description, path).toBeTruthy();
  });

  it('MDUFA V goals by input: SI 90; decision 180 (320 with panel) for originals and panel-track; 180-day 180; real-time 90', () => {
    const goalsFor = (supplementType: string) =>
      fdaPma.goals
        .filter((g: GoalSpec) => g.when?.supplementType === supplementType)
        .map((g) => `${g.kind}:${g.length}:${g.unit}`)
        .sort();
    for (const t of ['original', 'panel-track']) {
      expect(goalsFor(t), t).toEqual(
        [
          'acceptanceReview:15:calendar',
          'filingReview:45:calendar',
          'substantiveInteraction:90:fda-days',
          'decision:180:fda-days',
          'decisionWithPanel:320:fda-days',
          'missedDecisionCommunication:200:fda-days',
          'missedDecisionCommunicationWithPanel:340:fda-days',
        ].sort(),
      );
    }
    expect(goalsFor('180-day')).toEqual(['decision:180:fda-days', 'substantiveInteraction:90:fda-days']);
    expect(goalsFor('real-time')).toEqual(['decision:90:fda-days']);
    expect(goalsFor('30-day-notice')).toEqual([]);
    for (const g of fdaPma.goals) expect(g.when, g.kind).toBeDefined();
  });
});

describe('fda-pma parameters (domain.md §6)', () => {
  it('names every timing, and flags UNCONFIRMED exactly where domain.md does', () => {
    const flags = Object.fromEntries(Object.entries(fdaPma.parameters).map(([k, p]) => [k, p.unconfirmed === true]));
    expect(flags).toEqual({
      rtaResponseDays: true, // §5.3 row 4 "180 days (assumed)"
      mdlResponseDays: true, // §1.3 / §6 item 6 (extension mechanism)
      mdlMaxResponseDays: true, // §1.3 / §6 item 6
      notApprovableResponseDays: true, // §5.3 row 18 "assumed"
      thirtyDayNoticeDays: false,
      postSiAmendmentExtensionShare: false,
      missedDecisionGraceDays: false,
    });
    for (const p of Object.values(fdaPma.parameters)) expect(p.note).toMatch(/domain\.md/);
    expect(fdaPma.parameters.mdlMaxResponseDays?.value).toBe(360);
    expect(fdaPma.parameters.postSiAmendmentExtensionShare?.value).toBe(0.75);
  });

  it('deadline lengths are the parameters, with the same UNCONFIRMED flag', () => {
    const p = fdaPma.parameters;
    const nodes = new Map(getStateNodes(machine.root).map((n) => [n.path.join('.'), n]));
    const pairs: Array<[string, string]> = [
      ['rtaHold', 'rtaResponseDays'],
      ['mdlHold.responseWindow', 'mdlResponseDays'],
      ['mdlHold.extendedWindow', 'mdlMaxResponseDays'],
      ['notApprovable', 'notApprovableResponseDays'],
      ['noticePeriod', 'thirtyDayNoticeDays'],
    ];
    for (const [state, param] of pairs) {
      const d = (nodes.get(state)!.meta as StateMeta).deadline!;
      expect(d.length, state).toBe(p[param]!.value);
      expect(d.unconfirmed === true, state).toBe(p[param]!.unconfirmed === true);
    }
  });
});

describe('fda-pma event roles and schemas (DESIGN §3)', () => {
  // The advisory panel has no role of its own: FDA staff record its recommendation.
  const EXPECTED_ROLES = rolesByEvent({
    manufacturer: 'SUBMIT FEE_PAID RTA_RESPONSE MAJOR_AMENDMENT UNSOLICITED_MAJOR_AMENDMENT APPROVABLE_RESPONSE AMENDMENT WITHDRAW',
    fda: 'FEE_VERIFIED FEE_UNPAID ACCEPT REFUSE_TO_ACCEPT FILE REFUSE_TO_FILE SUBSTANTIVE_INTERACTION ISSUE_MDL EXTEND_MDL_RESPONSE REFER_TO_PANEL PANEL_RECOMMENDATION ISSUE_APPROVAL_ORDER ISSUE_APPROVABLE ISSUE_NOT_APPROVABLE ISSUE_DENIAL FDA_OBJECTS WITHDRAW_APPROVAL',
    system: 'RTA_TIMEOUT MDL_TIMEOUT NOT_APPROVABLE_TIMEOUT NOTICE_PERIOD_TIMEOUT',
  });

  it('declares exactly these events, each with a description', () => {
    expect(Object.keys(fdaPma.events).sort()).toEqual(Object.keys(EXPECTED_ROLES).sort());
    for (const [type, e] of Object.entries(fdaPma.events)) expect(e.description.length, type).toBeGreaterThan(10);
  });

  h.roleTests(EXPECTED_ROLES, { declaresTitle: false });

  it('timer events are exactly the *_TIMEOUT events', () => {
    for (const [type, e] of Object.entries(fdaPma.events)) expect(e.roles.includes('system'), type).toBe(type.endsWith('_TIMEOUT'));
  });

  it('every event payload schema forbids unknown fields, naming the field by JSON pointer', () => {
    const v = VARIANTS[0]!;
    for (const [type, spec] of Object.entries(fdaPma.events)) {
      expect(spec.schema.additionalProperties, type).toBe(false);
      const errors = schemaErrors(eventSchemaId(fdaPma, type), { ...(ev(type, v).data ?? {}), unexpected: 1 });
      expect(errors, type).toContainEqual({ path: '/data/unexpected', message: 'is not a known field' });
    }
  });

  it('ISSUE_APPROVAL_ORDER requires a P-number (P + 6 digits, supplements /S + 3 digits) and a YYYY-MM-DD decision date', () => {
    const id = eventSchemaId(fdaPma, 'ISSUE_APPROVAL_ORDER');
    for (const pmaNumber of ['P170019', 'P170019/S001', 'P000001/S999'])
      expect(validData('ISSUE_APPROVAL_ORDER', { pmaNumber, decisionDate: '2026-09-01' }), pmaNumber).toBe(true);
    for (const pmaNumber of [
      'P17001',
      'P1700190',
      'p170019',
      'K170019',
      'DEN170019',
      'P170019/S01',
      'P170019/S0001',
      'P170019-S001',
      'P170019/s001',
      'H170019',
    ]) {
      expect(schemaErrors(id, { pmaNumber, decisionDate: '2026-09-01' }), pmaNumber).toEqual([expect.objectContaining({ path: '/data/pmaNumber' })]);
    }
    expect(schemaErrors(id, { pmaNumber: 'P170019' })).toEqual([{ path: '/data/decisionDate', message: 'is required' }]);
    expect(schemaErrors(id, { decisionDate: '2026-09-01' })).toEqual([{ path: '/data/pmaNumber', message: 'is required' }]);
    expect(schemaErrors(id, { pmaNumber: 'P170019', decisionDate: '2026-13-01' })).toEqual([expect.objectContaining({ path: '/data/decisionDate' })]);
  });

  it('the approval-order pattern is the shared pNumber pattern of workflows/common.ts', () => {
    expect((fdaPma.events.ISSUE_APPROVAL_ORDER!.schema.properties as Record<string, { pattern: string }>).pmaNumber!.pattern).toBe(NUMBER_PATTERNS.pNumber);
  });

  it('ISSUE_MDL requires a non-empty list of deficiencies; PANEL_RECOMMENDATION one of the panel outcomes; WITHDRAW_APPROVAL its grounds', () => {
    expect(validData('ISSUE_MDL', {})).toBe(false);
    expect(validData('ISSUE_MDL', { deficiencies: [] })).toBe(false);
    expect(validData('PANEL_RECOMMENDATION', {})).toBe(false);
    expect(validData('PANEL_RECOMMENDATION', { recommendation: 'maybe' })).toBe(false);
    expect(validData('PANEL_RECOMMENDATION', { recommendation: 'not-approvable', meetingDate: '2026-05-05' })).toBe(true);
    expect(validData('WITHDRAW_APPROVAL', {})).toBe(false);
    expect(validData('REFER_TO_PANEL', { requestedBySponsor: 'yes' })).toBe(false);
  });

  it('the creation input: optional supplement type; a supplement names the base P-number of its PMA', () => {
    const id = inputSchemaId(fdaPma);
    expect(schemaErrors(id, {}, '/input')).toBeNull();
    expect(schemaErrors(id, { pmaNumber: PARENT }, '/input')).toBeNull();
    for (const supplementType of ['panel-track', '180-day', 'real-time', '30-day-notice']) {
      expect(schemaErrors(id, { supplementType, pmaNumber: PARENT }, '/input'), supplementType).toBeNull();
      expect(schemaErrors(id, { supplementType }, '/input'), supplementType).toContainEqual({ path: '/input/pmaNumber', message: 'is required' });
    }
    expect(schemaErrors(id, { supplementType: '135-day', pmaNumber: PARENT }, '/input')).toEqual([expect.objectContaining({ path: '/input/supplementType' })]);
    expect(schemaErrors(id, { supplementType: 'real-time', pmaNumber: `${PARENT}/S001` }, '/input')).toContainEqual(
      expect.objectContaining({ path: '/input/pmaNumber' }),
    );
    expect(schemaErrors(id, { supplementType: 'real-time', pmaNumber: 'K170019' }, '/input')).toContainEqual(
      expect.objectContaining({ path: '/input/pmaNumber' }),
    );
    expect(schemaErrors(id, { format: 'eSTAR' }, '/input')).toEqual([{ path: '/input/format', message: 'is not a known field' }]);
  });
});
