/**
 * Premarket approval (FD&C Act 515; 21 CFR 814): original PMAs and the PMA supplements of
 * 21 CFR 814.39, selected by the creation input. Table and timings: reference/domain.md §1.3 and
 * §5.3; outcomes: DESIGN §4.
 *
 * A supplement is its own submission of this workflow, created with `supplementType` and the
 * `pmaNumber` of the approved PMA it changes; it is not a child actor spawned by the parent
 * (domain.md §5.3 row 23 sketches `SUBMIT_SUPPLEMENT` → spawn). Each supplement has its own
 * history, clock, deadlines and decision, which is what FDA tracks too (P123456/S001, /S002 ...),
 * and the parent PMA's machine stays small and replayable.
 *
 * - original (no `supplementType`) and `panel-track`: acceptance review (15 days), filing review
 *   (45 days, 21 CFR 814.42), then substantive review; the filing date is the FDA-day origin.
 * - `180-day` and `real-time`: straight to substantive review once the fee is verified; there is
 *   no Major Deficiency Letter for real-time supplements.
 * - `30-day-notice` (manufacturing changes, 814.39(f)): the change may be distributed 30 days
 *   after FDA receipt unless FDA objects (then a 135-day supplement is required).
 */
import { assign, setup } from 'xstate';
import { APPROVAL_DECISIONS, FDA, clockedGoals, closedState, dataOf, isoDate, meta, numberOf, signedEvents, text, textList } from './common.js';
import type { FdaPmaEvent } from './event-data.js';
import type { EventSpec, GoalSpec, WorkflowDefinition } from './types.js';
import { payload, reason, type RefusalReason } from './types.js';

/** RTA response window: 180 days, UNCONFIRMED (reference/domain.md §5.3 row 4: "180 days (assumed)"). */
export const RTA_RESPONSE_DAYS = 180;
/**
 * Response to a Major Deficiency Letter (a request to amend) due within 180 days, otherwise the
 * PMA is considered voluntarily withdrawn (21 CFR 814.37, read through a D.C. mirror). UNCONFIRMED
 * as the effective window: an extension up to 360 days exists by an unconfirmed mechanism
 * (reference/domain.md §1.3, §5.3 row 8, §6 item 6).
 */
export const MDL_RESPONSE_DAYS = 180;
/** Longest MDL response window after an extension, counted from the MDL. UNCONFIRMED (domain.md §1.3, §6 item 6). */
export const MDL_MAX_RESPONSE_DAYS = 360;
/** Response window after a not approvable letter: 180 days, UNCONFIRMED (domain.md §5.3 row 18: "assumed same as 814.37"). */
export const NOT_APPROVABLE_RESPONSE_DAYS = 180;
/** A 30-day notice lets the holder distribute 30 days after FDA receipt unless FDA objects (21 CFR 814.39(f); domain.md §1.3). */
export const THIRTY_DAY_NOTICE_DAYS = 30;
/** An unsolicited major amendment after the SI extends the goal by this share of the FDA days since filing (domain.md §1.3). */
export const POST_SI_AMENDMENT_EXTENSION_SHARE = 0.75;
/** Missed MDUFA decision: written feedback when the FDA-day goal is exceeded by this many calendar days (domain.md §1.3). */
export const MISSED_DECISION_GRACE_DAYS = 20;

export const SUPPLEMENT_TYPES = ['panel-track', '180-day', 'real-time', '30-day-notice'] as const;
export type SupplementType = (typeof SUPPLEMENT_TYPES)[number];

/**
 * In a goal's `when`, `supplementType: 'original'` stands for an input *without* a
 * `supplementType` (an original PMA); `when` can only name string values.
 */
export const ORIGINAL = 'original';

/** The P-number of an approved PMA, without a supplement suffix (the parent of a supplement). */
const basePmaNumber = { type: 'string', pattern: '^P[0-9]{6}$' };

export interface UnsolicitedMajorAmendment {
  /** `YYYY-MM-DD` the amendment was received. */
  on: string | null;
  /**
   * How it extends the decision goal (domain.md §1.3): before the Substantive Interaction by the
   * FDA days already elapsed; after it by 75% of the FDA days elapsed since filing.
   */
  extension: 'fdaDaysElapsed' | 'threeQuartersOfFdaDaysSinceFiling';
}

export interface FdaPmaContext {
  supplementType: SupplementType | null;
  /** The approved PMA a supplement changes, or the original number a resubmitted PMA carries. */
  pmaNumber: string | null;
  /** The number on the approval order (`P123456`, or `P123456/S001` for a supplement). */
  approvalNumber: string | null;
  /** `YYYY-MM-DD` of the latest FDA decision: approval order, denial order, approvable or not approvable letter. */
  decisionDate: string | null;
  /** `YYYY-MM-DD` of filing: the FDA-day origin of originals and panel-track supplements. */
  filedOn: string | null;
  substantiveInteractionOn: string | null;
  /** `YYYY-MM-DD` of the current MDL: the anchor of its response deadline. */
  mdlIssuedOn: string | null;
  /** Referred to an advisory panel: the 320-FDA-day goal applies instead of 180. */
  panelReferred: boolean;
  panelRecommendation: string | null;
  unsolicitedMajorAmendments: UnsolicitedMajorAmendment[];
}

export interface FdaPmaInput {
  supplementType?: SupplementType;
  pmaNumber?: string;
}

/** Why `number` cannot be the number on this submission's approval order, or null when it fits. */
export function approvalNumberProblem(c: Pick<FdaPmaContext, 'supplementType' | 'pmaNumber'>, number: unknown): RefusalReason | null {
  if (typeof number !== 'string') return reason('refusal.pma_number_missing');
  if (c.supplementType === null) {
    if (number.includes('/')) return reason('refusal.pma_original_suffix', { number });
    if (c.pmaNumber !== null && number !== c.pmaNumber) return reason('refusal.pma_resubmitted_number', { expected: c.pmaNumber, number });
    return null;
  }
  const m = /^(P[0-9]{6})\/S[0-9]{3}$/.exec(number);
  if (!m) return reason('refusal.pma_supplement_number', { supplementType: c.supplementType, example: `${c.pmaNumber}/S001`, number });
  if (m[1] !== c.pmaNumber) return reason('refusal.pma_supplement_of_other', { number, base: m[1], pmaNumber: String(c.pmaNumber) });
  return null;
}

const approvalOrder = payload({ pmaNumber: numberOf('pNumber'), decisionDate: isoDate, conditions: textList }, ['pmaNumber', 'decisionDate']);

const events: Record<string, EventSpec> = {
  SUBMIT: { roles: ['manufacturer'], description: 'Send the PMA, PMA supplement or 30-day notice to FDA.', schema: payload() },
  FEE_VERIFIED: {
    roles: ['fda'],
    description:
      'User fee paid and a valid eCopy received: acceptance review (original, panel-track), substantive review (180-day, real-time) or the notice period (30-day notice) starts.',
    schema: payload(),
  },
  FEE_UNPAID: { roles: ['fda'], description: 'User fee not received: on user-fee hold (no review clock).', schema: payload() },
  FEE_PAID: { roles: ['manufacturer'], description: 'The applicant paid the MDUFA user fee.', schema: payload({ receipt: text }) },
  ACCEPT: { roles: ['fda'], description: 'Acceptance review passed: filing review starts (45 days).', schema: payload() },
  REFUSE_TO_ACCEPT: { roles: ['fda'], description: 'Refuse to Accept: administratively incomplete.', schema: payload({ reasons: textList }) },
  RTA_RESPONSE: {
    roles: ['manufacturer'],
    description: 'The applicant supplied the missing elements; acceptance review restarts.',
    schema: payload({ summary: text }),
  },
  RTA_TIMEOUT: {
    roles: ['system'],
    description: `No RTA response within ${RTA_RESPONSE_DAYS} days (UNCONFIRMED): considered withdrawn.`,
    schema: payload(),
  },
  FILE: { roles: ['fda'], description: 'Filed (21 CFR 814.42): substantive review starts; the filing date is the FDA-day origin.', schema: payload() },
  REFUSE_TO_FILE: {
    roles: ['fda'],
    description: 'Not filed (21 CFR 814.42(e)); the applicant may resubmit under the same PMA number as a new submission.',
    schema: payload({ reasons: textList }),
  },
  SUBSTANTIVE_INTERACTION: {
    roles: ['fda'],
    description: 'Substantive Interaction (goal: 90 FDA days): FDA continues in interactive review.',
    schema: payload({ summary: text }),
  },
  ISSUE_MDL: {
    roles: ['fda'],
    description: `Major Deficiency Letter: the FDA-day clock stops; response due within ${MDL_RESPONSE_DAYS} days (UNCONFIRMED). Not for real-time supplements.`,
    schema: payload({ deficiencies: textList }, ['deficiencies']),
  },
  EXTEND_MDL_RESPONSE: {
    roles: ['fda'],
    description: `FDA extends the MDL response window to ${MDL_MAX_RESPONSE_DAYS} days from the MDL (UNCONFIRMED mechanism).`,
    schema: payload({ reason: text }),
  },
  MAJOR_AMENDMENT: {
    roles: ['manufacturer'],
    description: 'Amendment answering the MDL: the FDA-day clock resumes; the goal may be extended.',
    schema: payload({ summary: text }),
  },
  MDL_TIMEOUT: {
    roles: ['system'],
    description: 'No response to the MDL within the window: considered voluntarily withdrawn (21 CFR 814.37).',
    schema: payload(),
  },
  UNSOLICITED_MAJOR_AMENDMENT: {
    roles: ['manufacturer'],
    description:
      "A major amendment on the applicant's own initiative: no state change; extends the decision goal (by the FDA days elapsed before the SI, by 75% of those since filing after it).",
    schema: payload({ summary: text }),
  },
  REFER_TO_PANEL: {
    roles: ['fda'],
    description:
      "FDA refers the PMA to an advisory panel (on its own initiative, or at the applicant's request; 21 CFR 814.44(a)); the decision goal becomes 320 FDA days.",
    schema: payload({ panel: text, requestedBySponsor: { type: 'boolean' }, reason: text }),
  },
  PANEL_RECOMMENDATION: {
    roles: ['fda'],
    description: 'The advisory panel held its public meeting and sent its report and recommendation (recorded by FDA staff).',
    schema: payload({ recommendation: { enum: ['approval', 'approval-with-conditions', 'not-approvable'] }, meetingDate: isoDate, summary: text }, [
      'recommendation',
    ]),
  },
  ISSUE_APPROVAL_ORDER: {
    roles: ['fda'],
    description: 'Approval order (21 CFR 814.44(d)): the device may be marketed. Carries the P-number (P123456, or P123456/S001 for a supplement).',
    schema: approvalOrder,
  },
  ISSUE_APPROVABLE: {
    roles: ['fda'],
    description: 'Approvable letter (21 CFR 814.44(e)): approvable once the applicant meets the stated conditions.',
    schema: payload({ conditions: textList }),
  },
  APPROVABLE_RESPONSE: {
    roles: ['manufacturer'],
    description: 'The applicant answered the approvable letter: final review.',
    schema: payload({ summary: text }),
  },
  ISSUE_NOT_APPROVABLE: {
    roles: ['fda'],
    description: `Not approvable letter (21 CFR 814.44(f)): response due within ${NOT_APPROVABLE_RESPONSE_DAYS} days (UNCONFIRMED).`,
    schema: payload({ deficiencies: textList }),
  },
  AMENDMENT: {
    roles: ['manufacturer'],
    description: 'Amendment answering the not approvable letter: substantive review resumes.',
    schema: payload({ summary: text }),
  },
  NOT_APPROVABLE_TIMEOUT: {
    roles: ['system'],
    description: `No amendment within ${NOT_APPROVABLE_RESPONSE_DAYS} days of the not approvable letter (UNCONFIRMED): considered withdrawn.`,
    schema: payload(),
  },
  ISSUE_DENIAL: { roles: ['fda'], description: 'Order denying approval (21 CFR 814.45).', schema: payload({ reasons: textList, decisionDate: isoDate }) },
  FDA_OBJECTS: {
    roles: ['fda'],
    description: 'FDA finds the 30-day notice inadequate (21 CFR 814.39(f)): the change may not be made on this notice; a 135-day PMA supplement is required.',
    schema: payload({ reasons: textList }),
  },
  NOTICE_PERIOD_TIMEOUT: {
    roles: ['system'],
    description: `${THIRTY_DAY_NOTICE_DAYS} days after FDA receipt without an objection: the manufacturing change may be distributed (21 CFR 814.39(f)).`,
    schema: payload(),
  },
  WITHDRAW: {
    roles: ['manufacturer'],
    description: 'The applicant withdraws the PMA, supplement or notice (21 CFR 814.37).',
    schema: payload({ reason: text }),
  },
  WITHDRAW_APPROVAL: {
    roles: ['fda'],
    description: 'Order withdrawing approval (21 CFR 814.46); relying COFEPRIS registrations are notified.',
    schema: payload({ reason: text }, ['reason']),
  },
};

/** Goals for originals and panel-track supplements alike (domain.md §1.3, MDUFA V). */
const originalGoals = (when: Record<string, string>): GoalSpec[] => [
  { kind: 'acceptanceReview', length: 15, unit: 'calendar', description: 'Acceptance review within 15 days of receipt.', when },
  { kind: 'filingReview', length: 45, unit: 'calendar', description: 'Filing decision within 45 days of receipt (21 CFR 814.42(a)).', when },
  { kind: 'substantiveInteraction', length: 90, unit: 'fda-days', description: 'MDUFA V: Substantive Interaction within 90 FDA days (95%).', when },
  { kind: 'decision', length: 180, unit: 'fda-days', description: 'MDUFA V: decision within 180 FDA days when no advisory panel is held (90%).', when },
  {
    kind: 'decisionWithPanel',
    length: 320,
    unit: 'fda-days',
    description: 'MDUFA V: decision within 320 FDA days once referred to an advisory panel (90%).',
    when,
  },
  {
    kind: 'missedDecisionCommunication',
    length: 180 + MISSED_DECISION_GRACE_DAYS,
    unit: 'fda-days',
    description: `Decision goal exceeded by ${MISSED_DECISION_GRACE_DAYS} days (no panel): FDA gives written feedback.`,
    when,
  },
  {
    kind: 'missedDecisionCommunicationWithPanel',
    length: 320 + MISSED_DECISION_GRACE_DAYS,
    unit: 'fda-days',
    description: `Decision goal exceeded by ${MISSED_DECISION_GRACE_DAYS} days (with panel): FDA gives written feedback.`,
    when,
  },
];

const goals: GoalSpec[] = [
  ...originalGoals({ supplementType: ORIGINAL }),
  ...originalGoals({ supplementType: 'panel-track' }),
  {
    kind: 'substantiveInteraction',
    length: 90,
    unit: 'fda-days',
    description: 'MDUFA V: Substantive Interaction within 90 FDA days (95%).',
    when: { supplementType: '180-day' },
  },
  {
    kind: 'decision',
    length: 180,
    unit: 'fda-days',
    description: 'MDUFA V: 180-day supplement decision within 180 FDA days (95%).',
    when: { supplementType: '180-day' },
  },
  {
    kind: 'decision',
    length: 90,
    unit: 'fda-days',
    description: 'MDUFA V: real-time supplement decision within 90 FDA days (95%).',
    when: { supplementType: 'real-time' },
  },
];

const withdrawable = { WITHDRAW: { target: '#fda-pma.closed.withdrawn' } } as const;

export const machine = setup({
  types: {
    context: {} as FdaPmaContext,
    events: {} as FdaPmaEvent,
    // An all-optional input type accepts `{}`, but setup() infers the machine's input from this assertion.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    input: {} as FdaPmaInput,
  },
  guards: {
    isOriginalOrPanelTrack: ({ context }) => context.supplementType === null || context.supplementType === 'panel-track',
    isReviewedSupplement: ({ context }) => context.supplementType === '180-day' || context.supplementType === 'real-time',
    isThirtyDayNotice: ({ context }) => context.supplementType === '30-day-notice',
    // reguvirta PMA (domain.md §1.3): "There is no MDL for real-time supplements."
    mdlAllowed: ({ context }) => context.supplementType !== 'real-time',
    approvalNumberFits: ({ context, event }) => approvalNumberProblem(context, dataOf(event, 'ISSUE_APPROVAL_ORDER').pmaNumber) === null,
  },
  actions: {
    recordFiling: assign({ filedOn: ({ event }) => event.effectiveDate ?? null }),
    recordSubstantiveInteraction: assign({
      substantiveInteractionOn: ({ context, event }) => context.substantiveInteractionOn ?? event.effectiveDate ?? null,
    }),
    // An MDL is itself a Substantive Interaction when none came before it.
    recordMdl: assign({
      mdlIssuedOn: ({ event }) => event.effectiveDate ?? null,
      substantiveInteractionOn: ({ context, event }) => context.substantiveInteractionOn ?? event.effectiveDate ?? null,
    }),
    recordUnsolicitedAmendment: assign({
      unsolicitedMajorAmendments: ({ context, event }) => [
        ...context.unsolicitedMajorAmendments,
        {
          on: event.effectiveDate ?? null,
          extension: context.substantiveInteractionOn === null ? 'fdaDaysElapsed' : 'threeQuartersOfFdaDaysSinceFiling',
        } satisfies UnsolicitedMajorAmendment,
      ],
    }),
    recordPanelReferral: assign({ panelReferred: true }),
    recordPanelRecommendation: assign({ panelRecommendation: ({ event }) => dataOf(event, 'PANEL_RECOMMENDATION').recommendation }),
    recordApproval: assign({
      approvalNumber: ({ event }) => dataOf(event, 'ISSUE_APPROVAL_ORDER').pmaNumber,
      decisionDate: ({ event }) => dataOf(event, 'ISSUE_APPROVAL_ORDER').decisionDate,
    }),
    // Approvable and not approvable letters are MDUFA decisions too (domain.md §1.3), if interim ones.
    recordLetter: assign({ decisionDate: ({ event }) => event.effectiveDate ?? null }),
    recordDenial: assign({ decisionDate: ({ event }) => dataOf(event, 'ISSUE_DENIAL').decisionDate ?? event.effectiveDate ?? null }),
  },
}).createMachine({
  id: 'fda-pma',
  initial: 'draft',
  context: ({ input }) => ({
    supplementType: input.supplementType ?? null,
    pmaNumber: input.pmaNumber ?? null,
    approvalNumber: null,
    decisionDate: null,
    filedOn: null,
    substantiveInteractionOn: null,
    mdlIssuedOn: null,
    panelReferred: false,
    panelRecommendation: null,
    unsolicitedMajorAmendments: [],
  }),
  states: {
    draft: {
      meta: meta({ description: 'Being prepared by the applicant; FDA has not received it.' }),
      on: { SUBMIT: 'received', ...withdrawable },
    },
    received: {
      meta: meta({ description: 'Received by FDA; user fee and eCopy validity are being checked. No review clock yet.' }),
      on: {
        FEE_VERIFIED: [
          { guard: 'isOriginalOrPanelTrack', target: 'acceptanceReview' },
          { guard: 'isReviewedSupplement', target: 'review.substantive' },
          { guard: 'isThirtyDayNotice', target: 'noticePeriod' },
        ],
        FEE_UNPAID: 'userFeeHold',
        ...withdrawable,
      },
    },
    userFeeHold: {
      tags: ['hold'],
      meta: meta({ description: 'User fee hold: not processed until the fee is paid.' }),
      on: { FEE_PAID: 'received', ...withdrawable },
    },
    // No `fda-clock` before filing: the filing date is the FDA-day origin (domain.md §5.3 row 5).
    acceptanceReview: {
      meta: meta({ description: 'Acceptance review (15 days) of an original PMA or panel-track supplement.' }),
      on: { ACCEPT: 'filingReview', REFUSE_TO_ACCEPT: 'rtaHold', ...withdrawable },
    },
    rtaHold: {
      tags: ['hold'],
      meta: meta({
        description: 'Refused to accept: the applicant must supply the missing elements.',
        deadline: {
          kind: 'rtaResponse',
          length: RTA_RESPONSE_DAYS,
          unit: 'calendar',
          event: 'RTA_TIMEOUT',
          unconfirmed: true,
          description: 'RTA response due (length assumed), otherwise the PMA is considered withdrawn.',
        },
      }),
      on: { RTA_RESPONSE: 'acceptanceReview', RTA_TIMEOUT: 'closed.withdrawn', ...withdrawable },
    },
    filingReview: {
      meta: meta({ description: 'Filing review (21 CFR 814.42; 45 days): filed or not filed.' }),
      on: {
        FILE: { target: 'review.substantive', actions: 'recordFiling' },
        REFUSE_TO_FILE: 'closed.notFiled',
        ...withdrawable,
      },
    },
    review: {
      tags: ['fda-clock'],
      initial: 'substantive',
      meta: meta({ description: 'Under substantive review.' }),
      on: {
        ISSUE_MDL: { guard: 'mdlAllowed', target: 'mdlHold', actions: 'recordMdl' },
        // 21 CFR 814.37(c): a major amendment extends the review period; the state is unchanged.
        UNSOLICITED_MAJOR_AMENDMENT: { actions: 'recordUnsolicitedAmendment' },
        REFER_TO_PANEL: { target: 'advisoryPanel', actions: 'recordPanelReferral' },
        ISSUE_APPROVAL_ORDER: { guard: 'approvalNumberFits', target: 'approved', actions: 'recordApproval' },
        ISSUE_APPROVABLE: { target: 'approvable', actions: 'recordLetter' },
        ISSUE_NOT_APPROVABLE: { target: 'notApprovable', actions: 'recordLetter' },
        ISSUE_DENIAL: { target: 'closed.denied', actions: 'recordDenial' },
        ...withdrawable,
      },
      states: {
        substantive: {
          meta: meta({ description: 'Substantive review (before the Substantive Interaction, or after an amendment).' }),
          on: { SUBSTANTIVE_INTERACTION: { target: 'interactive', actions: 'recordSubstantiveInteraction' } },
        },
        interactive: { meta: meta({ description: 'Interactive review after the Substantive Interaction.' }) },
        postPanel: { meta: meta({ description: "Review after the advisory panel's report and recommendation." }) },
        final: { meta: meta({ description: 'Final review after the applicant answered an approvable letter.' }) },
      },
    },
    mdlHold: {
      tags: ['hold'],
      initial: 'responseWindow',
      meta: meta({ description: 'On hold for a Major Deficiency Letter: the FDA-day clock is stopped.' }),
      on: { MAJOR_AMENDMENT: 'review.substantive', MDL_TIMEOUT: 'closed.withdrawn', ...withdrawable },
      states: {
        responseWindow: {
          meta: meta({
            description: 'Waiting for the amendment answering the MDL.',
            deadline: {
              kind: 'mdlResponse',
              length: MDL_RESPONSE_DAYS,
              unit: 'calendar',
              event: 'MDL_TIMEOUT',
              anchor: 'mdlIssuedOn',
              unconfirmed: true,
              description: 'Amendment answering the MDL due, otherwise the PMA is considered voluntarily withdrawn (21 CFR 814.37).',
            },
          }),
          on: { EXTEND_MDL_RESPONSE: 'extendedWindow' },
        },
        extendedWindow: {
          meta: meta({
            description: 'Waiting for the amendment answering the MDL, within an extended window.',
            deadline: {
              kind: 'mdlResponse',
              length: MDL_MAX_RESPONSE_DAYS,
              unit: 'calendar',
              event: 'MDL_TIMEOUT',
              anchor: 'mdlIssuedOn',
              unconfirmed: true,
              description: 'Extended MDL response window (counted from the MDL) ends, otherwise the PMA is considered voluntarily withdrawn.',
            },
          }),
        },
      },
    },
    advisoryPanel: {
      tags: ['fda-clock'],
      meta: meta({ description: 'Referred to an advisory panel: public meeting, then report and recommendation (21 CFR 814.44(a)–(b)).' }),
      on: { PANEL_RECOMMENDATION: { target: 'review.postPanel', actions: 'recordPanelRecommendation' }, ...withdrawable },
    },
    approvable: {
      tags: ['hold'],
      meta: meta({ description: 'Approvable letter issued: waiting for the applicant to meet its conditions.' }),
      on: { APPROVABLE_RESPONSE: 'review.final', ...withdrawable },
    },
    notApprovable: {
      tags: ['hold'],
      meta: meta({
        description: 'Not approvable letter issued: waiting for an amendment.',
        deadline: {
          kind: 'notApprovableResponse',
          length: NOT_APPROVABLE_RESPONSE_DAYS,
          unit: 'calendar',
          event: 'NOT_APPROVABLE_TIMEOUT',
          unconfirmed: true,
          description: 'Amendment due (window assumed as in 21 CFR 814.37), otherwise the PMA is considered withdrawn.',
        },
      }),
      on: {
        AMENDMENT: 'review.substantive',
        ISSUE_DENIAL: { target: 'closed.denied', actions: 'recordDenial' },
        NOT_APPROVABLE_TIMEOUT: 'closed.withdrawn',
        ...withdrawable,
      },
    },
    noticePeriod: {
      tags: ['fda-clock'],
      meta: meta({
        description: "30-day notice under FDA review; the period counts from FDA receipt (FEE_VERIFIED's effective date).",
        deadline: {
          kind: 'noticePeriod',
          length: THIRTY_DAY_NOTICE_DAYS,
          unit: 'calendar',
          event: 'NOTICE_PERIOD_TIMEOUT',
          description: 'Notice period ends: without an FDA objection the change may be distributed.',
        },
      }),
      on: { FDA_OBJECTS: 'closed.noticeInadequate', NOTICE_PERIOD_TIMEOUT: 'inEffect', ...withdrawable },
    },
    inEffect: {
      type: 'final',
      meta: meta({ description: '30-day notice in effect: the manufacturing change may be distributed (21 CFR 814.39(f)).' }),
    },
    approved: {
      meta: meta({ description: 'Approved: the device (or the change) may be marketed.' }),
      on: { WITHDRAW_APPROVAL: 'closed.approvalWithdrawn' },
    },
    closed: closedState({
      notFiled: 'Not filed (refuse to file); may be resubmitted under the same PMA number.',
      denied: 'Approval denied (21 CFR 814.45).',
      withdrawn: 'Withdrawn by the applicant, or considered withdrawn for lack of a timely response.',
      noticeInadequate: '30-day notice found inadequate: a 135-day PMA supplement is required.',
      approvalWithdrawn: 'Approval withdrawn by FDA (21 CFR 814.46).',
    }),
  },
});

export const fdaPma: WorkflowDefinition = {
  id: 'fda-pma',
  version: 1,
  title: 'Premarket approval (PMA)',
  ...FDA,
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      supplementType: {
        enum: [...SUPPLEMENT_TYPES],
        description: 'A PMA supplement (21 CFR 814.39) or 30-day notice; absent for an original PMA.',
      },
      pmaNumber: {
        ...basePmaNumber,
        description: 'The approved PMA a supplement changes (required with supplementType), or the number a resubmitted PMA carries.',
      },
    },
    if: { type: 'object', required: ['supplementType'] },
    then: { type: 'object', required: ['pmaNumber'] },
  },
  events,
  goals,
  machine,
  dossier: () => [],
  decisionOf(state, context) {
    const c = context as FdaPmaContext;
    const decision = APPROVAL_DECISIONS[state] ?? null;
    return { number: c.approvalNumber, decision, decisionDate: decision ? c.decisionDate : null, favourable: state === 'approved' };
  },
  // Withdrawn approvals (814.46) must reach relying registrations; every closed.* outcome is final.
  invalidatesReliance: (state) => state.startsWith('closed.'),
  explainRefusal(context, event) {
    const c = context as FdaPmaContext;
    if (event.type === 'ISSUE_MDL' && c.supplementType === 'real-time') return [reason('refusal.real_time_mdl')];
    const problem = event.type === 'ISSUE_APPROVAL_ORDER' ? approvalNumberProblem(c, event.data?.pmaNumber) : null;
    if (problem) return [problem];
    return undefined;
  },
  parameters: {
    rtaResponseDays: { value: RTA_RESPONSE_DAYS, unit: 'calendar days', note: 'reference/domain.md §5.3 row 4 ("180 days (assumed)")', unconfirmed: true },
    mdlResponseDays: {
      value: MDL_RESPONSE_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §1.3 (21 CFR 814.37 via a D.C. mirror), §5.3 row 8, §6 item 6 (extendable; mechanism UNCONFIRMED)',
      unconfirmed: true,
    },
    mdlMaxResponseDays: {
      value: MDL_MAX_RESPONSE_DAYS,
      unit: 'calendar days from the MDL',
      note: 'reference/domain.md §1.3 (reguvirta: withdrawal if unable to respond within 360 days), §6 item 6',
      unconfirmed: true,
    },
    notApprovableResponseDays: {
      value: NOT_APPROVABLE_RESPONSE_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §5.3 row 18 ("assumed same as 814.37")',
      unconfirmed: true,
    },
    thirtyDayNoticeDays: { value: THIRTY_DAY_NOTICE_DAYS, unit: 'calendar days', note: 'reference/domain.md §1.3; 21 CFR 814.39(f)' },
    postSiAmendmentExtensionShare: {
      value: POST_SI_AMENDMENT_EXTENSION_SHARE,
      unit: 'share of FDA days since filing',
      note: 'reference/domain.md §1.3 (unsolicited major amendment after the SI)',
    },
    missedDecisionGraceDays: { value: MISSED_DECISION_GRACE_DAYS, unit: 'calendar days', note: 'reference/domain.md §1.3 (missed MDUFA decision)' },
  },
};

// ---------------------------------------------------------------------------------------------
// Version 2: the same machine, with its regulatory clock declared (receipt, restarts, the end
// of the review, and what meets each goal). Version 1 stays as released for its submissions.
// ---------------------------------------------------------------------------------------------

export const fdaPmaV2: WorkflowDefinition = {
  ...fdaPma,
  version: 2,
  clock: {
    kind: 'fda',
    start: ['SUBMIT'],
    restart: ['FEE_PAID', 'RTA_RESPONSE'],
    stop: [
      'ISSUE_APPROVAL_ORDER',
      'ISSUE_DENIAL',
      'WITHDRAW',
      'REFUSE_TO_FILE',
      'RTA_TIMEOUT',
      'MDL_TIMEOUT',
      'NOT_APPROVABLE_TIMEOUT',
      'FDA_OBJECTS',
      'NOTICE_PERIOD_TIMEOUT',
    ],
    // An original PMA is created without a supplementType (see ORIGINAL).
    absentInput: { supplementType: ORIGINAL },
  },
  goals: clockedGoals(goals, {
    acceptanceReview: { metBy: ['ACCEPT', 'REFUSE_TO_ACCEPT'] },
    filingReview: { metBy: ['FILE', 'REFUSE_TO_FILE'] },
    // A major deficiency letter is itself the Substantive Interaction when none came before it.
    substantiveInteraction: { metBy: ['SUBSTANTIVE_INTERACTION', 'ISSUE_MDL'] },
    // MDUFA decisions include approvable and not-approvable letters, not only the final order.
    decision: { metBy: ['ISSUE_APPROVABLE', 'ISSUE_NOT_APPROVABLE'], excludedBy: ['REFER_TO_PANEL'] },
    decisionWithPanel: { metBy: ['ISSUE_APPROVABLE', 'ISSUE_NOT_APPROVABLE'], requires: ['REFER_TO_PANEL'] },
    missedDecisionCommunication: { metBy: ['ISSUE_APPROVABLE', 'ISSUE_NOT_APPROVABLE'], excludedBy: ['REFER_TO_PANEL'], missedEvent: 'MMD_DUE' },
    missedDecisionCommunicationWithPanel: { metBy: ['ISSUE_APPROVABLE', 'ISSUE_NOT_APPROVABLE'], requires: ['REFER_TO_PANEL'], missedEvent: 'MMD_DUE' },
  }),
};

// ---------------------------------------------------------------------------------------------
// Version 3: Part 11 electronic signatures (issue 6). The applicant signs its filing; FDA signs
// every order and letter that decides (refusal to file, approval, approvable, not approvable,
// denial, objection to a 30-day notice, withdrawal of approval). Machine, clock and goals: v2.
// ---------------------------------------------------------------------------------------------

export const fdaPmaV3: WorkflowDefinition = {
  ...fdaPmaV2,
  version: 3,
  events: signedEvents(fdaPmaV2.events, [
    'SUBMIT',
    'REFUSE_TO_FILE',
    'ISSUE_APPROVAL_ORDER',
    'ISSUE_APPROVABLE',
    'ISSUE_NOT_APPROVABLE',
    'ISSUE_DENIAL',
    'FDA_OBJECTS',
    'WITHDRAW_APPROVAL',
  ]),
};
