/**
 * The Breakthrough designation machine against reference/domain.md §5.6, exhaustively, with and
 * without a marketing submission named at creation: every state reachable from `draft` (found by
 * `xstate/graph`) is visited, and in each one every declared event type is sent with the pure
 * `transition()`. The expected outcome comes from `TABLE` below, transcribed by hand from
 * domain.md §5.6 (plus the link rule of the brief), never from the machine. The link guard is
 * exercised with `event.facts.linkTarget` built by hand, as the engine would compute it.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { describeWorkflow } from '../../src/engine/catalog.js';
import { createValidator, eventSchemaId, inputSchemaId } from '../../src/validation.js';
import { BREAKTHROUGH_DECISION_DAYS, fdaBreakthrough, prioritizedSubmissionIds, type FdaBreakthroughContext } from '../../workflows/fda-breakthrough.js';
import type { LinkTargetFacts, WorkflowEvent } from '../../workflows/types.js';
import { reasonsText } from '../../src/messages/format.js';
import { createMachineHarness, lenientAjv, pathOf, type Reached, type TableRow, rolesByEvent, eventLookup } from '../support/machine-harness.js';

const CREATED_WITH = '0193a5d2-7c1e-7f00-8a00-000000000001';
const LINKED_LATER = '0193a5d2-7c1e-7f00-8a00-000000000002';

interface Input {
  linkedSubmissionId?: string;
}
const INPUTS: readonly Input[] = [{}, { linkedSubmissionId: CREATED_WITH }];

// ---------------------------------------------------------------------------------------------
// reference/domain.md §5.6, transcribed. `link` rows apply only when the named submission is
// linkable and not linked yet (the test's own model decides that, from the path taken).
// ---------------------------------------------------------------------------------------------

/** DESIGN §4 catalog: `designated` and `closed.*`. */
const FINAL_OUTCOMES = ['designated', 'closed.denied', 'closed.withdrawn', 'closed.designationWithdrawn'];

interface Row extends TableRow {
  readonly link?: true;
}

const TABLE: readonly Row[] = [
  { from: 'draft', event: 'REQUEST_DESIGNATION', to: 'underReview' }, // #1
  { from: 'underReview', event: 'REQUEST_INFO', to: 'underReview' }, // #2 (self)
  { from: 'underReview', event: 'INFO_RESPONSE', to: 'underReview' }, // the answer to #2, also a self-transition
  { from: 'underReview', event: 'GRANT', to: 'designated' }, // #3
  { from: 'underReview', event: 'DENY', to: 'closed.denied' }, // #4
  { from: 'underReview', event: 'WITHDRAW', to: 'closed.withdrawn' }, // #5
  { from: 'draft', event: 'WITHDRAW', to: 'closed.withdrawn' }, // "any non-final WITHDRAW", as in every FDA table
  { from: 'designated', event: 'WITHDRAW_DESIGNATION', to: 'closed.designationWithdrawn' }, // #6
  // Linking the marketing submission to prioritize: while under review or designated.
  { from: 'underReview', event: 'LINK_SUBMISSION', to: 'underReview', link: true },
  { from: 'designated', event: 'LINK_SUBMISSION', to: 'designated', link: true },
];

const TAGS: Readonly<Record<string, readonly string[]>> = {
  draft: [],
  underReview: ['fda-clock'],
  designated: [],
  'closed.denied': [],
  'closed.withdrawn': [],
  'closed.designationWithdrawn': [],
};

const sameOrg510k: LinkTargetFacts = { exists: true, workflowId: 'fda-510k', sameOrganization: true, state: 'review.substantive' };
const link = (submissionId: string, linkTarget?: LinkTargetFacts): WorkflowEvent => ({
  type: 'LINK_SUBMISSION',
  data: { submissionId },
  ...(linkTarget ? { facts: { linkTarget } } : {}),
});

const EVENTS: Record<string, WorkflowEvent> = {
  REQUEST_DESIGNATION: { type: 'REQUEST_DESIGNATION', data: { summary: 'Implantable BCI for ALS', secondaryCriteria: ['noApprovedAlternative'] } },
  REQUEST_INFO: { type: 'REQUEST_INFO', data: { questions: ['Describe the target population'] } },
  INFO_RESPONSE: { type: 'INFO_RESPONSE', data: { summary: 'Population described' } },
  GRANT: { type: 'GRANT', data: { qNumber: 'Q261001', secondaryCriteria: ['breakthroughTechnology', 'noApprovedAlternative'], decisionDate: '2026-04-01' } },
  DENY: { type: 'DENY', data: { reasons: ['Condition not life-threatening'], decisionDate: '2026-04-02' } },
  WITHDRAW: { type: 'WITHDRAW', data: { reason: 'Pursuing another indication' } },
  WITHDRAW_DESIGNATION: { type: 'WITHDRAW_DESIGNATION', data: { reason: 'An alternative was approved' } },
  LINK_SUBMISSION: link(LINKED_LATER, sameOrg510k),
};

const ev = eventLookup(EVENTS);

const ajv = lenientAjv();
/** The table's memo is the test's own model of the path: whether LINK_SUBMISSION linked LINKED_LATER already. */
const h = createMachineHarness<Input, Row, boolean>({
  workflow: fdaBreakthrough,
  table: TABLE,
  isFinal: (state) => FINAL_OUTCOMES.includes(state),
  applies: (row, _input, alreadyLinked) => !(row.link && alreadyLinked),
  memo: { initial: false, after: (linked, e) => linked || e.type === 'LINK_SUBMISSION' },
  event: ev,
  eventTypes: Object.keys(EVENTS),
});
const machine = h.machine;
const LEAF_PATHS = h.leafPaths;
const linkedOf = (s: AnyMachineSnapshot) => (s.context as FdaBreakthroughContext).linkedSubmissionIds;
/** The submissions the model says are linked: the input's, then LINK_SUBMISSION's. */
const modelLinked = (input: Input, r: Reached<boolean>) => [...(input.linkedSubmissionId ? [input.linkedSubmissionId] : []), ...(r.memo ? [LINKED_LATER] : [])];
const run = (input: Input, events: WorkflowEvent[]) => h.run(input, events);

h.describeFixtures();

for (const input of INPUTS) {
  const reached = h.reachable(input);

  describe(`fda-breakthrough, input ${JSON.stringify(input)} (reference/domain.md §5.6)`, () => {
    it('starts in draft with the named submission (if any) linked', () => {
      const [s] = initialTransition(machine, input);
      expect(pathOf(s)).toBe('draft');
      expect(s.context).toEqual({ linkedSubmissionIds: input.linkedSubmissionId ? [CREATED_WITH] : [], qNumber: null, decisionDate: null });
    });

    it('reaches every leaf state and every DESIGN §4 outcome', () => {
      const paths = [...new Set(reached.map((r) => pathOf(r.snapshot)))].sort();
      expect(paths).toEqual(LEAF_PATHS);
      for (const o of FINAL_OUTCOMES) expect(paths).toContain(o);
    });

    it("the linked submissions in context are those of the model (the input's, then each accepted link)", () => {
      for (const r of reached) expect(linkedOf(r.snapshot), pathOf(r.snapshot)).toEqual(modelLinked(input, r));
    });

    h.tableTests(input, reached);
  });
}

describe('fda-breakthrough graph coverage', () => {
  it('the machine has exactly the leaf states of the table', () => {
    expect(LEAF_PATHS).toEqual(h.tableStates(FINAL_OUTCOMES));
  });
});

describe('fda-breakthrough LINK_SUBMISSION guard (facts built by hand)', () => {
  const underReview = () => run({}, [ev('REQUEST_DESIGNATION')]);
  const designated = () => run({ linkedSubmissionId: CREATED_WITH }, [ev('REQUEST_DESIGNATION'), ev('GRANT')]);
  const refusedWith = (s: AnyMachineSnapshot, e: WorkflowEvent, why: RegExp) => {
    expect(s.can(e)).toBe(false);
    const [next] = transition(machine, s, e);
    expect(next.context).toEqual(s.context);
    expect(reasonsText(fdaBreakthrough.explainRefusal?.(s.context, e))).toMatch(why);
  };

  it('factsFor asks the engine for linkTarget facts on LINK_SUBMISSION only', () => {
    expect(fdaBreakthrough.factsFor).toEqual({ LINK_SUBMISSION: ['linkTarget'] });
  });

  for (const workflowId of ['fda-510k', 'fda-de-novo', 'fda-pma']) {
    it(`accepts an existing ${workflowId} submission of the same organization, under review and once designated`, () => {
      for (const s of [underReview(), designated()]) {
        const e = link(LINKED_LATER, { exists: true, workflowId, sameOrganization: true, state: 'draft' });
        expect(s.can(e)).toBe(true);
        const [next] = transition(machine, s, e);
        expect(pathOf(next)).toBe(pathOf(s));
        expect(linkedOf(next)).toEqual([...linkedOf(s), LINKED_LATER]);
        expect(reasonsText(fdaBreakthrough.explainRefusal?.(s.context, e))).toBeUndefined();
      }
    });
  }

  it('refuses when the engine gave no facts (the submission could not be checked)', () => {
    refusedWith(underReview(), link(LINKED_LATER), /could not be checked/);
    refusedWith(designated(), { type: 'LINK_SUBMISSION', data: { submissionId: LINKED_LATER }, facts: {} }, /could not be checked/);
  });

  it('refuses a submission that does not exist (or the sender cannot see)', () => {
    refusedWith(
      underReview(),
      link(LINKED_LATER, { exists: false, workflowId: null, sameOrganization: false, state: null }),
      new RegExp(`no submission ${LINKED_LATER}`),
    );
  });

  it('refuses a submission of another organization, even a 510(k)', () => {
    refusedWith(underReview(), link(LINKED_LATER, { ...sameOrg510k, sameOrganization: false }), /another organization/);
  });

  for (const workflowId of ['fda-hde', 'fda-presub', 'fda-breakthrough', 'cofepris-registration']) {
    it(`refuses a ${workflowId} submission: only 510(k), De Novo and PMA can be prioritized`, () => {
      refusedWith(designated(), link(LINKED_LATER, { ...sameOrg510k, workflowId }), new RegExp(`${workflowId} submission`));
    });
  }

  it('refuses a submission already linked (at creation or by an earlier link)', () => {
    refusedWith(designated(), link(CREATED_WITH, sameOrg510k), /already linked/);
    const twice = run({}, [ev('REQUEST_DESIGNATION'), link(LINKED_LATER, sameOrg510k)]);
    refusedWith(twice, link(LINKED_LATER, sameOrg510k), /already linked/);
  });

  it('is not handled at all in draft or once closed (no guard explanation needed)', () => {
    for (const s of [
      run({}, []),
      run({}, [ev('REQUEST_DESIGNATION'), ev('DENY')]),
      run({}, [ev('REQUEST_DESIGNATION'), ev('GRANT'), ev('WITHDRAW_DESIGNATION')]),
    ]) {
      expect(s.can(link(LINKED_LATER, sameOrg510k)), pathOf(s)).toBe(false);
    }
  });
});

describe('fda-breakthrough prioritization and decision', () => {
  it('prioritizes every linked submission while designated, none before or after', () => {
    const s = run({ linkedSubmissionId: CREATED_WITH }, [ev('REQUEST_DESIGNATION'), link(LINKED_LATER, sameOrg510k)]);
    expect(prioritizedSubmissionIds('underReview', s.context)).toEqual([]);
    const d = run({ linkedSubmissionId: CREATED_WITH }, [ev('REQUEST_DESIGNATION'), link(LINKED_LATER, sameOrg510k), ev('GRANT')]);
    expect(pathOf(d)).toBe('designated');
    expect(prioritizedSubmissionIds('designated', d.context)).toEqual([CREATED_WITH, LINKED_LATER]);
    const w = run({ linkedSubmissionId: CREATED_WITH }, [ev('REQUEST_DESIGNATION'), ev('GRANT'), ev('WITHDRAW_DESIGNATION')]);
    expect(prioritizedSubmissionIds(pathOf(w), w.context)).toEqual([]);
    for (const path of LEAF_PATHS) expect(prioritizedSubmissionIds(path, d.context).length > 0, path).toBe(path === 'designated');
  });

  it('the definition hands the helper to the engine', () => {
    const d = run({ linkedSubmissionId: CREATED_WITH }, [ev('REQUEST_DESIGNATION'), ev('GRANT')]);
    expect(fdaBreakthrough.prioritizes?.('designated', d.context)).toEqual([CREATED_WITH]);
  });

  it('GRANT records the Q-number and date; a designation is never a favourable decision for reliance', () => {
    const d = run({}, [ev('REQUEST_DESIGNATION'), ev('REQUEST_INFO'), ev('INFO_RESPONSE'), ev('GRANT')]);
    expect(d.context).toMatchObject({ qNumber: 'Q261001', decisionDate: '2026-04-01' });
    expect(fdaBreakthrough.decisionOf?.('designated', d.context)).toEqual({
      number: 'Q261001',
      decision: 'designated',
      decisionDate: '2026-04-01',
      favourable: false,
    });
    for (const path of LEAF_PATHS) expect(fdaBreakthrough.decisionOf?.(path, d.context).favourable, path).toBe(false);
  });
});

describe('fda-breakthrough clocks, goals and parameters', () => {
  const d = describeWorkflow(fdaBreakthrough);
  it("FDA's clock runs while under review; no hard deadline (no source gives one)", () => {
    h.expectTags(TAGS);
    for (const s of d.states) expect(s.deadline, s.path).toBeNull();
    for (const s of d.states) expect(s.description, s.path).toMatch(/\S/);
  });

  it('the designation decision period is a goal and an unconfirmed parameter (domain.md §6 item 1)', () => {
    expect(fdaBreakthrough.goals.find((g) => g.kind === 'designationDecision')).toMatchObject({ length: BREAKTHROUGH_DECISION_DAYS, unit: 'calendar' });
    expect(fdaBreakthrough.parameters.decisionDays).toMatchObject({ value: BREAKTHROUGH_DECISION_DAYS, unconfirmed: true });
    expect(fdaBreakthrough.parameters.decisionDays?.note).toMatch(/domain\.md/);
    expect(fdaBreakthrough.parameters.linkableWorkflows?.unconfirmed).toBeFalsy();
  });
});

describe('fda-breakthrough event roles and schemas', () => {
  // WITHDRAW_DESIGNATION: FDA/SPONSOR (§5.6 row 6)
  const EXPECTED_ROLES = rolesByEvent({
    manufacturer: 'REQUEST_DESIGNATION INFO_RESPONSE WITHDRAW LINK_SUBMISSION WITHDRAW_DESIGNATION',
    fda: 'REQUEST_INFO GRANT DENY WITHDRAW_DESIGNATION',
  });

  h.roleTests(EXPECTED_ROLES, { described: true, anyOrder: true });

  it("every schema compiles with the server's strict validator; the input takes an optional uuid", () => {
    const validator = createValidator([fdaBreakthrough]);
    for (const type of Object.keys(fdaBreakthrough.events))
      expect(() => validator.check(eventSchemaId(fdaBreakthrough, type), ev(type).data ?? {}), type).not.toThrow();
    for (const input of INPUTS) expect(() => validator.check(inputSchemaId(fdaBreakthrough), input)).not.toThrow();
    for (const bad of [{ linkedSubmissionId: 'K261234' }, { linkedSubmissionId: 7 }, { other: 1 }]) {
      expect(() => validator.check(inputSchemaId(fdaBreakthrough), bad), JSON.stringify(bad)).toThrow();
    }
  });

  it('every event payload schema forbids unknown fields', () => {
    h.expectUnknownFieldsRefused(ajv);
  });

  it('GRANT requires a Q-number (Q + 6 digits) and at least one known secondary criterion', () => {
    const validate = ajv.compile(fdaBreakthrough.events.GRANT!.schema);
    expect(validate({ qNumber: 'Q261001', secondaryCriteria: ['significantAdvantages'] })).toBe(true);
    for (const bad of ['Q26100', 'Q2610011', 'q261001', 'H261001', 'Q-261001']) {
      expect(validate({ qNumber: bad, secondaryCriteria: ['significantAdvantages'] }), bad).toBe(false);
    }
    expect(validate({ qNumber: 'Q261001' })).toBe(false);
    expect(validate({ qNumber: 'Q261001', secondaryCriteria: [] })).toBe(false);
    expect(validate({ qNumber: 'Q261001', secondaryCriteria: ['cheaper'] })).toBe(false);
    expect(validate({ secondaryCriteria: ['significantAdvantages'] })).toBe(false);
  });

  it('LINK_SUBMISSION requires a uuid submissionId; WITHDRAW_DESIGNATION a reason', () => {
    const validate = ajv.compile(fdaBreakthrough.events.LINK_SUBMISSION!.schema);
    expect(validate({ submissionId: LINKED_LATER })).toBe(true);
    expect(validate({})).toBe(false);
    expect(validate({ submissionId: 'K261234' })).toBe(false);
    expect(ajv.validate(fdaBreakthrough.events.WITHDRAW_DESIGNATION!.schema, {})).toBe(false);
  });
});
