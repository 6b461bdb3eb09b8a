/**
 * The HDE machine against reference/domain.md §5.4, exhaustively: every state reachable from
 * `draft` (found by `xstate/graph`) is visited, and in each one every event type declared in
 * `fdaHde.events` is sent with the pure `transition()`. The expected outcome comes from `TABLE`
 * below, transcribed by hand from domain.md §5.4 (plus the rows named in its comments: 21 CFR
 * 814.106 amendments, 814.118 withdrawal of approval, and what follows an approvable / not
 * approvable letter as in the PMA table §5.3), never from the machine.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { describeWorkflow } from '../../src/engine/catalog.js';
import { createValidator, eventSchemaId, inputSchemaId } from '../../src/validation.js';
import {
  HDE_AMENDMENT_RESPONSE_DAYS,
  HDE_FILING_DAYS,
  HDE_REVIEW_DAYS,
  HUD_DESIGNATION_REVIEW_DAYS,
  HUD_POPULATION_LIMIT,
  fdaHde,
} from '../../workflows/fda-hde.js';
import type { WorkflowEvent } from '../../workflows/types.js';
import { createMachineHarness, lenientAjv, pathOf, type TableRow, rolesByEvent, eventLookup } from '../support/machine-harness.js';
import { reasonsText } from '../../src/messages/format.js';

// ---------------------------------------------------------------------------------------------
// reference/domain.md §5.4, transcribed. `from` is a state path or `*` (any state that is not a
// final outcome of DESIGN §4: `approved`, `closed.*`).
// ---------------------------------------------------------------------------------------------

/** DESIGN §4 catalog: `fda-hde` final outcomes are `approved` and `closed.*`. */
const FINAL_OUTCOMES = ['approved', 'closed.hudDenied', 'closed.notFiled', 'closed.denied', 'closed.withdrawn', 'closed.approvalWithdrawn'];
const isOutcome = (s: string) => s === 'approved' || s.startsWith('closed.');

const TABLE: readonly TableRow[] = [
  { from: 'draft', event: 'REQUEST_HUD', to: 'hudReview' }, // §5.4 #1 (population ≤ 8,000: guard tested below)
  { from: 'hudReview', event: 'HUD_DESIGNATED', to: 'hudDesignated' }, // #2 OOPD
  { from: 'hudReview', event: 'HUD_DENIED', to: 'closed.hudDenied' }, // #3 OOPD
  { from: 'hudDesignated', event: 'SUBMIT_HDE', to: 'filingReview' }, // #4
  { from: 'filingReview', event: 'FILE', to: 'review' }, // #5
  { from: 'filingReview', event: 'REFUSE_TO_FILE', to: 'closed.notFiled' }, // #6
  { from: 'review', event: 'ISSUE_APPROVAL_ORDER', to: 'approved' }, // #7
  { from: 'review', event: 'ISSUE_APPROVABLE', to: 'approvable' }, // #7
  { from: 'review', event: 'ISSUE_NOT_APPROVABLE', to: 'notApprovable' }, // #7
  { from: 'review', event: 'ISSUE_DENIAL', to: 'closed.denied' }, // #7
  { from: '*', event: 'WITHDRAW', to: 'closed.withdrawn' }, // #8
  { from: 'approved', event: 'WITHDRAW_APPROVAL', to: 'closed.approvalWithdrawn' }, // 21 CFR 814.118
  // 21 CFR 814.106: FDA-requested amendment, 75 days to answer or considered withdrawn; an
  // unsolicited (major) amendment during review extends the review.
  { from: 'review', event: 'REQUEST_AMENDMENT', to: 'amendmentHold' },
  { from: 'review', event: 'AMENDMENT', to: 'review' },
  { from: 'amendmentHold', event: 'AMENDMENT', to: 'review' },
  { from: 'amendmentHold', event: 'AMENDMENT_TIMEOUT', to: 'closed.withdrawn' },
  // Approvable / not approvable letters ask for an amendment (PMA §5.3 rows 16, 19, 20; 814.106).
  { from: 'approvable', event: 'AMENDMENT', to: 'review' },
  { from: 'approvable', event: 'AMENDMENT_TIMEOUT', to: 'closed.withdrawn' },
  { from: 'notApprovable', event: 'AMENDMENT', to: 'review' },
  { from: 'notApprovable', event: 'AMENDMENT_TIMEOUT', to: 'closed.withdrawn' },
  { from: 'notApprovable', event: 'ISSUE_DENIAL', to: 'closed.denied' },
];

/** Clock tags per leaf state (DESIGN §7): FDA reviewing = `fda-clock`; waiting for the sponsor's amendment = `hold`. */
const TAGS: Readonly<Record<string, readonly string[]>> = {
  draft: [],
  hudReview: ['fda-clock'],
  hudDesignated: [],
  filingReview: ['fda-clock'],
  review: ['fda-clock'],
  amendmentHold: ['hold'],
  approvable: ['hold'],
  notApprovable: ['hold'],
  approved: [],
  'closed.hudDenied': [],
  'closed.notFiled': [],
  'closed.denied': [],
  'closed.withdrawn': [],
  'closed.approvalWithdrawn': [],
};

/** Hard sponsor-side deadlines: 21 CFR 814.106, 75 days from the request. */
const DEADLINES: Readonly<Record<string, { event: string; length: number }>> = {
  amendmentHold: { event: 'AMENDMENT_TIMEOUT', length: 75 },
  approvable: { event: 'AMENDMENT_TIMEOUT', length: 75 },
  notApprovable: { event: 'AMENDMENT_TIMEOUT', length: 75 },
};

// ---------------------------------------------------------------------------------------------
// One valid event of each declared type.
// ---------------------------------------------------------------------------------------------

const EVENTS: Record<string, WorkflowEvent> = {
  REQUEST_HUD: { type: 'REQUEST_HUD', data: { estimatedAnnualPopulation: 3200, condition: 'Pediatric pulmonary vein stenosis' } },
  HUD_DESIGNATED: { type: 'HUD_DESIGNATED', data: { designationNumber: 'HUD 26-0101', decisionDate: '2026-02-10' } },
  HUD_DENIED: { type: 'HUD_DENIED', data: { reason: 'Population above 8,000' } },
  SUBMIT_HDE: { type: 'SUBMIT_HDE', data: { summary: 'Original HDE' } },
  FILE: { type: 'FILE' },
  REFUSE_TO_FILE: { type: 'REFUSE_TO_FILE', data: { grounds: ['comparableDevice'], detail: 'A comparable device is legally marketed' } },
  REQUEST_AMENDMENT: { type: 'REQUEST_AMENDMENT', data: { deficiencies: ['Provide the probable-benefit analysis'] } },
  AMENDMENT: { type: 'AMENDMENT', data: { summary: 'Probable-benefit analysis', major: true } },
  AMENDMENT_TIMEOUT: { type: 'AMENDMENT_TIMEOUT' },
  ISSUE_APPROVAL_ORDER: { type: 'ISSUE_APPROVAL_ORDER', data: { hNumber: 'H260007', decisionDate: '2026-06-20' } },
  ISSUE_APPROVABLE: { type: 'ISSUE_APPROVABLE', data: { conditions: ['Final printed labeling'] } },
  ISSUE_NOT_APPROVABLE: { type: 'ISSUE_NOT_APPROVABLE', data: { deficiencies: ['Safety data insufficient'] } },
  ISSUE_DENIAL: { type: 'ISSUE_DENIAL', data: { reasons: ['Probable benefit not shown'], decisionDate: '2026-06-21' } },
  WITHDRAW: { type: 'WITHDRAW', data: { reason: 'Business decision' } },
  WITHDRAW_APPROVAL: { type: 'WITHDRAW_APPROVAL', data: { reason: 'Comparable device approved under a PMA' } },
};

const ev = eventLookup(EVENTS);

const ajv = lenientAjv();
const h = createMachineHarness<Record<string, never>>({ workflow: fdaHde, table: TABLE, isFinal: isOutcome, event: ev, eventTypes: Object.keys(EVENTS) });
const machine = h.machine;
const LEAF_PATHS = h.leafPaths;
const snapshots = h.reachable({}).map((r) => r.snapshot);
const run = (types: string[]) => h.run({}, types);

h.describeFixtures();

describe('fda-hde transitions (reference/domain.md §5.4)', () => {
  it('starts in draft with an empty decision', () => {
    const [s] = initialTransition(machine, {});
    expect(pathOf(s)).toBe('draft');
    expect(s.context).toEqual({ hNumber: null, decisionDate: null });
  });

  it('reaches every leaf state node', () => {
    const reached = new Set(snapshots.map(pathOf));
    expect(LEAF_PATHS.filter((p) => !reached.has(p))).toEqual([]);
  });

  it('the machine has exactly the leaf states of the table', () => {
    expect(LEAF_PATHS).toEqual(h.tableStates(FINAL_OUTCOMES));
  });

  it('every final outcome of DESIGN §4 (`approved`, `closed.*`) is reachable', () => {
    const reached = new Set(snapshots.map(pathOf));
    for (const o of FINAL_OUTCOMES) expect(reached.has(o), o).toBe(true);
    expect(LEAF_PATHS.filter((p) => p.startsWith('closed.')).every((p) => reached.has(p))).toBe(true);
  });

  h.tableTests({});
});

describe('fda-hde guards and context', () => {
  const inDraft = () => initialTransition(machine, {})[0];
  const hud = (n: number): WorkflowEvent => ({ type: 'REQUEST_HUD', data: { estimatedAnnualPopulation: n } });

  it(`REQUEST_HUD accepts a population of at most ${HUD_POPULATION_LIMIT} a year and refuses more, saying why`, () => {
    expect(HUD_POPULATION_LIMIT).toBe(8000);
    expect(pathOf(transition(machine, inDraft(), hud(8000))[0])).toBe('hudReview');
    expect(pathOf(transition(machine, inDraft(), hud(1))[0])).toBe('hudReview');
    const refused = hud(8001);
    expect(inDraft().can(refused)).toBe(false);
    expect(pathOf(transition(machine, inDraft(), refused)[0])).toBe('draft');
    const why = reasonsText(fdaHde.explainRefusal?.(inDraft().context, refused));
    expect(why).toMatch(/8000/);
    expect(why).toMatch(/8001/);
    expect(reasonsText(fdaHde.explainRefusal?.(inDraft().context, hud(12)))).toBeUndefined();
  });

  it('ISSUE_APPROVAL_ORDER records the H-number and decision date: a favourable decision COFEPRIS may rely on', () => {
    const s = run(['REQUEST_HUD', 'HUD_DESIGNATED', 'SUBMIT_HDE', 'FILE', 'ISSUE_APPROVAL_ORDER']);
    expect(pathOf(s)).toBe('approved');
    expect(s.context).toEqual({ hNumber: 'H260007', decisionDate: '2026-06-20' });
    expect(fdaHde.decisionOf?.('approved', s.context)).toEqual({ number: 'H260007', decision: 'approved', decisionDate: '2026-06-20', favourable: true });
    expect(fdaHde.invalidatesReliance?.('approved')).toBe(false);
  });

  it('WITHDRAW_APPROVAL keeps the H-number but the decision is no longer favourable and invalidates reliance', () => {
    const s = run(
      'REQUEST_HUD HUD_DESIGNATED SUBMIT_HDE FILE REQUEST_AMENDMENT AMENDMENT ISSUE_APPROVABLE AMENDMENT ISSUE_APPROVAL_ORDER WITHDRAW_APPROVAL'.split(' '),
    );
    expect(pathOf(s)).toBe('closed.approvalWithdrawn');
    const d = fdaHde.decisionOf?.('closed.approvalWithdrawn', s.context);
    expect(d).toMatchObject({ number: 'H260007', decisionDate: '2026-06-20', favourable: false });
    expect(d?.decision).not.toBe('approved');
    expect(fdaHde.invalidatesReliance?.('closed.approvalWithdrawn')).toBe(true);
  });

  it('ISSUE_DENIAL (after a not approvable letter) records the decision date and no H-number', () => {
    const s = run(['REQUEST_HUD', 'HUD_DESIGNATED', 'SUBMIT_HDE', 'FILE', 'ISSUE_NOT_APPROVABLE', 'ISSUE_DENIAL']);
    expect(pathOf(s)).toBe('closed.denied');
    expect(s.context).toEqual({ hNumber: null, decisionDate: '2026-06-21' });
    expect(fdaHde.decisionOf?.('closed.denied', s.context)).toMatchObject({ number: null, decision: 'denied', favourable: false });
  });

  it('only `approved` is favourable; every closed outcome invalidates reliance; no open state does', () => {
    for (const path of LEAF_PATHS) {
      expect(fdaHde.decisionOf?.(path, { hNumber: 'H260007', decisionDate: '2026-06-20' }).favourable, path).toBe(path === 'approved');
      expect(fdaHde.invalidatesReliance?.(path), path).toBe(path.startsWith('closed.'));
    }
    expect(fdaHde.decisionOf?.('review', { hNumber: null, decisionDate: null }).decision).toBeNull();
  });
});

describe('fda-hde clocks, deadlines and goals', () => {
  const d = describeWorkflow(fdaHde);

  it('every leaf state runs the clocks of DESIGN §7 as transcribed', () => {
    h.expectTags(TAGS);
  });

  it('hard deadlines only where 21 CFR 814.106 gives the sponsor a window; each fires a system event that leaves the state', () => {
    for (const s of d.states) {
      const want = DEADLINES[s.path];
      if (!want) {
        expect(s.deadline, s.path).toBeNull();
        continue;
      }
      expect(s.deadline, s.path).toMatchObject({ event: want.event, length: want.length, unit: 'calendar' });
      expect(fdaHde.events[want.event]?.roles).toEqual(['system']);
      const t = s.transitions.find((x) => x.event === want.event);
      expect(t?.targets).toEqual(['closed.withdrawn']);
    }
  });

  it('every state has a description', () => {
    for (const s of d.states) expect(s.description, s.path).toMatch(/\S/);
  });

  it('goals: HUD designation period, 30-day filing, 75 days of review; lengths are the named constants', () => {
    const byKind = new Map(fdaHde.goals.map((g) => [g.kind, g]));
    expect(byKind.get('hudDesignation')?.length).toBe(HUD_DESIGNATION_REVIEW_DAYS);
    expect(byKind.get('filing')?.length).toBe(HDE_FILING_DAYS);
    expect(byKind.get('decision')).toMatchObject({ length: 75, unit: 'fda-days' });
    expect(HDE_REVIEW_DAYS).toBe(75);
    expect(HDE_FILING_DAYS).toBe(30);
    expect(d.states.find((s) => s.path === 'amendmentHold')?.deadline?.length).toBe(HDE_AMENDMENT_RESPONSE_DAYS);
  });

  it('UNCONFIRMED values are parameters flagged unconfirmed with a note citing domain.md; confirmed ones are not flagged', () => {
    const p = fdaHde.parameters;
    expect(p.hudDesignationReviewDays).toMatchObject({ value: HUD_DESIGNATION_REVIEW_DAYS, unconfirmed: true });
    expect([45, 90]).toContain(HUD_DESIGNATION_REVIEW_DAYS);
    expect(p.hudDesignationReviewDays?.note).toMatch(/domain\.md/);
    expect(p.amendmentResponseDays).toMatchObject({ value: HDE_AMENDMENT_RESPONSE_DAYS, unconfirmed: true });
    expect(p.amendmentResponseDays?.note).toMatch(/814\.106/);
    for (const key of ['hudPopulationLimit', 'hdeFilingDays', 'hdeReviewDays']) {
      expect(p[key], key).toBeDefined();
      expect(p[key]?.unconfirmed, key).toBeFalsy();
    }
    for (const [key, param] of Object.entries(p)) expect(param.note, key).toMatch(/\S/);
  });
});

describe('fda-hde event roles and schemas', () => {
  // HUD_DESIGNATED: OOPD is FDA staff
  const EXPECTED_ROLES = rolesByEvent({
    manufacturer: 'REQUEST_HUD SUBMIT_HDE AMENDMENT WITHDRAW',
    fda: 'HUD_DESIGNATED HUD_DENIED FILE REFUSE_TO_FILE REQUEST_AMENDMENT ISSUE_APPROVAL_ORDER ISSUE_APPROVABLE ISSUE_NOT_APPROVABLE ISSUE_DENIAL WITHDRAW_APPROVAL',
    system: 'AMENDMENT_TIMEOUT',
  });

  h.roleTests(EXPECTED_ROLES, { described: true });

  it("every schema compiles with the server's strict validator; the input takes nothing", () => {
    const validator = createValidator([fdaHde]);
    for (const type of Object.keys(fdaHde.events)) expect(() => validator.check(eventSchemaId(fdaHde, type), ev(type).data ?? {}), type).not.toThrow();
    expect(() => validator.check(inputSchemaId(fdaHde), {})).not.toThrow();
    expect(() => validator.check(inputSchemaId(fdaHde), { variant: 'x' })).toThrow();
  });

  it('every event payload schema forbids unknown fields', () => {
    h.expectUnknownFieldsRefused(ajv);
  });

  it('ISSUE_APPROVAL_ORDER requires an H-number (H + 6 digits) and a YYYY-MM-DD decision date', () => {
    const validate = ajv.compile(fdaHde.events.ISSUE_APPROVAL_ORDER!.schema);
    expect(validate({ hNumber: 'H260007', decisionDate: '2026-06-20' })).toBe(true);
    for (const bad of ['H26000', 'H2600071', 'h260007', 'K260007', 'P260007', 'H26000A', ' H260007']) {
      expect(validate({ hNumber: bad, decisionDate: '2026-06-20' }), bad).toBe(false);
    }
    expect(validate({ hNumber: 'H260007', decisionDate: '20/06/2026' })).toBe(false);
    expect(validate({ hNumber: 'H260007' })).toBe(false);
    expect(validate({ decisionDate: '2026-06-20' })).toBe(false);
  });

  it('REQUEST_HUD requires a whole, positive population estimate', () => {
    const validate = ajv.compile(fdaHde.events.REQUEST_HUD!.schema);
    expect(validate({ estimatedAnnualPopulation: 8000 })).toBe(true);
    expect(validate({})).toBe(false);
    expect(validate({ estimatedAnnualPopulation: 0 })).toBe(false);
    expect(validate({ estimatedAnnualPopulation: 12.5 })).toBe(false);
    expect(validate({ estimatedAnnualPopulation: '300' })).toBe(false);
  });

  it('REFUSE_TO_FILE requires at least one 21 CFR 814.112 ground from the list', () => {
    const validate = ajv.compile(fdaHde.events.REFUSE_TO_FILE!.schema);
    for (const g of ['incomplete', 'comparableDevice', 'untrueStatement', 'noFinancialDisclosure']) expect(validate({ grounds: [g] }), g).toBe(true);
    expect(validate({ grounds: [] })).toBe(false);
    expect(validate({ grounds: ['late'] })).toBe(false);
    expect(validate({ grounds: ['incomplete', 'incomplete'] })).toBe(false);
    expect(validate({ detail: 'x' })).toBe(false);
  });

  it('letters and requests list their items; WITHDRAW_APPROVAL states its grounds', () => {
    for (const [type, field] of [
      ['REQUEST_AMENDMENT', 'deficiencies'],
      ['ISSUE_APPROVABLE', 'conditions'],
      ['ISSUE_NOT_APPROVABLE', 'deficiencies'],
    ] as const) {
      const validate = ajv.compile(fdaHde.events[type]!.schema);
      expect(validate({}), type).toBe(false);
      expect(validate({ [field]: [] }), type).toBe(false);
      expect(validate({ [field]: [''] }), type).toBe(false);
      expect(validate({ [field]: ['x'] }), type).toBe(true);
    }
    expect(ajv.validate(fdaHde.events.WITHDRAW_APPROVAL!.schema, {})).toBe(false);
  });
});
