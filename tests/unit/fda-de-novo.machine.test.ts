/**
 * The De Novo machine against reference/domain.md §5.2 (the 510(k) rows #1–#19, #22 of §5.1 with
 * the De Novo decisions), exhaustively: every state reachable from `draft` (found by
 * `xstate/graph`) is visited for both formats, and in each one every event type declared in
 * `fdaDeNovo.events` is sent with the pure `transition()`. The expected outcome comes from
 * `TABLE` below, transcribed by hand from domain.md (and the FDA sources it cites), never from
 * the machine.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { activeDeadline } from '../../src/engine/definitions.js';
import type { FieldError } from '../../src/errors.js';
import { createValidator, eventSchemaId, inputSchemaId } from '../../src/validation.js';
import { fdaDeNovo, type FdaDeNovoContext } from '../../workflows/fda-de-novo.js';
import type { StateMeta, WorkflowEvent } from '../../workflows/types.js';
import { reasonsText } from '../../src/messages/format.js';
import { createMachineHarness, pathOf, type TableRow, rolesByEvent, tagsByState } from '../support/machine-harness.js';

type Format = FdaDeNovoContext['format'];
interface Input {
  format: Format;
}

const FORMATS: readonly Format[] = ['eSTAR', 'eCopy'];
const machine = fdaDeNovo.machine;

// ---------------------------------------------------------------------------------------------
// reference/domain.md §5.2 over §5.1, transcribed. `from` is a dotted state path, `review.*` (any
// review sub-state) or `*` (any state that is not a final outcome). `when` limits a row to a
// creation input; `afterAi` limits it to a history that holds an AI request.
// ---------------------------------------------------------------------------------------------

/** DESIGN §4 catalog table: the final outcomes of `fda-de-novo`. */
const FINAL_OUTCOMES = ['granted', 'closed.declined', 'closed.withdrawn', 'closed.deleted'];

interface Row extends TableRow {
  readonly when?: Partial<Input>;
  readonly afterAi?: true;
  /** Where the row comes from, for the reader. */
  readonly source: string;
}

const TABLE: readonly Row[] = [
  { from: 'draft', event: 'SUBMIT', to: 'received', source: '§5.1 #1' },
  { from: 'received', event: 'FEE_UNPAID', to: 'userFeeHold', source: '§5.1 #2' },
  { from: 'userFeeHold', event: 'FEE_PAID', to: 'received', source: '§5.1 #3' },
  { from: 'received', event: 'FEE_VERIFIED', to: 'technicalScreening', when: { format: 'eSTAR' }, source: '§5.1 #4' },
  { from: 'received', event: 'FEE_VERIFIED', to: 'acceptanceReview', when: { format: 'eCopy' }, source: '§5.1 #5' },
  { from: 'technicalScreening', event: 'SCREEN_FAIL', to: 'eStarHold', source: '§5.1 #6' },
  // §5.1 #6 gives the eSTAR hold a 180-day timer; 21 CFR 860.250(a)(2): considered withdrawn,
  // which FDA calls a deletion (lack of timely response).
  { from: 'eStarHold', event: 'ESTAR_HOLD_TIMEOUT', to: 'closed.deleted', source: '§5.1 #6; 860.250(a)(2)' },
  { from: 'eStarHold', event: 'REPLACEMENT_SUBMITTED', to: 'technicalScreening', source: '§5.1 #7' },
  { from: 'technicalScreening', event: 'SCREEN_PASS', to: 'review.substantive', source: '§5.1 #8' },
  // The eSTAR counterpart of #10: screening not done in 15 days -> accepted for review.
  { from: 'technicalScreening', event: 'SCREENING_TIMEOUT', to: 'review.substantive', source: '§1.0 (15-day screening); De Novo eSTAR guidance' },
  { from: 'acceptanceReview', event: 'ACCEPT', to: 'review.substantive', source: '§5.1 #9' },
  { from: 'acceptanceReview', event: 'ACCEPTANCE_TIMEOUT', to: 'review.substantive', source: '§5.1 #10; §1.2 (confirmed for De Novo)' },
  { from: 'acceptanceReview', event: 'REFUSE_TO_ACCEPT', to: 'rtaHold', source: '§5.1 #11' },
  { from: 'rtaHold', event: 'RTA_RESPONSE', to: 'acceptanceReview', source: '§5.1 #12' },
  { from: 'rtaHold', event: 'RTA_TIMEOUT', to: 'closed.deleted', source: '§5.1 #13 (reason DE); 860.250(a)(2)' },
  { from: 'review.substantive', event: 'SUBSTANTIVE_INTERACTION', to: 'review.interactive', source: '§5.1 #14' },
  { from: 'review.*', event: 'REQUEST_AI', to: 'aiHold', source: '§5.1 #15' },
  { from: 'aiHold', event: 'AI_RESPONSE', to: 'review.substantive', source: '§5.1 #16' },
  // §5.1 #17 (incomplete response: back on hold, the original timer keeps running), as FDA's
  // De Novo guidance §VI.A describes it: FDA finds the response incomplete.
  { from: 'review.substantive', event: 'AI_RESPONSE_INCOMPLETE', to: 'aiHold', afterAi: true, source: '§5.1 #17' },
  { from: 'aiHold', event: 'AI_TIMEOUT', to: 'closed.deleted', source: '§5.2 row 3; §1.2; FDA "deletion letter"' },
  { from: 'review.*', event: 'DECIDE_GRANT', to: 'granted', source: '§5.2 row 1' },
  { from: 'review.*', event: 'DECIDE_DECLINE', to: 'closed.declined', source: '§5.2 row 2' },
  { from: '*', event: 'WITHDRAW', to: 'closed.withdrawn', source: '§5.1 #22; 860.250(a)(4)' },
];

// ---------------------------------------------------------------------------------------------
// One valid event of each declared type, dated as the engine dates every event.
// ---------------------------------------------------------------------------------------------

const ON = '2026-03-02';
const EVENTS: Record<string, WorkflowEvent> = {
  SUBMIT: { type: 'SUBMIT' },
  FEE_VERIFIED: { type: 'FEE_VERIFIED' },
  FEE_UNPAID: { type: 'FEE_UNPAID' },
  FEE_PAID: { type: 'FEE_PAID', data: { receipt: 'Pay.gov 26-0002' } },
  SCREEN_PASS: { type: 'SCREEN_PASS' },
  SCREEN_FAIL: { type: 'SCREEN_FAIL', data: { reasons: ['Classification section left empty'] } },
  SCREENING_TIMEOUT: { type: 'SCREENING_TIMEOUT' },
  REPLACEMENT_SUBMITTED: { type: 'REPLACEMENT_SUBMITTED' },
  ESTAR_HOLD_TIMEOUT: { type: 'ESTAR_HOLD_TIMEOUT' },
  ACCEPT: { type: 'ACCEPT' },
  ACCEPTANCE_TIMEOUT: { type: 'ACCEPTANCE_TIMEOUT' },
  REFUSE_TO_ACCEPT: { type: 'REFUSE_TO_ACCEPT', data: { reasons: ['No proposed special controls'] } },
  RTA_RESPONSE: { type: 'RTA_RESPONSE', data: { summary: 'Special controls proposed' } },
  RTA_TIMEOUT: { type: 'RTA_TIMEOUT' },
  SUBSTANTIVE_INTERACTION: { type: 'SUBSTANTIVE_INTERACTION', data: { summary: 'Interactive review' } },
  REQUEST_AI: { type: 'REQUEST_AI', data: { deficiencies: ['Provide the benefit-risk analysis'] } },
  AI_RESPONSE: { type: 'AI_RESPONSE', data: { summary: 'Benefit-risk analysis provided' } },
  AI_RESPONSE_INCOMPLETE: { type: 'AI_RESPONSE_INCOMPLETE', data: { deficiencies: ['Deficiency 2 not addressed'] } },
  AI_TIMEOUT: { type: 'AI_TIMEOUT' },
  DECIDE_GRANT: { type: 'DECIDE_GRANT', data: { denNumber: 'DEN260012', decisionDate: '2026-07-01', deviceClass: 'II', productCode: 'QAB' } },
  DECIDE_DECLINE: { type: 'DECIDE_DECLINE', data: { reasons: ['General and special controls insufficient'], decisionDate: '2026-07-02' } },
  WITHDRAW: { type: 'WITHDRAW', data: { reason: 'Business decision' } },
};

function ev(type: string, effectiveDate = ON): WorkflowEvent {
  const e = EVENTS[type];
  if (!e) throw new Error(`no test event for ${type}`);
  return { ...e, effectiveDate };
}

/** The project's own validator (ajv strict, as the API runs it) with this workflow's schemas. */
const validator = createValidator([fdaDeNovo]);
function schemaErrors(schemaId: string, data: unknown, prefix = '/data'): FieldError[] | null {
  try {
    validator.check(schemaId, data, prefix);
    return null;
  } catch (e) {
    // The pointer and the English message (each also carries its catalog code and params).
    return ((e as { errors?: FieldError[] }).errors ?? [{ path: '?', message: String(e) }]).map(({ path, message }) => ({ path, message }));
  }
}
const validData = (type: string, data: unknown) => schemaErrors(eventSchemaId(fdaDeNovo, type), data) === null;

/** The table's history: whether an AI request is on record (row #17 needs one). */
const h = createMachineHarness<Input, Row, boolean>({
  workflow: fdaDeNovo,
  table: TABLE,
  isFinal: (state) => FINAL_OUTCOMES.includes(state),
  applies: (row, input, afterAi) => (!row.when?.format || row.when.format === input.format) && (!row.afterAi || afterAi),
  memo: { initial: false, after: (afterAi, e) => afterAi || e.type === 'REQUEST_AI' },
  event: (type) => ev(type),
  eventTypes: Object.keys(EVENTS),
});
const reachable = (input: Input) => h.reachable(input);
const LEAF_PATHS = h.leafPaths;

function run(input: Input, steps: Array<string | [string, string]>): AnyMachineSnapshot {
  let [s] = initialTransition(machine, input) as [AnyMachineSnapshot, unknown];
  for (const step of steps) {
    const [t, on] = typeof step === 'string' ? [step, ON] : step;
    const before = pathOf(s);
    [s] = transition(machine, s, ev(t, on));
    expect(pathOf(s), `${t} from ${before}`).not.toBe(before);
  }
  return s;
}

h.describeFixtures();

for (const format of FORMATS) {
  const input: Input = { format };
  const reached = reachable(input);

  describe(`fda-de-novo, format ${format}`, () => {
    it('starts in draft with the creation input in context', () => {
      const [s] = initialTransition(machine, input);
      expect(pathOf(s)).toBe('draft');
      expect(s.context).toEqual({ format, denNumber: null, decisionDate: null, aiRequestedOn: null });
    });

    it("reaches every leaf state node except the other format's intake states", () => {
      const states = new Set(reached.map((r) => pathOf(r.snapshot)));
      // eSTAR never goes through the RTA acceptance review; eCopy never through technical screening.
      expect(LEAF_PATHS.filter((p) => !states.has(p))).toEqual(format === 'eSTAR' ? ['acceptanceReview', 'rtaHold'] : ['eStarHold', 'technicalScreening']);
    });

    h.tableTests(input, reached);
  });
}

describe('fda-de-novo graph coverage', () => {
  const all = new Set<string>();
  for (const format of FORMATS) for (const r of reachable({ format })) all.add(pathOf(r.snapshot));

  it('every leaf state node is reachable for some input (eSTAR and eCopy together)', () => {
    expect(LEAF_PATHS.filter((p) => !all.has(p))).toEqual([]);
  });

  it('every final outcome DESIGN §4 lists for fda-de-novo is reachable, and is a final state', () => {
    for (const outcome of FINAL_OUTCOMES) {
      expect(all.has(outcome), outcome).toBe(true);
      const node = getStateNodes(machine.root).find((n) => n.path.join('.') === outcome);
      expect(node?.type, outcome).toBe('final');
    }
  });

  it('the machine has exactly the leaf states of the table', () => {
    expect(LEAF_PATHS).toEqual(h.tableStates(FINAL_OUTCOMES));
  });

  it('closed.withdrawn is reached only by the requester, closed.deleted only by timers', () => {
    const into = (state: string) => TABLE.filter((r) => r.to === state).map((r) => fdaDeNovo.events[r.event]!.roles);
    expect(into('closed.withdrawn')).toEqual([['manufacturer']]);
    expect(into('closed.deleted').length).toBe(3);
    for (const roles of into('closed.deleted')) expect(roles).toEqual(['system']);
  });
});

describe('fda-de-novo context effects and decisions', () => {
  it('DECIDE_GRANT records the DEN number and decision date; the decision is favourable', () => {
    const s = run({ format: 'eCopy' }, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'SUBSTANTIVE_INTERACTION', 'DECIDE_GRANT']);
    expect(pathOf(s)).toBe('granted');
    expect(s.status).toBe('done');
    expect(s.context).toMatchObject({ denNumber: 'DEN260012', decisionDate: '2026-07-01' });
    expect(fdaDeNovo.decisionOf?.('granted', s.context)).toEqual({ number: 'DEN260012', decision: 'granted', decisionDate: '2026-07-01', favourable: true });
    expect(fdaDeNovo.invalidatesReliance?.('granted')).toBe(false);
  });

  it('DECIDE_DECLINE records the decision date, or the effective date when the letter date is not given', () => {
    let s = run({ format: 'eSTAR' }, ['SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS', 'DECIDE_DECLINE']);
    expect(pathOf(s)).toBe('closed.declined');
    expect(s.context).toMatchObject({ denNumber: null, decisionDate: '2026-07-02' });
    expect(fdaDeNovo.decisionOf?.('closed.declined', s.context)).toEqual({ number: null, decision: 'declined', decisionDate: '2026-07-02', favourable: false });

    [s] = initialTransition(machine, { format: 'eSTAR' }) as [AnyMachineSnapshot, unknown];
    for (const t of ['SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS']) [s] = transition(machine, s, ev(t));
    [s] = transition(machine, s, { type: 'DECIDE_DECLINE', data: {}, effectiveDate: '2026-08-03' });
    expect(s.context.decisionDate).toBe('2026-08-03');
  });

  it('no decision is shown while undecided or after a withdrawal or deletion', () => {
    for (const state of ['review.substantive', 'aiHold', 'closed.withdrawn', 'closed.deleted']) {
      const d = fdaDeNovo.decisionOf?.(state, { format: 'eSTAR', denNumber: null, decisionDate: null, aiRequestedOn: null });
      expect(d, state).toEqual({ number: null, decision: null, decisionDate: null, favourable: false });
    }
  });

  it('every closed.* outcome invalidates reliance', () => {
    for (const state of ['closed.declined', 'closed.withdrawn', 'closed.deleted']) expect(fdaDeNovo.invalidatesReliance?.(state), state).toBe(true);
    for (const state of ['draft', 'review.substantive', 'aiHold', 'granted']) expect(fdaDeNovo.invalidatesReliance?.(state), state).toBe(false);
  });

  it('an incomplete AI response puts the request back on hold with the 180 days still counted from the original AI request', () => {
    const s = run({ format: 'eCopy' }, [
      'SUBMIT',
      'FEE_VERIFIED',
      'ACCEPT',
      ['REQUEST_AI', '2026-04-01'],
      ['AI_RESPONSE', '2026-06-01'],
      ['AI_RESPONSE_INCOMPLETE', '2026-06-10'],
    ]);
    expect(pathOf(s)).toBe('aiHold');
    expect(s.context.aiRequestedOn).toBe('2026-04-01');
    const deadline = activeDeadline(s);
    expect(deadline).toMatchObject({ event: 'AI_TIMEOUT', length: 180, unit: 'calendar', anchor: 'aiRequestedOn' });
    // A new AI request starts a new 180 days.
    const again = run({ format: 'eCopy' }, [
      'SUBMIT',
      'FEE_VERIFIED',
      'ACCEPT',
      ['REQUEST_AI', '2026-04-01'],
      ['AI_RESPONSE', '2026-06-01'],
      ['SUBSTANTIVE_INTERACTION', '2026-06-05'],
      ['REQUEST_AI', '2026-06-20'],
    ]);
    expect(again.context.aiRequestedOn).toBe('2026-06-20');
  });

  it('AI_RESPONSE_INCOMPLETE without an AI request on record is refused, and the API is told why', () => {
    const s = run({ format: 'eSTAR' }, ['SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS']);
    const e = ev('AI_RESPONSE_INCOMPLETE');
    expect(s.can(e)).toBe(false);
    expect(reasonsText(fdaDeNovo.explainRefusal?.(s.context, e))).toMatch(/no Additional Information request/);
    const withAi = run({ format: 'eSTAR' }, ['SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS', 'REQUEST_AI', 'AI_RESPONSE']);
    expect(reasonsText(fdaDeNovo.explainRefusal?.(withAi.context, e))).toBeUndefined();
  });
});

describe('fda-de-novo clocks and deadlines (domain.md §1.2, §4 note 2, §5.1)', () => {
  const nodes = new Map(getStateNodes(machine.root).map((n) => [n.path.join('.'), n]));
  const tagsOf = (path: string) => {
    const tags = new Set<string>();
    for (let n = nodes.get(path); n; n = n.parent) for (const t of n.tags) tags.add(t);
    return [...tags].sort();
  };

  it('the FDA-day clock runs in screening, acceptance and review, and stops in every hold', () => {
    const expected = tagsByState(
      { hold: 'userFeeHold eStarHold rtaHold aiHold', 'fda-clock': 'technicalScreening acceptanceReview review.substantive review.interactive' },
      'draft received granted closed.declined closed.withdrawn closed.deleted',
    );
    expect(Object.keys(expected).sort()).toEqual(LEAF_PATHS);
    for (const [path, tags] of Object.entries(expected)) expect(tagsOf(path), path).toEqual(tags);
  });

  it('hard deadlines: the sponsor response windows and the deemed-acceptance timers, each firing its system event', () => {
    const expected: Record<string, { event: string; length: number; unconfirmed: boolean; anchor?: string }> = {
      technicalScreening: { event: 'SCREENING_TIMEOUT', length: 15, unconfirmed: true },
      eStarHold: { event: 'ESTAR_HOLD_TIMEOUT', length: 180, unconfirmed: true },
      acceptanceReview: { event: 'ACCEPTANCE_TIMEOUT', length: 15, unconfirmed: false },
      rtaHold: { event: 'RTA_TIMEOUT', length: 180, unconfirmed: false },
      aiHold: { event: 'AI_TIMEOUT', length: 180, unconfirmed: false, anchor: 'aiRequestedOn' },
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

  it("every system event is some state's deadline event (so the sweeper can fire it), and only those", () => {
    const systemEvents = Object.entries(fdaDeNovo.events)
      .filter(([, e]) => e.roles.includes('system'))
      .map(([t]) => t)
      .sort();
    const deadlineEvents = [...nodes.values()]
      .map((n) => (n.meta as StateMeta | undefined)?.deadline?.event)
      .filter(Boolean)
      .sort();
    expect(systemEvents).toEqual(deadlineEvents);
  });

  it('every state has a description', () => {
    for (const [path, n] of nodes) if (path) expect((n.meta as StateMeta | undefined)?.description, path).toBeTruthy();
  });

  it('goals: MDUFA V decision in 150 FDA days; Missed-Decision discussion at 180 FDA days', () => {
    expect(fdaDeNovo.goals.map((g) => [g.kind, g.length, g.unit])).toEqual([
      ['decision', 150, 'fda-days'],
      ['missedDecisionCommunication', 180, 'fda-days'],
    ]);
  });
});

describe('fda-de-novo parameters (domain.md §6)', () => {
  it('names every timing, and flags UNCONFIRMED exactly where domain.md does', () => {
    const flags = Object.fromEntries(Object.entries(fdaDeNovo.parameters).map(([k, p]) => [k, p.unconfirmed === true]));
    expect(flags).toEqual({
      aiResponseDays: false,
      rtaResponseDays: false,
      acceptanceReviewDays: false,
      eStarHoldResponseDays: true, // §5.1 row 6 "length assumed", §6 item 5
      technicalScreeningDays: true, // deemed acceptance: not in domain.md
      estarMandatoryFrom: true, // §1.0 and §6 item 5
    });
    for (const p of Object.values(fdaDeNovo.parameters)) expect(p.note).toMatch(/domain\.md/);
  });

  it('deadline lengths are the parameters, with the same UNCONFIRMED flag', () => {
    const p = fdaDeNovo.parameters;
    const pairs: Array<[string, keyof typeof p]> = [
      ['technicalScreening', 'technicalScreeningDays'],
      ['eStarHold', 'eStarHoldResponseDays'],
      ['acceptanceReview', 'acceptanceReviewDays'],
      ['rtaHold', 'rtaResponseDays'],
      ['aiHold', 'aiResponseDays'],
    ];
    const nodes = new Map(getStateNodes(machine.root).map((n) => [n.path.join('.'), n]));
    for (const [state, param] of pairs) {
      const d = (nodes.get(state)!.meta as StateMeta).deadline!;
      expect(d.length, state).toBe(p[param]!.value);
      expect(d.unconfirmed === true, state).toBe(p[param]!.unconfirmed === true);
    }
    expect(p.estarMandatoryFrom!.value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('fda-de-novo event roles and schemas (DESIGN §3)', () => {
  const EXPECTED_ROLES = rolesByEvent({
    manufacturer: 'SUBMIT FEE_PAID REPLACEMENT_SUBMITTED RTA_RESPONSE AI_RESPONSE WITHDRAW',
    fda: 'FEE_VERIFIED FEE_UNPAID SCREEN_PASS SCREEN_FAIL ACCEPT REFUSE_TO_ACCEPT SUBSTANTIVE_INTERACTION REQUEST_AI AI_RESPONSE_INCOMPLETE DECIDE_GRANT DECIDE_DECLINE',
    system: 'SCREENING_TIMEOUT ESTAR_HOLD_TIMEOUT ACCEPTANCE_TIMEOUT RTA_TIMEOUT AI_TIMEOUT',
  });

  it('declares exactly these events, each with a description', () => {
    expect(Object.keys(fdaDeNovo.events).sort()).toEqual(Object.keys(EXPECTED_ROLES).sort());
    for (const [type, e] of Object.entries(fdaDeNovo.events)) expect(e.description.length, type).toBeGreaterThan(10);
  });

  h.roleTests(EXPECTED_ROLES, { declaresTitle: false });

  it('timer events are exactly the *_TIMEOUT events', () => {
    for (const [type, e] of Object.entries(fdaDeNovo.events)) expect(e.roles.includes('system'), type).toBe(type.endsWith('_TIMEOUT'));
  });

  it('every event payload schema forbids unknown fields, naming the field by JSON pointer', () => {
    for (const [type, spec] of Object.entries(fdaDeNovo.events)) {
      expect(spec.schema.additionalProperties, type).toBe(false);
      const errors = schemaErrors(eventSchemaId(fdaDeNovo, type), { ...(ev(type).data ?? {}), unexpected: 1 });
      expect(errors, type).toContainEqual({ path: '/data/unexpected', message: 'is not a known field' });
    }
  });

  it('DECIDE_GRANT requires a DEN number (DEN + 6 digits) and a YYYY-MM-DD decision date', () => {
    expect(validData('DECIDE_GRANT', { denNumber: 'DEN260012', decisionDate: '2026-07-01' })).toBe(true);
    for (const denNumber of ['DEN26001', 'DEN2600123', 'den260012', 'K260012', 'P260012', 'DEN-260012', ' DEN260012']) {
      expect(schemaErrors(eventSchemaId(fdaDeNovo, 'DECIDE_GRANT'), { denNumber, decisionDate: '2026-07-01' }), denNumber).toEqual([
        expect.objectContaining({ path: '/data/denNumber' }),
      ]);
    }
    expect(validData('DECIDE_GRANT', { denNumber: 'DEN260012', decisionDate: '01/07/2026' })).toBe(false);
    expect(validData('DECIDE_GRANT', { denNumber: 'DEN260012', decisionDate: '2026-02-30' })).toBe(false);
    expect(schemaErrors(eventSchemaId(fdaDeNovo, 'DECIDE_GRANT'), { denNumber: 'DEN260012' })).toEqual([
      { path: '/data/decisionDate', message: 'is required' },
    ]);
    expect(schemaErrors(eventSchemaId(fdaDeNovo, 'DECIDE_GRANT'), { decisionDate: '2026-07-01' })).toEqual([
      { path: '/data/denNumber', message: 'is required' },
    ]);
    // A granting order classifies into class I or II only.
    expect(validData('DECIDE_GRANT', { denNumber: 'DEN260012', decisionDate: '2026-07-01', deviceClass: 'III' })).toBe(false);
    expect(validData('DECIDE_GRANT', { denNumber: 'DEN260012', decisionDate: '2026-07-01', productCode: 'qab' })).toBe(false);
  });

  it('REQUEST_AI requires a non-empty list of deficiencies', () => {
    expect(validData('REQUEST_AI', {})).toBe(false);
    expect(validData('REQUEST_AI', { deficiencies: [] })).toBe(false);
    expect(validData('REQUEST_AI', { deficiencies: [''] })).toBe(false);
    expect(validData('REQUEST_AI', { deficiencies: ['Provide the benefit-risk analysis'] })).toBe(true);
  });

  it('DECIDE_DECLINE takes an optional YYYY-MM-DD decision date', () => {
    expect(validData('DECIDE_DECLINE', {})).toBe(true);
    expect(validData('DECIDE_DECLINE', { decisionDate: 'yesterday' })).toBe(false);
  });

  it('the creation input takes format eSTAR | eCopy, nothing else', () => {
    const id = inputSchemaId(fdaDeNovo);
    for (const format of FORMATS) expect(schemaErrors(id, { format }, '/input')).toBeNull();
    expect(schemaErrors(id, {}, '/input')).toEqual([{ path: '/input/format', message: 'is required' }]);
    expect(schemaErrors(id, { format: 'paper' }, '/input')).toEqual([expect.objectContaining({ path: '/input/format' })]);
    expect(schemaErrors(id, { format: 'eSTAR', variant: 'traditional' }, '/input')).toEqual([{ path: '/input/variant', message: 'is not a known field' }]);
  });
});
