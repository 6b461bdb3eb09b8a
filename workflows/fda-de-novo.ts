/**
 * De Novo classification request (FD&C Act 513(f)(2); 21 CFR 860 subpart D): the 510(k) intake and
 * review cycle (reference/domain.md §5.1 rows #1–#19, #22) with the De Novo decisions and
 * timings of §1.2 and §5.2. eSTAR or legacy eCopy (input `format`).
 *
 * Withdrawn vs deleted (DESIGN §4 lists both as final outcomes; domain.md §1.2 and §5.2 row 3
 * say an unanswered AI request leaves the request "withdrawn"). Both are right, and FDA's own
 * guidance reconciles them: 21 CFR 860.250(a) *considers* a De Novo request withdrawn when the
 * requester does not answer an AI request (a)(1) or an RTA / technical-screening hold (a)(2)
 * within 180 days, or asks to withdraw it (a)(4); FDA's notice for (a)(1)–(a)(2) "is sometimes
 * referred to as a 'deletion letter'. The term 'deletion' is used to differentiate a lack of
 * timely response ... from a request to withdraw a pending De Novo request by the requester"
 * (FDA guidance "FDA and Industry Actions on De Novo Classification Requests: Effect on FDA
 * Review Clock and Goals", Oct 2022, §III.D). The 510(k) data keep the same split (codes DE /
 * WD, domain.md §1.8, §4 note 3). So every lack-of-response timeout (AI, RTA, eSTAR hold) ends
 * in `closed.deleted`, and only the requester's own WITHDRAW ends in `closed.withdrawn`; both
 * are "withdrawn" in the sense of 860.250.
 */
import { assign, setup } from 'xstate';
import { FDA, clockedGoals, closedState, dataOf, feeVerifiedByFormat, isoDate, meta, numberOf, signedEvents, text, textList } from './common.js';
import type { FdaDeNovoEvent } from './event-data.js';
import type { EventSpec, GoalSpec, WorkflowDefinition } from './types.js';
import { payload, reason } from './types.js';

/** Complete AI response due within 180 calendar days of the AI request (21 CFR 860.250(a)(1); domain.md §1.2). */
export const AI_RESPONSE_DAYS = 180;
/** RTA response due within 180 days, no new user fee (domain.md §1.2; 21 CFR 860.250(a)(2)). */
export const RTA_RESPONSE_DAYS = 180;
/**
 * Replacement eSTAR due within 180 days of a technical-screening hold. UNCONFIRMED in
 * reference/domain.md (§5.1 row 6 "length assumed, same as RTA"; §6 item 5). FDA's De Novo
 * review-clock guidance (2022, §III.D) reads 860.250(a)(2) as covering the technical-screening
 * hold, which supports 180.
 */
export const ESTAR_HOLD_RESPONSE_DAYS = 180;
/** Acceptance review not done within 15 calendar days: the request is under substantive review (domain.md §1.2, confirmed for De Novo). */
export const ACCEPTANCE_REVIEW_DAYS = 15;
/**
 * Technical screening of an eSTAR not done within 15 calendar days: FDA accepts the request for
 * review. UNCONFIRMED: domain.md §1.0 has the 15-day screening but not this consequence, which
 * only a secondary summary of FDA's De Novo eSTAR guidance states (reguvirta).
 */
export const TECHNICAL_SCREENING_DAYS = 15;
/**
 * eSTAR mandatory for De Novo requests from this date (unless exempt). UNCONFIRMED in
 * reference/domain.md (§1.0 "a later mandatory date is UNCONFIRMED"; §6 item 5); FDA's
 * announcement of the final guidance "Electronic Submission Template for Medical Device De Novo
 * Requests" names 1 October 2025. Shown in the catalog; not enforced as a guard, because waivers
 * and exemptions exist and the tracker must record what FDA actually received.
 */
export const ESTAR_MANDATORY_FROM = '2025-10-01';

export type DeNovoFormat = 'eSTAR' | 'eCopy';

export interface FdaDeNovoContext {
  format: DeNovoFormat;
  /** The DEN number of the granting order. */
  denNumber: string | null;
  /** `YYYY-MM-DD` of the granting or decline order. */
  decisionDate: string | null;
  /**
   * `YYYY-MM-DD` of the current AI request: the 180 days run from it even when FDA finds the
   * response incomplete and puts the request back on hold (the hold's deadline anchor).
   */
  aiRequestedOn: string | null;
}

const events: Record<string, EventSpec> = {
  SUBMIT: { roles: ['manufacturer'], description: 'Send the De Novo request to FDA (CDRH Document Control Center receipt).', schema: payload() },
  FEE_VERIFIED: {
    roles: ['fda'],
    description: 'User fee paid and a valid eSTAR / eCopy received: technical screening (eSTAR) or acceptance review (eCopy) starts.',
    schema: payload(),
  },
  FEE_UNPAID: { roles: ['fda'], description: 'User fee not received: the request is put on user-fee hold (no review clock).', schema: payload() },
  FEE_PAID: { roles: ['manufacturer'], description: 'The requester paid the MDUFA user fee.', schema: payload({ receipt: text }) },
  SCREEN_PASS: {
    roles: ['fda'],
    description: 'eSTAR technical screening passed: substantive review starts; the clock counts from receipt.',
    schema: payload(),
  },
  SCREEN_FAIL: {
    roles: ['fda'],
    description: `eSTAR incomplete: on hold until a complete replacement eSTAR arrives (${ESTAR_HOLD_RESPONSE_DAYS} days, UNCONFIRMED).`,
    schema: payload({ reasons: textList }),
  },
  SCREENING_TIMEOUT: {
    roles: ['system'],
    description: `Technical screening not completed within ${TECHNICAL_SCREENING_DAYS} calendar days: FDA accepts the request for substantive review (UNCONFIRMED rule).`,
    schema: payload(),
  },
  REPLACEMENT_SUBMITTED: { roles: ['manufacturer'], description: 'A complete replacement eSTAR: technical screening restarts (new clock).', schema: payload() },
  ESTAR_HOLD_TIMEOUT: {
    roles: ['system'],
    description: `No replacement eSTAR within ${ESTAR_HOLD_RESPONSE_DAYS} days: considered withdrawn (21 CFR 860.250(a)(2)); FDA's "deletion letter".`,
    schema: payload(),
  },
  ACCEPT: { roles: ['fda'], description: 'Acceptance review (21 CFR 860.230) passed: substantive review starts.', schema: payload() },
  ACCEPTANCE_TIMEOUT: {
    roles: ['system'],
    description: `Acceptance review not completed within ${ACCEPTANCE_REVIEW_DAYS} calendar days: the request is considered under substantive review.`,
    schema: payload(),
  },
  REFUSE_TO_ACCEPT: {
    roles: ['fda'],
    description: 'Refuse to Accept: the request lacks elements needed for a substantive review.',
    schema: payload({ reasons: textList }),
  },
  RTA_RESPONSE: {
    roles: ['manufacturer'],
    description: 'The requester supplied the missing elements; acceptance review restarts (the clock restarts).',
    schema: payload({ summary: text }),
  },
  RTA_TIMEOUT: {
    roles: ['system'],
    description: `No complete RTA response within ${RTA_RESPONSE_DAYS} days: considered withdrawn (21 CFR 860.250(a)(2)); FDA's "deletion letter".`,
    schema: payload(),
  },
  SUBSTANTIVE_INTERACTION: { roles: ['fda'], description: 'Substantive Interaction: FDA continues in interactive review.', schema: payload({ summary: text }) },
  REQUEST_AI: {
    roles: ['fda'],
    description: `Additional Information request (21 CFR 860.240(b)(1)): the FDA-day clock stops; complete response due within ${AI_RESPONSE_DAYS} calendar days.`,
    schema: payload({ deficiencies: textList }, ['deficiencies']),
  },
  AI_RESPONSE: { roles: ['manufacturer'], description: 'Response to the AI request: the FDA-day clock resumes.', schema: payload({ summary: text }) },
  AI_RESPONSE_INCOMPLETE: {
    roles: ['fda'],
    description: 'FDA finds the AI response incomplete: the request goes back on hold as of the date of the original AI request, whose 180 days keep running.',
    schema: payload({ deficiencies: textList }),
  },
  AI_TIMEOUT: {
    roles: ['system'],
    description: `No complete AI response within ${AI_RESPONSE_DAYS} calendar days: considered withdrawn (21 CFR 860.250(a)(1)); FDA's "deletion letter".`,
    schema: payload(),
  },
  DECIDE_GRANT: {
    roles: ['fda'],
    description: 'Granting order: the device is classified into class I or II, which authorizes marketing and creates a classification regulation.',
    schema: payload(
      {
        denNumber: numberOf('denNumber'),
        decisionDate: isoDate,
        deviceClass: { enum: ['I', 'II'] },
        productCode: { type: 'string', pattern: '^[A-Z]{3}$' },
        regulation: { type: 'string', pattern: '^21 CFR [0-9]{3}\\.[0-9]{1,5}$' },
      },
      ['denNumber', 'decisionDate'],
    ),
  },
  DECIDE_DECLINE: {
    roles: ['fda'],
    description: 'Decline order (21 CFR 860.260): the device remains in class III.',
    schema: payload({ reasons: textList, decisionDate: isoDate }),
  },
  WITHDRAW: { roles: ['manufacturer'], description: 'The requester withdraws the De Novo request (21 CFR 860.250(a)(4)).', schema: payload({ reason: text }) },
};

const goals: GoalSpec[] = [
  {
    kind: 'decision',
    length: 150,
    unit: 'fda-days',
    description:
      'MDUFA V: De Novo decision (grant, decline or withdrawal) within 150 FDA days; 70% FY2023–2025, rising to 80% / 90% in FY2026 / FY2027 if earlier goals are met.',
  },
  {
    kind: 'missedDecisionCommunication',
    length: 180,
    unit: 'fda-days',
    description:
      "No decision within 180 FDA days: at the requester's request FDA discusses all outstanding issues (FDA De Novo review-clock guidance, 2022, §V.E).",
  },
];

const withdrawable = { WITHDRAW: { target: '#fda-de-novo.closed.withdrawn' } } as const;

export const machine = setup({
  types: {
    context: {} as FdaDeNovoContext,
    events: {} as FdaDeNovoEvent,
    input: {} as { format: DeNovoFormat },
  },
  guards: {
    isEstar: ({ context }) => context.format === 'eSTAR',
    isEcopy: ({ context }) => context.format === 'eCopy',
    aiRequestOnRecord: ({ context }) => context.aiRequestedOn !== null,
  },
  actions: {
    recordAiRequest: assign({ aiRequestedOn: ({ event }) => event.effectiveDate ?? null }),
    recordGrant: assign({
      denNumber: ({ event }) => dataOf(event, 'DECIDE_GRANT').denNumber,
      decisionDate: ({ event }) => dataOf(event, 'DECIDE_GRANT').decisionDate,
    }),
    recordDecline: assign({ decisionDate: ({ event }) => dataOf(event, 'DECIDE_DECLINE').decisionDate ?? event.effectiveDate ?? null }),
  },
}).createMachine({
  id: 'fda-de-novo',
  initial: 'draft',
  context: ({ input }) => ({ format: input.format, denNumber: null, decisionDate: null, aiRequestedOn: null }),
  states: {
    draft: {
      meta: meta({ description: 'Being prepared by the requester; FDA has not received it.' }),
      on: { SUBMIT: 'received', ...withdrawable },
    },
    received: {
      meta: meta({ description: 'Received by FDA; user fee and eSTAR / eCopy validity are being checked. No review clock yet.' }),
      on: {
        FEE_VERIFIED: feeVerifiedByFormat(),
        FEE_UNPAID: 'userFeeHold',
        ...withdrawable,
      },
    },
    userFeeHold: {
      tags: ['hold'],
      meta: meta({ description: 'User fee hold: the request is not processed until the fee is paid.' }),
      on: { FEE_PAID: 'received', ...withdrawable },
    },
    technicalScreening: {
      // The review clock of a request that passes screening starts on the day FDA received it.
      tags: ['fda-clock'],
      meta: meta({
        description: 'eSTAR technical screening (within 15 calendar days of receipt).',
        deadline: {
          kind: 'technicalScreening',
          length: TECHNICAL_SCREENING_DAYS,
          unit: 'calendar',
          event: 'SCREENING_TIMEOUT',
          unconfirmed: true,
          description: 'Screening not completed in time: FDA accepts the request for substantive review (UNCONFIRMED rule).',
        },
      }),
      on: { SCREEN_PASS: 'review.substantive', SCREEN_FAIL: 'eStarHold', SCREENING_TIMEOUT: 'review.substantive', ...withdrawable },
    },
    eStarHold: {
      tags: ['hold'],
      meta: meta({
        description: 'eSTAR incomplete: on hold until a complete replacement eSTAR is submitted.',
        deadline: {
          kind: 'eStarHoldResponse',
          length: ESTAR_HOLD_RESPONSE_DAYS,
          unit: 'calendar',
          event: 'ESTAR_HOLD_TIMEOUT',
          unconfirmed: true,
          description: 'Replacement eSTAR due, otherwise the request is considered withdrawn (deleted).',
        },
      }),
      on: { REPLACEMENT_SUBMITTED: 'technicalScreening', ESTAR_HOLD_TIMEOUT: 'closed.deleted', ...withdrawable },
    },
    acceptanceReview: {
      // De Novo FDA days count from the receipt of the submission that leads to acceptance.
      tags: ['fda-clock'],
      meta: meta({
        description: 'Acceptance review against the De Novo acceptance checklist (21 CFR 860.230; 15 calendar days).',
        deadline: {
          kind: 'acceptanceReview',
          length: ACCEPTANCE_REVIEW_DAYS,
          unit: 'calendar',
          event: 'ACCEPTANCE_TIMEOUT',
          description: 'Acceptance review not completed: the request is considered under substantive review.',
        },
      }),
      on: { ACCEPT: 'review.substantive', REFUSE_TO_ACCEPT: 'rtaHold', ACCEPTANCE_TIMEOUT: 'review.substantive', ...withdrawable },
    },
    rtaHold: {
      tags: ['hold'],
      meta: meta({
        description: 'Refused to accept: the requester must supply the missing elements.',
        deadline: {
          kind: 'rtaResponse',
          length: RTA_RESPONSE_DAYS,
          unit: 'calendar',
          event: 'RTA_TIMEOUT',
          description: 'RTA response due, otherwise the request is considered withdrawn (deleted).',
        },
      }),
      on: { RTA_RESPONSE: 'acceptanceReview', RTA_TIMEOUT: 'closed.deleted', ...withdrawable },
    },
    review: {
      tags: ['fda-clock'],
      initial: 'substantive',
      meta: meta({ description: 'Under substantive review (starting with the classification review).' }),
      on: {
        REQUEST_AI: { target: 'aiHold', actions: 'recordAiRequest' },
        DECIDE_GRANT: { target: 'granted', actions: 'recordGrant' },
        DECIDE_DECLINE: { target: 'closed.declined', actions: 'recordDecline' },
        ...withdrawable,
      },
      states: {
        substantive: {
          meta: meta({ description: 'Substantive review before the Substantive Interaction, or after an AI response.' }),
          on: {
            SUBSTANTIVE_INTERACTION: 'interactive',
            // FDA guidance §VI.A: an incomplete response puts the request back on hold as of the
            // original AI request; the hold's deadline is anchored on `aiRequestedOn`.
            AI_RESPONSE_INCOMPLETE: { guard: 'aiRequestOnRecord', target: '#fda-de-novo.aiHold' },
          },
        },
        interactive: { meta: meta({ description: 'Interactive review after the Substantive Interaction.' }) },
      },
    },
    aiHold: {
      tags: ['hold'],
      meta: meta({
        description: 'On hold for Additional Information: the FDA-day clock is stopped.',
        deadline: {
          kind: 'aiResponse',
          length: AI_RESPONSE_DAYS,
          unit: 'calendar',
          event: 'AI_TIMEOUT',
          anchor: 'aiRequestedOn',
          description: 'Complete AI response due (180 days from the AI request), otherwise the request is considered withdrawn (deleted).',
        },
      }),
      on: { AI_RESPONSE: 'review.substantive', AI_TIMEOUT: 'closed.deleted', ...withdrawable },
    },
    granted: {
      type: 'final',
      meta: meta({ description: 'Granted: classified into class I or II; the device may be marketed.' }),
    },
    closed: closedState({
      declined: 'Declined: the device remains in class III.',
      withdrawn: "Withdrawn at the requester's request (21 CFR 860.250(a)(4)).",
      deleted: 'Deleted: considered withdrawn for lack of a timely response to an AI request, RTA or eSTAR hold (21 CFR 860.250(a)(1)–(2)).',
    }),
  },
});

export const fdaDeNovo: WorkflowDefinition = {
  id: 'fda-de-novo',
  version: 1,
  title: 'De Novo classification request',
  ...FDA,
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['format'],
    properties: {
      format: {
        enum: ['eSTAR', 'eCopy'],
        description: `eSTAR is mandatory for De Novo requests from ${ESTAR_MANDATORY_FROM} unless exempt (date UNCONFIRMED, see parameters).`,
      },
    },
  },
  events,
  goals,
  machine,
  dossier: () => [],
  decisionOf(state, context) {
    const c = context as FdaDeNovoContext;
    const decision = state === 'granted' ? 'granted' : state === 'closed.declined' ? 'declined' : null;
    return { number: c.denNumber, decision, decisionDate: decision ? c.decisionDate : null, favourable: state === 'granted' };
  },
  // A request that ended without a grant never supported reliance; entering closed.* is final.
  invalidatesReliance: (state) => state.startsWith('closed.'),
  explainRefusal(context, event) {
    const c = context as FdaDeNovoContext;
    if (event.type === 'AI_RESPONSE_INCOMPLETE' && c.aiRequestedOn === null) {
      return [reason('refusal.no_ai_request')];
    }
    return undefined;
  },
  parameters: {
    aiResponseDays: { value: AI_RESPONSE_DAYS, unit: 'calendar days', note: 'reference/domain.md §1.2; 21 CFR 860.250(a)(1)' },
    rtaResponseDays: { value: RTA_RESPONSE_DAYS, unit: 'calendar days', note: 'reference/domain.md §1.2; 21 CFR 860.250(a)(2)' },
    eStarHoldResponseDays: {
      value: ESTAR_HOLD_RESPONSE_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §5.1 row 6 and §6 item 5 (length assumed, same as RTA); FDA De Novo review-clock guidance 2022 §III.D supports 180',
      unconfirmed: true,
    },
    acceptanceReviewDays: { value: ACCEPTANCE_REVIEW_DAYS, unit: 'calendar days', note: 'reference/domain.md §1.2 (then considered under substantive review)' },
    technicalScreeningDays: {
      value: TECHNICAL_SCREENING_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §1.0 (15-day eSTAR screening); the automatic acceptance after it is from a secondary source only',
      unconfirmed: true,
    },
    estarMandatoryFrom: {
      value: ESTAR_MANDATORY_FROM,
      note: 'reference/domain.md §1.0 and §6 item 5 (De Novo eSTAR mandatory date); FDA announcement of the final De Novo eSTAR guidance names 2025-10-01',
      unconfirmed: true,
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Version 2: the same machine, with its regulatory clock declared (receipt, restarts, the end
// of the review, and what meets each goal). Version 1 stays as released for its submissions.
// ---------------------------------------------------------------------------------------------

export const fdaDeNovoV2: WorkflowDefinition = {
  ...fdaDeNovo,
  version: 2,
  clock: {
    kind: 'fda',
    start: ['SUBMIT'],
    // "The receipt date of the most recent submission that resulted in acceptance" (domain.md §1.0).
    restart: ['FEE_PAID', 'RTA_RESPONSE', 'REPLACEMENT_SUBMITTED'],
    stop: ['DECIDE_GRANT', 'DECIDE_DECLINE', 'WITHDRAW', 'AI_TIMEOUT', 'RTA_TIMEOUT', 'ESTAR_HOLD_TIMEOUT'],
  },
  goals: clockedGoals(goals, { missedDecisionCommunication: { missedEvent: 'MMD_DUE' } }),
};

// ---------------------------------------------------------------------------------------------
// Version 3: Part 11 electronic signatures (issue 6). The requester signs its filing and FDA
// signs the granting and decline orders; the machine, clock and goals are version 2's.
// ---------------------------------------------------------------------------------------------

export const fdaDeNovoV3: WorkflowDefinition = {
  ...fdaDeNovoV2,
  version: 3,
  events: signedEvents(fdaDeNovoV2.events, ['SUBMIT', 'DECIDE_GRANT', 'DECIDE_DECLINE']),
};
