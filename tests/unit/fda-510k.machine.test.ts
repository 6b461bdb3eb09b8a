/**
 * The 510(k) machine against DESIGN §4, exhaustively: every state reachable from `draft` (found by
 * `xstate/graph`) is visited, and in each one every event type declared in `fda510k.events` is sent
 * with the pure `transition()`. The expected outcome comes from `TABLE` below, transcribed by hand
 * from the DESIGN §4 table, never from the machine.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { fda510k, type Fda510kContext } from '../../workflows/fda-510k.js';
import type { WorkflowEvent } from '../../workflows/types.js';
import { createMachineHarness, lenientAjv, pathOf, type TableRow, rolesByEvent, eventLookup } from '../support/machine-harness.js';

type Format = Fda510kContext['format'];
type Variant = Fda510kContext['variant'];
interface Input {
  format: Format;
  variant: Variant;
}

const FORMATS: readonly Format[] = ['eSTAR', 'eCopy'];
const VARIANTS: readonly Variant[] = ['traditional', 'special', 'abbreviated'];

// ---------------------------------------------------------------------------------------------
// DESIGN §4, transcribed. `from` is a dotted state path, `review.*` (any review sub-state) or
// `*` (any state that is not a final outcome). `when` limits a row to a creation input.
// ---------------------------------------------------------------------------------------------

/** DESIGN §4 catalog table: the final outcomes of `fda-510k`. */
const FINAL_OUTCOMES = ['cleared', 'closed.nse', 'closed.withdrawn', 'closed.deleted', 'closed.rescinded'];

interface Row extends TableRow {
  readonly when?: Partial<Input>;
}

const TABLE: readonly Row[] = [
  { from: 'draft', event: 'SUBMIT', to: 'received' },
  { from: 'received', event: 'FEE_VERIFIED', to: 'technicalScreening', when: { format: 'eSTAR' } },
  { from: 'received', event: 'FEE_VERIFIED', to: 'acceptanceReview', when: { format: 'eCopy' } },
  { from: 'received', event: 'FEE_UNPAID', to: 'userFeeHold' },
  { from: 'userFeeHold', event: 'FEE_PAID', to: 'received' },
  { from: 'technicalScreening', event: 'SCREEN_PASS', to: 'review.substantive' },
  { from: 'technicalScreening', event: 'SCREEN_FAIL', to: 'eStarHold' },
  { from: 'eStarHold', event: 'REPLACEMENT_SUBMITTED', to: 'technicalScreening' },
  { from: 'acceptanceReview', event: 'ACCEPT', to: 'review.substantive' },
  { from: 'acceptanceReview', event: 'REFUSE_TO_ACCEPT', to: 'rtaHold' },
  { from: 'rtaHold', event: 'RTA_RESPONSE', to: 'acceptanceReview' },
  { from: 'rtaHold', event: 'RTA_TIMEOUT', to: 'closed.withdrawn' },
  { from: 'review.substantive', event: 'SUBSTANTIVE_INTERACTION', to: 'review.interactive' },
  { from: 'review.*', event: 'REQUEST_AI', to: 'aiHold' },
  { from: 'aiHold', event: 'AI_RESPONSE', to: 'review.substantive' },
  { from: 'aiHold', event: 'AI_TIMEOUT', to: 'closed.deleted' },
  { from: 'review.*', event: 'DECIDE_SE', to: 'cleared' },
  { from: 'review.*', event: 'DECIDE_NSE', to: 'closed.nse' },
  { from: '*', event: 'WITHDRAW', to: 'closed.withdrawn' },
  { from: 'cleared', event: 'RESCIND_SE', to: 'closed.rescinded' },
];

// ---------------------------------------------------------------------------------------------
// One valid event of each declared type (payloads validated against the event schemas below).
// ---------------------------------------------------------------------------------------------

const EVENTS: Record<string, WorkflowEvent> = {
  SUBMIT: { type: 'SUBMIT' },
  FEE_VERIFIED: { type: 'FEE_VERIFIED' },
  FEE_UNPAID: { type: 'FEE_UNPAID' },
  FEE_PAID: { type: 'FEE_PAID', data: { receipt: 'Pay.gov 26-0001' } },
  SCREEN_PASS: { type: 'SCREEN_PASS' },
  SCREEN_FAIL: { type: 'SCREEN_FAIL', data: { reasons: ['Biocompatibility section empty'] } },
  REPLACEMENT_SUBMITTED: { type: 'REPLACEMENT_SUBMITTED' },
  ACCEPT: { type: 'ACCEPT' },
  REFUSE_TO_ACCEPT: { type: 'REFUSE_TO_ACCEPT', data: { reasons: ['Missing predicate comparison'] } },
  RTA_RESPONSE: { type: 'RTA_RESPONSE', data: { summary: 'Predicate comparison added' } },
  RTA_TIMEOUT: { type: 'RTA_TIMEOUT' },
  SUBSTANTIVE_INTERACTION: { type: 'SUBSTANTIVE_INTERACTION', data: { summary: 'Interactive review started' } },
  REQUEST_AI: { type: 'REQUEST_AI', data: { deficiencies: ['Provide shelf-life testing'] } },
  AI_RESPONSE: { type: 'AI_RESPONSE', data: { summary: 'Shelf-life data provided' } },
  AI_TIMEOUT: { type: 'AI_TIMEOUT' },
  DECIDE_SE: { type: 'DECIDE_SE', data: { kNumber: 'K261234', decisionDate: '2026-06-20' } },
  DECIDE_NSE: { type: 'DECIDE_NSE', data: { reason: 'New intended use', decisionDate: '2026-06-21' } },
  WITHDRAW: { type: 'WITHDRAW', data: { reason: 'Business decision' } },
  RESCIND_SE: { type: 'RESCIND_SE', data: { reason: 'Predicate recalled' } },
};

const ev = eventLookup(EVENTS);

const ajv = lenientAjv();
const h = createMachineHarness<Input, Row>({
  workflow: fda510k,
  table: TABLE,
  isFinal: (state) => FINAL_OUTCOMES.includes(state),
  applies: (row, input) => (!row.when?.format || row.when.format === input.format) && (!row.when?.variant || row.when.variant === input.variant),
  event: ev,
  eventTypes: Object.keys(EVENTS),
});
const machine = h.machine;
const LEAF_PATHS = h.leafPaths;
const reachableSnapshots = (input: Input) => h.reachable(input).map((r) => r.snapshot);

h.describeFixtures();

for (const format of FORMATS) {
  for (const variant of VARIANTS) {
    const input: Input = { format, variant };
    const snapshots = reachableSnapshots(input);

    describe(`fda-510k, format ${format}, variant ${variant}`, () => {
      it('starts in draft with the creation input in context', () => {
        const [s] = initialTransition(machine, input);
        expect(pathOf(s)).toBe('draft');
        expect(s.context).toEqual({ format, variant, kNumber: null, decisionDate: null });
      });

      it("reaches every leaf state node except the other format's intake states", () => {
        const reached = new Set(snapshots.map(pathOf));
        const unreachable = LEAF_PATHS.filter((p) => !reached.has(p));
        // eSTAR never goes through the RTA acceptance review; eCopy never through technical screening.
        expect(unreachable).toEqual(format === 'eSTAR' ? ['acceptanceReview', 'rtaHold'] : ['eStarHold', 'technicalScreening']);
      });

      // The table is DESIGN §4's.
      h.tableTests(input);
    });
  }
}

describe('fda-510k graph coverage', () => {
  it('every leaf state node is reachable for some input (eSTAR and eCopy together)', () => {
    const reached = new Set<string>();
    for (const format of FORMATS) for (const s of reachableSnapshots({ format, variant: 'traditional' })) reached.add(pathOf(s));
    expect(LEAF_PATHS.filter((p) => !reached.has(p))).toEqual([]);
  });

  it('the machine has exactly the leaf states of DESIGN §4', () => {
    expect(LEAF_PATHS).toEqual(h.tableStates(FINAL_OUTCOMES));
  });
});

describe('fda-510k context effects', () => {
  function run(input: Input, types: string[]): AnyMachineSnapshot {
    let [s] = initialTransition(machine, input) as [AnyMachineSnapshot, unknown];
    for (const t of types) {
      const before = pathOf(s);
      [s] = transition(machine, s, ev(t));
      expect(pathOf(s), `${t} from ${before}`).not.toBe(before);
    }
    return s;
  }

  it('DECIDE_SE records the K number and decision date', () => {
    const s = run({ format: 'eSTAR', variant: 'traditional' }, ['SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS', 'DECIDE_SE']);
    expect(pathOf(s)).toBe('cleared');
    expect(s.context).toMatchObject({ kNumber: 'K261234', decisionDate: '2026-06-20' });
    expect(fda510k.decisionOf?.('cleared', s.context)).toEqual({ number: 'K261234', decision: 'SE', decisionDate: '2026-06-20', favourable: true });
  });

  it('DECIDE_NSE records the decision date and no K number', () => {
    const s = run({ format: 'eCopy', variant: 'special' }, ['SUBMIT', 'FEE_VERIFIED', 'ACCEPT', 'SUBSTANTIVE_INTERACTION', 'DECIDE_NSE']);
    expect(pathOf(s)).toBe('closed.nse');
    expect(s.context).toMatchObject({ kNumber: null, decisionDate: '2026-06-21' });
    expect(fda510k.decisionOf?.('closed.nse', s.context).favourable).toBe(false);
  });

  it('RESCIND_SE keeps the K number but the decision is no longer favourable', () => {
    const s = run({ format: 'eSTAR', variant: 'abbreviated' }, [
      'SUBMIT',
      'FEE_VERIFIED',
      'SCREEN_PASS',
      'REQUEST_AI',
      'AI_RESPONSE',
      'DECIDE_SE',
      'RESCIND_SE',
    ]);
    expect(pathOf(s)).toBe('closed.rescinded');
    expect(s.context.kNumber).toBe('K261234');
    expect(fda510k.decisionOf?.('closed.rescinded', s.context).favourable).toBe(false);
    expect(fda510k.invalidatesReliance?.('closed.rescinded')).toBe(true);
  });
});

describe('fda-510k event roles and schemas (DESIGN §3, §4)', () => {
  const EXPECTED_ROLES = rolesByEvent({
    manufacturer: 'SUBMIT FEE_PAID REPLACEMENT_SUBMITTED RTA_RESPONSE AI_RESPONSE WITHDRAW',
    fda: 'FEE_VERIFIED FEE_UNPAID SCREEN_PASS SCREEN_FAIL ACCEPT REFUSE_TO_ACCEPT SUBSTANTIVE_INTERACTION REQUEST_AI DECIDE_SE DECIDE_NSE RESCIND_SE',
    system: 'RTA_TIMEOUT AI_TIMEOUT',
  });

  h.roleTests(EXPECTED_ROLES, { declaresTitle: 'declares exactly the events of DESIGN §4' });

  it('every event payload schema forbids unknown fields', () => {
    h.expectUnknownFieldsRefused(ajv);
  });

  it('REQUEST_AI requires a non-empty list of deficiencies', () => {
    const validate = ajv.compile(fda510k.events.REQUEST_AI!.schema);
    expect(validate({})).toBe(false);
    expect(validate({ deficiencies: [] })).toBe(false);
    expect(validate({ deficiencies: [''] })).toBe(false);
    expect(validate({ deficiencies: ['Provide shelf-life testing'] })).toBe(true);
  });

  it('DECIDE_SE requires a K number like K261234 and a YYYY-MM-DD decision date', () => {
    const validate = ajv.compile(fda510k.events.DECIDE_SE!.schema);
    expect(validate({ kNumber: 'K261234', decisionDate: '2026-06-20' })).toBe(true);
    expect(validate({ kNumber: 'K26123', decisionDate: '2026-06-20' })).toBe(false);
    expect(validate({ kNumber: 'P261234', decisionDate: '2026-06-20' })).toBe(false);
    expect(validate({ kNumber: 'K261234', decisionDate: '20/06/2026' })).toBe(false);
    expect(validate({ kNumber: 'K261234' })).toBe(false);
    expect(validate({ decisionDate: '2026-06-20' })).toBe(false);
  });

  it('the creation input takes format eSTAR|eCopy and variant traditional|special|abbreviated, nothing else', () => {
    const validate = ajv.compile(fda510k.inputSchema);
    for (const format of FORMATS) for (const variant of VARIANTS) expect(validate({ format, variant })).toBe(true);
    expect(validate({ format: 'paper', variant: 'traditional' })).toBe(false);
    expect(validate({ format: 'eSTAR', variant: 'deNovo' })).toBe(false);
    expect(validate({ format: 'eSTAR' })).toBe(false);
    expect(validate({ format: 'eSTAR', variant: 'special', extra: true })).toBe(false);
  });
});
