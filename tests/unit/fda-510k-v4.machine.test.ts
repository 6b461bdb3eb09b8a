/**
 * fda-510k@4 against DESIGN §4 and the 510(k) rows of reference/domain.md §7.2, exhaustively: every
 * state reachable from `draft` for every creation input is visited and every declared event is sent
 * with the pure `transition()`; `TABLE` below is transcribed by hand from those two tables, never
 * from the machine. Then the deadlines with their consequences (§7.1), the context the new rules
 * keep, and the migration of v1–v3 contexts.
 */
import { describe, expect, it } from 'vitest';
import { describeWorkflow } from '../../src/engine/catalog.js';
import { fda510kV3 } from '../../workflows/fda-510k.js';
import { fda510kV4, type Fda510kV4Input } from '../../workflows/fda-510k-v4.js';
import type { WorkflowEvent } from '../../workflows/types.js';
import { createMachineHarness, lenientAjv, pathOf, rolesByEvent, type TableRow } from '../support/machine-harness.js';

type Input = Required<Fda510kV4Input>;
const FORMATS = ['eSTAR', 'eCopy'] as const;
const VARIANTS = ['traditional', 'special', 'abbreviated'] as const;
const INPUTS: Input[] = FORMATS.flatMap((format) =>
  VARIANTS.flatMap((variant) => [false, true].map((thirdPartyReview) => ({ format, variant, thirdPartyReview }))),
);

/** DESIGN §4: the final outcomes of `fda-510k`. */
const FINAL_OUTCOMES = ['cleared', 'closed.nse', 'closed.withdrawn', 'closed.deleted', 'closed.rescinded'];

interface Row extends TableRow {
  readonly when?: Partial<Input>;
  /** `ai`: only once an AI request is on record; `convertible`: only while Special or Abbreviated. */
  readonly needs?: 'ai' | 'convertible';
}
interface Memo {
  readonly ai: boolean;
  readonly converted: boolean;
}

const convertible = (from: string): Row => ({ from, event: 'CONVERT_TO_TRADITIONAL', to: 'self', needs: 'convertible' });

const TABLE: readonly Row[] = [
  // DESIGN §4.
  { from: 'draft', event: 'SUBMIT', to: 'received', when: { thirdPartyReview: false } },
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
  // domain.md §7.2: acceptance review not completed in 15 days → considered under substantive review.
  { from: 'acceptanceReview', event: 'ACCEPTANCE_DEEMED', to: 'review.substantive' },
  // §7.2: eSTAR hold without a replacement in 180 days → considered withdrawn.
  { from: 'eStarHold', event: 'ESTAR_HOLD_TIMEOUT', to: 'closed.withdrawn' },
  // §7.2: eCopy hold (an eCopy submission without a valid eCopy) → deleted after 180 days.
  { from: 'received', event: 'ECOPY_HOLD', to: 'eCopyHold', when: { format: 'eCopy' } },
  { from: 'eCopyHold', event: 'ECOPY_RECEIVED', to: 'received' },
  { from: 'eCopyHold', event: 'ECOPY_HOLD_TIMEOUT', to: 'closed.deleted' },
  // §7.2: an incomplete AI response → back on AI hold (as of the original AI request).
  { from: 'review.substantive', event: 'AI_RESPONSE_INCOMPLETE', to: 'aiHold', needs: 'ai' },
  // §7.2: Special and Abbreviated can be converted to Traditional.
  convertible('technicalScreening'),
  convertible('acceptanceReview'),
  convertible('review.*'),
  // §7.2: Third Party Review: the accredited third party's recommendation reaches FDA, which decides.
  { from: 'draft', event: 'SUBMIT', to: 'thirdPartyReview', when: { thirdPartyReview: true } },
  { from: 'thirdPartyReview', event: 'THIRD_PARTY_RECOMMENDATION', to: 'review.substantive' },
];

const AI_REQUESTED_ON = '2026-03-02';
const EVENTS: Record<string, WorkflowEvent> = {
  SUBMIT: { type: 'SUBMIT' },
  FEE_VERIFIED: { type: 'FEE_VERIFIED' },
  FEE_UNPAID: { type: 'FEE_UNPAID' },
  FEE_PAID: { type: 'FEE_PAID', data: { receipt: 'Pay.gov 26-0001' } },
  ECOPY_HOLD: { type: 'ECOPY_HOLD', data: { reasons: ['eCopy PDF unreadable'] } },
  ECOPY_RECEIVED: { type: 'ECOPY_RECEIVED' },
  ECOPY_HOLD_TIMEOUT: { type: 'ECOPY_HOLD_TIMEOUT' },
  SCREEN_PASS: { type: 'SCREEN_PASS' },
  SCREEN_FAIL: { type: 'SCREEN_FAIL', data: { reasons: ['Biocompatibility section empty'] } },
  REPLACEMENT_SUBMITTED: { type: 'REPLACEMENT_SUBMITTED' },
  ESTAR_HOLD_TIMEOUT: { type: 'ESTAR_HOLD_TIMEOUT' },
  ACCEPT: { type: 'ACCEPT' },
  ACCEPTANCE_DEEMED: { type: 'ACCEPTANCE_DEEMED' },
  REFUSE_TO_ACCEPT: { type: 'REFUSE_TO_ACCEPT', data: { reasons: ['Missing predicate comparison'] } },
  RTA_RESPONSE: { type: 'RTA_RESPONSE', data: { summary: 'Predicate comparison added' } },
  RTA_TIMEOUT: { type: 'RTA_TIMEOUT' },
  SUBSTANTIVE_INTERACTION: { type: 'SUBSTANTIVE_INTERACTION', data: { summary: 'Interactive review started' } },
  REQUEST_AI: { type: 'REQUEST_AI', data: { deficiencies: ['Provide shelf-life testing'] }, effectiveDate: AI_REQUESTED_ON },
  AI_RESPONSE: { type: 'AI_RESPONSE', data: { summary: 'Shelf-life data provided' } },
  AI_RESPONSE_INCOMPLETE: { type: 'AI_RESPONSE_INCOMPLETE', data: { deficiencies: ['Shelf-life data for one lot only'] } },
  AI_TIMEOUT: { type: 'AI_TIMEOUT' },
  CONVERT_TO_TRADITIONAL: { type: 'CONVERT_TO_TRADITIONAL', data: { reason: 'The change affects the intended use' } },
  THIRD_PARTY_RECOMMENDATION: {
    type: 'THIRD_PARTY_RECOMMENDATION',
    data: { organization: 'Accredited Reviewer LLC', recommendationDate: '2026-02-10', recommendation: 'SE' },
  },
  DECIDE_SE: { type: 'DECIDE_SE', data: { kNumber: 'K261234', decisionDate: '2026-06-20' } },
  DECIDE_NSE: { type: 'DECIDE_NSE', data: { reason: 'New intended use', decisionDate: '2026-06-21' } },
  WITHDRAW: { type: 'WITHDRAW', data: { reason: 'Business decision' } },
  RESCIND_SE: { type: 'RESCIND_SE', data: { reason: 'Predicate recalled' } },
};
const ev = (type: string): WorkflowEvent =>
  EVENTS[type] ??
  (() => {
    throw new Error(`no test event for ${type}`);
  })();

const h = createMachineHarness<Input, Row, Memo>({
  workflow: fda510kV4,
  table: TABLE,
  isFinal: (state) => FINAL_OUTCOMES.includes(state),
  applies: (row, input, memo) =>
    Object.entries(row.when ?? {}).every(([k, v]) => input[k as keyof Input] === v) &&
    (row.needs !== 'ai' || memo.ai) &&
    (row.needs !== 'convertible' || (input.variant !== 'traditional' && !memo.converted)),
  memo: {
    initial: { ai: false, converted: false },
    after: (m, e) => ({ ai: m.ai || e.type === 'REQUEST_AI', converted: m.converted || e.type === 'CONVERT_TO_TRADITIONAL' }),
  },
  event: ev,
  eventTypes: Object.keys(EVENTS),
});

h.describeFixtures();

for (const input of INPUTS) {
  describe(`fda-510k@4, ${input.format} ${input.variant}${input.thirdPartyReview ? ', Third Party Review' : ''} (DESIGN §4, domain.md §7.2)`, () => {
    h.tableTests(input);
  });
}

describe('fda-510k@4 graph (DESIGN §4, domain.md §7.2)', () => {
  it('has exactly the leaf states of the table, every v3 state among them (so v1–v3 submissions migrate)', () => {
    expect(h.leafPaths).toEqual(h.tableStates(FINAL_OUTCOMES));
    const v3Leaves = describeWorkflow(fda510kV3)
      .states.filter((s) => s.type !== 'compound')
      .map((s) => s.path);
    expect(v3Leaves.filter((p) => !h.leafPaths.includes(p))).toEqual([]);
  });

  it('every leaf state is reachable for some input', () => {
    const reached = new Set(INPUTS.flatMap((i) => h.reachable(i).map((r) => pathOf(r.snapshot))));
    expect(h.leafPaths.filter((p) => !reached.has(p))).toEqual([]);
  });

  it('runs the FDA clock in screening, acceptance and review, and holds in every hold (DESIGN §7)', () => {
    const none: string[] = [];
    h.expectTags({
      draft: none,
      thirdPartyReview: none,
      received: none,
      userFeeHold: ['hold'],
      eCopyHold: ['hold'],
      technicalScreening: ['fda-clock'],
      eStarHold: ['hold'],
      acceptanceReview: ['fda-clock'],
      rtaHold: ['hold'],
      'review.substantive': ['fda-clock'],
      'review.interactive': ['fda-clock'],
      aiHold: ['hold'],
      cleared: none,
      ...Object.fromEntries(FINAL_OUTCOMES.filter((s) => s.startsWith('closed.')).map((s) => [s, none])),
    });
  });
});

describe('fda-510k@4 deadlines say what happens when they pass (domain.md §7.1, §7.2)', () => {
  const states = describeWorkflow(fda510kV4).states;
  const DEADLINES = [
    // state, kind, days, event, what the event leads to, anchor
    ['acceptanceReview', 'acceptanceReview', 15, 'ACCEPTANCE_DEEMED', 'review.substantive', undefined],
    ['eStarHold', 'eStarHoldResponse', 180, 'ESTAR_HOLD_TIMEOUT', 'closed.withdrawn', undefined],
    ['eCopyHold', 'eCopyHoldResponse', 180, 'ECOPY_HOLD_TIMEOUT', 'closed.deleted', undefined],
    ['rtaHold', 'rtaResponse', 180, 'RTA_TIMEOUT', 'closed.withdrawn', undefined],
    ['aiHold', 'aiResponse', 180, 'AI_TIMEOUT', 'closed.deleted', 'aiRequestedOn'],
  ] as const;

  it('only these states keep a deadline; eSTAR technical screening has none (no consequence stated)', () => {
    expect(states.filter((s) => s.deadline).map((s) => s.path)).toEqual(expect.arrayContaining(DEADLINES.map((d) => d[0])));
    expect(states.filter((s) => s.deadline)).toHaveLength(DEADLINES.length);
  });

  it.each(DEADLINES)('%s: %s, %i calendar days, then %s (automatic, system) to %s', (path, kind, length, event, to, anchor) => {
    const st = states.find((s) => s.path === path)!;
    expect(st.deadline).toMatchObject({
      kind,
      length,
      unit: 'calendar',
      event,
      consequence: 'automatic',
      source: expect.objectContaining({ title: expect.any(String) }),
    });
    expect(st.deadline!.anchor).toBe(anchor);
    expect(st.deadline!.unconfirmed ?? false).toBe(false);
    expect(fda510kV4.events[event]!.roles).toEqual(['system']);
    expect(h.expectedNext(path, event, INPUTS[0]!)).toBe(to);
  });
});

describe('fda-510k@4 context (domain.md §7.2)', () => {
  const estar = (variant: Input['variant'], thirdPartyReview = false): Input => ({ format: 'eSTAR', variant, thirdPartyReview });

  it('an incomplete AI response puts the 510(k) back on AI hold with the original AI date; a new AI request has its own', () => {
    const s = h.run(estar('traditional'), ['SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS', 'REQUEST_AI', 'AI_RESPONSE', 'AI_RESPONSE_INCOMPLETE']);
    expect(pathOf(s)).toBe('aiHold');
    expect(s.context.aiRequestedOn).toBe(AI_REQUESTED_ON);
    const later = h.run(estar('traditional'), [
      'SUBMIT',
      'FEE_VERIFIED',
      'SCREEN_PASS',
      'REQUEST_AI',
      'AI_RESPONSE',
      { ...EVENTS.REQUEST_AI!, effectiveDate: '2026-05-04' },
    ]);
    expect(later.context.aiRequestedOn).toBe('2026-05-04');
  });

  it('an incomplete AI response without an AI request is refused, with the reason', () => {
    const s = h.run(estar('traditional'), ['SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS']);
    expect(s.can(EVENTS.AI_RESPONSE_INCOMPLETE!)).toBe(false);
    expect(fda510kV4.explainRefusal?.(s.context, EVENTS.AI_RESPONSE_INCOMPLETE!)).toEqual([{ code: 'refusal.no_ai_request' }]);
  });

  it('an eSTAR is never put on eCopy hold: refused, with the reason', () => {
    const s = h.run(estar('traditional'), ['SUBMIT']);
    expect(s.can(EVENTS.ECOPY_HOLD!)).toBe(false);
    expect(fda510kV4.explainRefusal?.(s.context, EVENTS.ECOPY_HOLD!)).toEqual([{ code: 'refusal.ecopy_hold_estar' }]);
  });

  it.each(['special', 'abbreviated'] as const)('FDA converts a %s 510(k) to Traditional once; converting again is refused with the reason', (variant) => {
    const s = h.run(estar(variant), ['SUBMIT', 'FEE_VERIFIED', 'SCREEN_PASS', 'CONVERT_TO_TRADITIONAL']);
    expect(s.context).toMatchObject({ variant: 'traditional', convertedFrom: variant });
    expect(s.can(EVENTS.CONVERT_TO_TRADITIONAL!)).toBe(false);
    expect(fda510kV4.explainRefusal?.(s.context, EVENTS.CONVERT_TO_TRADITIONAL!)).toEqual([{ code: 'refusal.already_traditional' }]);
  });

  it('Third Party Review: the recommendation is recorded, then FDA decides; no user fee event is needed', () => {
    const s = h.run(estar('traditional', true), ['SUBMIT', 'THIRD_PARTY_RECOMMENDATION', 'DECIDE_SE']);
    expect(pathOf(s)).toBe('cleared');
    expect(s.context).toMatchObject({
      thirdPartyReview: true,
      thirdPartyRecommendation: { organization: 'Accredited Reviewer LLC', recommendationDate: '2026-02-10', recommendation: 'SE' },
      kNumber: 'K261234',
    });
  });

  it('the Third Party recommendation needs the organization and the date it was made', () => {
    const validate = lenientAjv().compile(fda510kV4.events.THIRD_PARTY_RECOMMENDATION!.schema);
    expect(validate({ organization: 'X', recommendationDate: '2026-02-10' })).toBe(true);
    expect(validate({ organization: 'X' })).toBe(false);
    expect(validate({ recommendationDate: '2026-02-10' })).toBe(false);
    expect(validate({ organization: 'X', recommendationDate: '2026-02-10', recommendation: 'maybe' })).toBe(false);
  });

  it('the creation input takes an optional boolean thirdPartyReview beside format and variant', () => {
    const validate = lenientAjv().compile(fda510kV4.inputSchema);
    expect(validate({ format: 'eSTAR', variant: 'special' })).toBe(true);
    expect(validate({ format: 'eSTAR', variant: 'special', thirdPartyReview: true })).toBe(true);
    expect(validate({ format: 'eSTAR', variant: 'special', thirdPartyReview: 'yes' })).toBe(false);
  });
});

describe('fda-510k@4 upgradeContext (v1–v3 submissions migrate)', () => {
  const v3Context = { format: 'eCopy', variant: 'special', kNumber: null, decisionDate: null };

  it.each([
    ['aiHold', '2026-02-01', '2026-02-01'],
    ['review.interactive', '2026-02-01', null],
    ['draft', '2026-01-01', null],
  ])('a v3 context in %s gains the v4 fields (aiRequestedOn from the AI hold entry)', (state, stateSinceDate, aiRequestedOn) => {
    const upgraded = fda510kV4.upgradeContext!(v3Context, 3, { state, stateSinceDate });
    expect(upgraded).toEqual({ ...v3Context, thirdPartyReview: false, aiRequestedOn, convertedFrom: null, thirdPartyRecommendation: null });
    // The state exists in v4 with this context, so the migration keeps its name.
    const resolved = fda510kV4.machine.resolveState({ value: state.includes('.') ? { review: state.split('.')[1]! } : state, context: upgraded });
    expect(pathOf(resolved)).toBe(state);
  });

  it('a v4 context is kept as it is', () => {
    const v4 = { ...v3Context, thirdPartyReview: true, aiRequestedOn: '2026-03-02', convertedFrom: 'special', thirdPartyRecommendation: null };
    expect(fda510kV4.upgradeContext!(v4, 4, { state: 'aiHold', stateSinceDate: '2026-04-01' })).toEqual(v4);
  });
});

describe('fda-510k@4 events, roles and signatures (DESIGN §3, §4; 21 CFR 11)', () => {
  h.roleTests(
    rolesByEvent({
      manufacturer: 'SUBMIT FEE_PAID ECOPY_RECEIVED REPLACEMENT_SUBMITTED RTA_RESPONSE AI_RESPONSE WITHDRAW',
      fda: 'FEE_VERIFIED FEE_UNPAID ECOPY_HOLD SCREEN_PASS SCREEN_FAIL ACCEPT REFUSE_TO_ACCEPT SUBSTANTIVE_INTERACTION REQUEST_AI AI_RESPONSE_INCOMPLETE CONVERT_TO_TRADITIONAL THIRD_PARTY_RECOMMENDATION DECIDE_SE DECIDE_NSE RESCIND_SE',
      system: 'ACCEPTANCE_DEEMED ESTAR_HOLD_TIMEOUT ECOPY_HOLD_TIMEOUT RTA_TIMEOUT AI_TIMEOUT',
    }),
    { described: true },
  );

  it('every event payload schema forbids unknown fields', () => {
    h.expectUnknownFieldsRefused();
  });

  it('the sponsor signs its filing and FDA its decisions, as in v3', () => {
    const signed = Object.entries(fda510kV4.events)
      .filter(([, e]) => e.requiresSignature)
      .map(([t]) => t)
      .sort();
    expect(signed).toEqual(['DECIDE_NSE', 'DECIDE_SE', 'RESCIND_SE', 'SUBMIT']);
  });
});
