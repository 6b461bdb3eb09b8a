/**
 * Humanitarian Device Exemption (21 CFR 814 subpart H): first the Humanitarian Use Device (HUD)
 * designation by FDA's Office of Orphan Products Development (OOPD), then the HDE itself: filing
 * review (814.112), review (814.114, 814.116), approval order / approvable / not approvable /
 * denial, and withdrawal of an approval (814.118). Transition table: reference/domain.md §5.4;
 * timings and sources: §1.4. Rows the table does not spell out (what follows an approvable or
 * not-approvable letter, amendments) follow 21 CFR 814.106 and, where subpart H defers to the PMA
 * rules, the PMA table of §5.3.
 */
import { assign, setup } from 'xstate';
import { APPROVAL_DECISIONS, FDA, clockedGoals, closedState, dataOf, isoDate, meta, numberOf, signedEvents, text, textList } from './common.js';
import type { FdaHdeEvent } from './event-data.js';
import type { DeadlineSpec, EventSpec, GoalSpec, WorkflowDefinition, WorkflowEvent } from './types.js';
import { payload, reason, type RefusalReason } from './types.js';

/** A HUD serves not more than 8,000 individuals in the US per year (21st Century Cures Act §3052). */
export const HUD_POPULATION_LIMIT = 8000;
/**
 * Days OOPD takes to answer a HUD designation request. UNCONFIRMED (reference/domain.md §1.4 and
 * §6 item 2): 45 days per an AdvaMed-style fact sheet, 90 days per rapath. 45 is the default.
 */
export const HUD_DESIGNATION_REVIEW_DAYS = 45;
/** FDA says within 30 days of receipt whether the HDE is filed (21 CFR 814.112; domain.md §1.4). */
export const HDE_FILING_DAYS = 30;
/** Decision within 75 days of receipt of an HDE accepted for filing (21 CFR 814.114, 814.116(a)). */
export const HDE_REVIEW_DAYS = 75;
/**
 * A requested HDE amendment not answered in writing within 75 days of the request: the HDE is
 * considered withdrawn voluntarily (21 CFR 814.106, law.cornell.edu/cfr/text/21/814.106). Not yet
 * in reference/domain.md, and applying it to approvable and not-approvable letters (which ask for
 * amendments) is a reading of the rule: UNCONFIRMED.
 */
export const HDE_AMENDMENT_RESPONSE_DAYS = 75;

/** 21 CFR 814.112 grounds for refusing to file, as reference/domain.md §1.4 lists them. */
export const REFUSE_TO_FILE_GROUNDS = ['incomplete', 'comparableDevice', 'untrueStatement', 'noFinancialDisclosure'] as const;

export interface FdaHdeContext {
  /** H-number of the approval order (`H` + 6 digits). */
  hNumber: string | null;
  /** Date of the approval order (kept after a withdrawal of approval), or of a denial order. */
  decisionDate: string | null;
}

const events: Record<string, EventSpec> = {
  REQUEST_HUD: {
    roles: ['manufacturer'],
    description: `Request HUD designation from OOPD; refused when the estimated US population exceeds ${HUD_POPULATION_LIMIT} a year.`,
    schema: payload({ estimatedAnnualPopulation: { type: 'integer', minimum: 1, maximum: 1_000_000_000 }, condition: text }, ['estimatedAnnualPopulation']),
  },
  HUD_DESIGNATED: {
    roles: ['fda'],
    description: 'OOPD designates the device a Humanitarian Use Device.',
    schema: payload({ designationNumber: { type: 'string', minLength: 1, maxLength: 64 }, decisionDate: isoDate }),
  },
  HUD_DENIED: { roles: ['fda'], description: 'OOPD denies HUD designation.', schema: payload({ reason: text }) },
  SUBMIT_HDE: {
    roles: ['manufacturer'],
    description: 'Send the HDE application (HUD designated; the sponsor states no comparable device is available).',
    schema: payload({ summary: text }),
  },
  FILE: { roles: ['fda'], description: 'The HDE is filed (21 CFR 814.112): the 75-day review starts.', schema: payload() },
  REFUSE_TO_FILE: {
    roles: ['fda'],
    description: 'Refuse to file (21 CFR 814.112): incomplete, comparable device, untrue statement or missing financial disclosure.',
    schema: payload(
      { grounds: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...REFUSE_TO_FILE_GROUNDS] } }, detail: text },
      ['grounds'],
    ),
  },
  REQUEST_AMENDMENT: {
    roles: ['fda'],
    description: `FDA requests an HDE amendment: the review clock pauses; ${HDE_AMENDMENT_RESPONSE_DAYS} days to answer (21 CFR 814.106).`,
    schema: payload({ deficiencies: textList }, ['deficiencies']),
  },
  AMENDMENT: {
    roles: ['manufacturer'],
    description:
      'An HDE amendment: answers a request or letter (review resumes), or, during review, an unsolicited one (a major amendment extends the review up to 75 days, 21 CFR 814.106).',
    schema: payload({ summary: text, major: { type: 'boolean' } }),
  },
  AMENDMENT_TIMEOUT: {
    roles: ['system'],
    description: `No written answer within ${HDE_AMENDMENT_RESPONSE_DAYS} days of the request: the HDE is considered withdrawn (21 CFR 814.106).`,
    schema: payload(),
  },
  ISSUE_APPROVAL_ORDER: {
    roles: ['fda'],
    description: 'Approval order (21 CFR 814.116(b)): the HDE is approved under its H-number.',
    schema: payload({ hNumber: numberOf('hNumber'), decisionDate: isoDate }, ['hNumber', 'decisionDate']),
  },
  ISSUE_APPROVABLE: {
    roles: ['fda'],
    description: 'Approvable letter (21 CFR 814.116(c)): approvable once the listed information or conditions are supplied.',
    schema: payload({ conditions: textList }, ['conditions']),
  },
  ISSUE_NOT_APPROVABLE: {
    roles: ['fda'],
    description: 'Not approvable letter (21 CFR 814.116(d)): deficiencies the sponsor may answer by amendment.',
    schema: payload({ deficiencies: textList }, ['deficiencies']),
  },
  ISSUE_DENIAL: {
    roles: ['fda'],
    description: 'Order denying approval (21 CFR 814.118(a)).',
    schema: payload({ reasons: textList, decisionDate: isoDate }),
  },
  WITHDRAW: { roles: ['manufacturer'], description: 'The sponsor withdraws the HUD request or the HDE.', schema: payload({ reason: text }) },
  WITHDRAW_APPROVAL: {
    roles: ['fda'],
    description: 'FDA withdraws the HDE approval (21 CFR 814.118); relying COFEPRIS registrations are notified.',
    schema: payload({ reason: text }, ['reason']),
  },
};

const goals: GoalSpec[] = [
  {
    kind: 'hudDesignation',
    length: HUD_DESIGNATION_REVIEW_DAYS,
    unit: 'calendar',
    description: `OOPD answers the HUD designation request within ${HUD_DESIGNATION_REVIEW_DAYS} days of receipt (UNCONFIRMED: 45 or 90).`,
  },
  {
    kind: 'filing',
    length: HDE_FILING_DAYS,
    unit: 'fda-days',
    description: `FDA says within ${HDE_FILING_DAYS} days of receipt of the HDE whether it is filed (21 CFR 814.112); counted from SUBMIT_HDE.`,
  },
  {
    kind: 'decision',
    length: HDE_REVIEW_DAYS,
    unit: 'fda-days',
    description: `Approval order, approvable, not approvable or denial within ${HDE_REVIEW_DAYS} days of receipt of an HDE accepted for filing (21 CFR 814.114); a major amendment extends it up to 75 days.`,
  },
];

/** The hard sponsor-side window of 21 CFR 814.106 on every state that waits for an amendment. */
const amendmentDeadline = (description: string): DeadlineSpec => ({
  kind: 'amendmentResponse',
  length: HDE_AMENDMENT_RESPONSE_DAYS,
  unit: 'calendar',
  event: 'AMENDMENT_TIMEOUT',
  description,
  unconfirmed: true,
});

const withdrawable = { WITHDRAW: { target: '#fda-hde.closed.withdrawn' } } as const;
const amendmentAnswered = {
  AMENDMENT: { target: '#fda-hde.review' },
  AMENDMENT_TIMEOUT: { target: '#fda-hde.closed.withdrawn' },
} as const;

/** Why REQUEST_HUD is refused, or null when the population qualifies. */
function populationProblem(event: WorkflowEvent): RefusalReason | null {
  const n = event.data?.estimatedAnnualPopulation;
  if (typeof n !== 'number') return reason('refusal.hud_population_missing');
  if (n > HUD_POPULATION_LIMIT) return reason('refusal.hud_population_limit', { limit: HUD_POPULATION_LIMIT, estimate: n });
  return null;
}

export const machine = setup({
  types: { context: {} as FdaHdeContext, events: {} as FdaHdeEvent },
  guards: {
    populationEligible: ({ event }) => populationProblem(event) === null,
  },
  actions: {
    recordApproval: assign({
      hNumber: ({ event }) => dataOf(event, 'ISSUE_APPROVAL_ORDER').hNumber,
      decisionDate: ({ event }) => dataOf(event, 'ISSUE_APPROVAL_ORDER').decisionDate,
    }),
    recordDenial: assign({ decisionDate: ({ event }) => dataOf(event, 'ISSUE_DENIAL').decisionDate ?? null }),
  },
}).createMachine({
  id: 'fda-hde',
  initial: 'draft',
  context: { hNumber: null, decisionDate: null },
  states: {
    draft: {
      meta: meta({ description: 'The sponsor prepares the HUD designation request.' }),
      on: { REQUEST_HUD: { guard: 'populationEligible', target: 'hudReview' }, ...withdrawable },
    },
    hudReview: {
      tags: ['fda-clock'],
      meta: meta({ description: 'OOPD reviews the HUD designation request.' }),
      on: { HUD_DESIGNATED: 'hudDesignated', HUD_DENIED: 'closed.hudDenied', ...withdrawable },
    },
    hudDesignated: {
      // No comparable-device guard here: whether a comparable device exists is FDA's finding at
      // filing (REFUSE_TO_FILE ground `comparableDevice`, 21 CFR 814.112), not a fact the sponsor's
      // submission can prove.
      meta: meta({ description: 'Designated a HUD: the sponsor prepares the HDE application.' }),
      on: { SUBMIT_HDE: 'filingReview', ...withdrawable },
    },
    filingReview: {
      tags: ['fda-clock'],
      meta: meta({ description: 'Filing review of the HDE (30 days, 21 CFR 814.112).' }),
      on: { FILE: 'review', REFUSE_TO_FILE: 'closed.notFiled', ...withdrawable },
    },
    review: {
      tags: ['fda-clock'],
      meta: meta({ description: 'Substantive review of the filed HDE (75 days, 21 CFR 814.114).' }),
      on: {
        ISSUE_APPROVAL_ORDER: { target: 'approved', actions: 'recordApproval' },
        ISSUE_APPROVABLE: 'approvable',
        ISSUE_NOT_APPROVABLE: 'notApprovable',
        ISSUE_DENIAL: { target: 'closed.denied', actions: 'recordDenial' },
        REQUEST_AMENDMENT: 'amendmentHold',
        // An unsolicited amendment: the review goes on (a major one extends it, 814.106). The
        // explicit self-target makes it an accepted event with a history row, not a no-op.
        AMENDMENT: { target: 'review' },
        ...withdrawable,
      },
    },
    amendmentHold: {
      tags: ['hold'],
      meta: meta({
        description: 'FDA requested an HDE amendment: the review clock is paused.',
        deadline: amendmentDeadline('Written answer to the amendment request due, otherwise the HDE is considered withdrawn (21 CFR 814.106).'),
      }),
      on: { ...amendmentAnswered, ...withdrawable },
    },
    approvable: {
      tags: ['hold'],
      meta: meta({
        description: 'Approvable letter issued: the sponsor supplies the information or agrees to the conditions.',
        deadline: amendmentDeadline('Amendment answering the approvable letter due (21 CFR 814.106 read as applying to the letter; UNCONFIRMED).'),
      }),
      on: { ...amendmentAnswered, ...withdrawable },
    },
    notApprovable: {
      tags: ['hold'],
      meta: meta({
        description: 'Not approvable letter issued: the sponsor may amend, or FDA may deny.',
        deadline: amendmentDeadline('Amendment answering the not approvable letter due (21 CFR 814.106 read as applying to the letter; UNCONFIRMED).'),
      }),
      // As for a PMA (reference/domain.md §5.3 row 20), a denial may follow a not approvable letter.
      on: { ...amendmentAnswered, ISSUE_DENIAL: { target: 'closed.denied', actions: 'recordDenial' }, ...withdrawable },
    },
    approved: {
      meta: meta({ description: 'HDE approved: the HUD may be marketed under its H-number.' }),
      on: { WITHDRAW_APPROVAL: 'closed.approvalWithdrawn' },
    },
    closed: closedState({
      hudDenied: 'HUD designation denied by OOPD.',
      notFiled: 'Refused to file (21 CFR 814.112); the sponsor may resubmit.',
      denied: 'Approval denied (21 CFR 814.118(a)).',
      withdrawn: 'Withdrawn by the sponsor, or considered withdrawn (no amendment in time).',
      approvalWithdrawn: 'HDE approval withdrawn by FDA (21 CFR 814.118).',
    }),
  },
});

export const fdaHde: WorkflowDefinition = {
  id: 'fda-hde',
  version: 1,
  title: 'Humanitarian Device Exemption (HDE)',
  ...FDA,
  inputSchema: { type: 'object', additionalProperties: false, properties: {} },
  events,
  goals,
  machine,
  dossier: () => [],
  decisionOf(state, context) {
    const c = context as FdaHdeContext;
    return { number: c.hNumber, decision: APPROVAL_DECISIONS[state] ?? null, decisionDate: c.decisionDate, favourable: state === 'approved' };
  },
  // A withdrawn approval, like every other closed outcome, can never again support reliance.
  invalidatesReliance: (state) => state.startsWith('closed.'),
  explainRefusal(_context, event) {
    const problem = event.type === 'REQUEST_HUD' ? populationProblem(event) : null;
    return problem ? [problem] : undefined;
  },
  parameters: {
    hudPopulationLimit: { value: HUD_POPULATION_LIMIT, unit: 'individuals per year', note: 'reference/domain.md §1.4 (21st Century Cures Act §3052)' },
    hudDesignationReviewDays: {
      value: HUD_DESIGNATION_REVIEW_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §1.4 and §6 item 2: 45 days (fact sheet) vs 90 days (rapath); sources conflict',
      unconfirmed: true,
    },
    hdeFilingDays: { value: HDE_FILING_DAYS, unit: 'days', note: 'reference/domain.md §1.4 (21 CFR 814.112)' },
    hdeReviewDays: { value: HDE_REVIEW_DAYS, unit: 'days', note: 'reference/domain.md §1.4 (21 CFR 814.114)' },
    amendmentResponseDays: {
      value: HDE_AMENDMENT_RESPONSE_DAYS,
      unit: 'calendar days',
      note: '21 CFR 814.106 (not yet in reference/domain.md); applied to approvable and not approvable letters by reading',
      unconfirmed: true,
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Version 2: the same machine, with its regulatory clock declared (receipt, restarts, the end
// of the review, and what meets each goal). Version 1 stays as released for its submissions.
// ---------------------------------------------------------------------------------------------

export const fdaHdeV2: WorkflowDefinition = {
  ...fdaHde,
  version: 2,
  clock: {
    kind: 'fda',
    // The HDE review clock starts with the HDE itself; the HUD request runs its own goal.
    start: ['SUBMIT_HDE'],
    stop: ['ISSUE_APPROVAL_ORDER', 'ISSUE_DENIAL', 'WITHDRAW', 'REFUSE_TO_FILE', 'AMENDMENT_TIMEOUT'],
  },
  goals: clockedGoals(goals, {
    hudDesignation: { from: ['REQUEST_HUD'], metBy: ['HUD_DESIGNATED', 'HUD_DENIED'] },
    filing: { metBy: ['FILE'] },
    decision: { metBy: ['ISSUE_APPROVABLE', 'ISSUE_NOT_APPROVABLE'] },
  }),
};

// ---------------------------------------------------------------------------------------------
// Version 3: Part 11 electronic signatures (issue 6). The sponsor signs the HUD request and the
// HDE; OOPD and CDRH sign every decision (designation, refusal to file, approval, approvable,
// not approvable, denial, withdrawal of approval). Machine, clock and goals: version 2's.
// ---------------------------------------------------------------------------------------------

export const fdaHdeV3: WorkflowDefinition = {
  ...fdaHdeV2,
  version: 3,
  events: signedEvents(fdaHdeV2.events, [
    'REQUEST_HUD',
    'SUBMIT_HDE',
    'HUD_DESIGNATED',
    'HUD_DENIED',
    'REFUSE_TO_FILE',
    'ISSUE_APPROVAL_ORDER',
    'ISSUE_APPROVABLE',
    'ISSUE_NOT_APPROVABLE',
    'ISSUE_DENIAL',
    'WITHDRAW_APPROVAL',
  ]),
};
