/**
 * 510(k) premarket notification, version 4: the corrections of reference/domain.md §7.2 (issue 9),
 * every deadline, goal and parameter with its primary source and every deadline with what happens
 * when it passes (domain.md §7.1). Versions 1–3 stay in fda-510k.ts as released; their states keep
 * their names here, so `puente workflow migrate` moves running submissions (see `upgradeContext`).
 *
 * What version 4 adds to version 3:
 * - acceptance review not completed in 15 calendar days: the 510(k) is considered under
 *   substantive review (`ACCEPTANCE_DEEMED`, a system event);
 * - eSTAR hold: no complete replacement in 180 days, considered withdrawn (`ESTAR_HOLD_TIMEOUT`);
 * - eCopy hold (`ECOPY_HOLD`): no valid eCopy in 180 days, deleted (`ECOPY_HOLD_TIMEOUT`);
 * - an incomplete AI response (`AI_RESPONSE_INCOMPLETE`) puts the 510(k) back on AI hold as of the
 *   original AI request, whose 180 days keep running (the hold's deadline is anchored on it);
 * - Special 510(k): the 30-day intent beside the MDUFA 90-FDA-day goal, which applies to every
 *   variant; FDA may convert a Special or Abbreviated 510(k) to Traditional (`CONVERT_TO_TRADITIONAL`);
 * - Third Party Review (input `thirdPartyReview: true`): an accredited third party reviews the
 *   510(k) and FDA decides within 30 days of receiving its recommendation; no FDA user fee;
 * - the MDUFA V shared-outcome Total Time to Decision, as a calendar-day goal.
 * eSTAR technical screening keeps no deadline: the eSTAR guidance gives FDA's 15-day intent but no
 * consequence when FDA takes longer (see `technicalScreeningDays`).
 */
import { assign, setup } from 'xstate';
import { closedState, dataOf, isoDate, meta, signedEvents, text, textList } from './common.js';
import type { Fda510kV4Event } from './event-data.js';
import { fda510kV3, type Fda510kContext } from './fda-510k.js';
import type { DeadlineSpec, EventSpec, GoalSpec, RuleSource, UpgradeAt, WorkflowDefinition } from './types.js';
import { payload, reason } from './types.js';

// ---------------------------------------------------------------------------------------------
// Sources (domain.md §7.2). Dates are those of the texts relied on.
// ---------------------------------------------------------------------------------------------

const RTA_GUIDANCE = 'Refuse to Accept Policy for 510(k)s, guidance for industry and FDA staff';
const REVIEW_CLOCK_GUIDANCE = 'FDA and Industry Actions on Premarket Notification (510(k)) Submissions: Effect on FDA Review Clock and Goals';
const MDUFA_V = 'MDUFA Performance Goals and Procedures, Fiscal Years 2023 Through 2027 (MDUFA V commitment letter)';

export const SOURCES_510K = {
  acceptance: { title: RTA_GUIDANCE, section: '§ V (acceptance review within 15 calendar days; otherwise under substantive review)', date: '2022-04' },
  rtaHold: { title: RTA_GUIDANCE, section: '§ V (RTA hold: no response within 180 days, considered withdrawn)', date: '2022-04' },
  eStar: {
    title: 'Electronic Submission Template for Medical Device 510(k) Submissions, guidance for industry and FDA staff',
    section: 'technical screening; hold until a complete replacement eSTAR, considered withdrawn after 180 days',
    date: '2023-10',
  },
  eCopy: {
    title: 'eCopy Program for Medical Device Submissions, guidance for industry and FDA staff',
    section: 'eCopy hold: no valid eCopy within 180 days, the submission is deleted',
    date: '2020',
  },
  aiHold: { title: REVIEW_CLOCK_GUIDANCE, section: '§ V (AI request: complete response within 180 calendar days, otherwise deleted)', date: '2022-10' },
  aiIncomplete: { title: REVIEW_CLOCK_GUIDANCE, section: '§ VI.A (incomplete response: back on hold as of the original AI request)', date: '2022-10' },
  mdufa: (section: string): RuleSource => ({ title: MDUFA_V, section, date: '2022' }),
  special: {
    title: 'The Special 510(k) Program, guidance for industry and FDA staff',
    section: '§ IV (30-day review intent; conversion to Traditional)',
    date: '2019-09',
  },
  thirdParty: { title: 'Federal Food, Drug, and Cosmetic Act', section: '§ 523(a)(2)', citation: '21 U.S.C. 360m(a)(2)', date: '2017-08-18' },
  thirdPartyProgram: {
    title: '510(k) Third Party Review Program, guidance for industry, FDA staff and third party review organizations',
    section: '§ IV (no FDA user fee; eligibility by product code, foiclass THIRDPARTYFLAG)',
    date: '2020-03-12',
  },
} as const satisfies Record<string, RuleSource | ((s: string) => RuleSource)>;

/** Acceptance review (eCopy) not completed in 15 calendar days: considered under substantive review. */
export const ACCEPTANCE_REVIEW_DAYS = 15;
/** FDA's intent for the eSTAR technical screening; no consequence stated, so no deadline. */
export const TECHNICAL_SCREENING_DAYS = 15;
/** No complete replacement eSTAR within 180 days of the hold: considered withdrawn. */
export const ESTAR_HOLD_DAYS = 180;
/** No valid eCopy within 180 days of the eCopy hold: deleted. */
export const ECOPY_HOLD_DAYS = 180;
/** RTA hold: 180 days to supply the missing elements, then considered withdrawn. */
export const RTA_RESPONSE_DAYS = 180;
/** A complete AI response within 180 calendar days of the (original) AI request, otherwise deleted. */
export const AI_RESPONSE_DAYS = 180;
/** FD&C Act § 523(a)(2): FDA decides within 30 days of receiving an accredited third party's recommendation. */
export const THIRD_PARTY_DECISION_DAYS = 30;
/**
 * MDUFA V 510(k) shared-outcome Total Time to Decision (average, calendar days): FY2023 128,
 * FY2024 124, FY2025–FY2027 112. The goal shows the current fiscal years' figure.
 */
export const TOTAL_TIME_TO_DECISION_DAYS = 112;

export interface Fda510kV4Context extends Fda510kContext {
  /** Reviewed under the Third Party Review program (FD&C Act § 523). */
  thirdPartyReview: boolean;
  /** `YYYY-MM-DD` of the current AI request: the anchor of the AI hold's 180 days. */
  aiRequestedOn: string | null;
  /** The variant FDA converted from when it converted the 510(k) to Traditional. */
  convertedFrom: 'special' | 'abbreviated' | null;
  /** The accredited third party's recommendation as FDA received it. */
  thirdPartyRecommendation: { organization: string; recommendationDate: string; recommendation: 'SE' | 'NSE' | null } | null;
}

export type Fda510kV4Input = Pick<Fda510kContext, 'format' | 'variant'> & { thirdPartyReview?: boolean };

// ---------------------------------------------------------------------------------------------
// Events: version 3's, with the timeouts' new wording, and the events of the new rules.
// ---------------------------------------------------------------------------------------------

const v3 = fda510kV3.events;
const events: Record<string, EventSpec> = {
  ...v3,
  SUBMIT: {
    ...v3.SUBMIT!,
    description: 'Send the 510(k) to FDA (CDRH Document Control Center receipt), or under Third Party Review to the accredited review organization.',
  },
  ECOPY_HOLD: {
    roles: ['fda'],
    description: `No valid eCopy: the 510(k) is put on eCopy hold; a valid eCopy is due within ${ECOPY_HOLD_DAYS} days.`,
    schema: payload({ reasons: textList }),
  },
  ECOPY_RECEIVED: {
    roles: ['manufacturer'],
    description: 'The sponsor sent a valid eCopy: receipt is checked again (the review clock counts from it).',
    schema: payload(),
  },
  ECOPY_HOLD_TIMEOUT: { roles: ['system'], description: `No valid eCopy within ${ECOPY_HOLD_DAYS} days of the eCopy hold: deleted.`, schema: payload() },
  ACCEPTANCE_DEEMED: {
    roles: ['system'],
    description: `Acceptance review not completed within ${ACCEPTANCE_REVIEW_DAYS} calendar days: the 510(k) is considered under substantive review.`,
    schema: payload(),
  },
  ESTAR_HOLD_TIMEOUT: {
    roles: ['system'],
    description: `No complete replacement eSTAR within ${ESTAR_HOLD_DAYS} days of the technical screening hold: considered withdrawn.`,
    schema: payload(),
  },
  AI_RESPONSE_INCOMPLETE: {
    roles: ['fda'],
    description: 'FDA finds the AI response incomplete: the 510(k) goes back on hold as of the original AI request, whose 180 days keep running.',
    schema: payload({ deficiencies: textList }),
  },
  AI_TIMEOUT: {
    ...v3.AI_TIMEOUT!,
    description: `No complete AI response within ${AI_RESPONSE_DAYS} calendar days of the original AI request: deleted (FDA code DE).`,
  },
  CONVERT_TO_TRADITIONAL: {
    roles: ['fda'],
    description: 'FDA converts a Special or Abbreviated 510(k) to a Traditional 510(k) (the Special 510(k) Program).',
    schema: payload({ reason: text }),
  },
  THIRD_PARTY_RECOMMENDATION: {
    roles: ['fda'],
    description: `FDA received the accredited third party's review and recommendation: FDA decides within ${THIRD_PARTY_DECISION_DAYS} days (FD&C Act § 523(a)(2)).`,
    schema: payload({ organization: text, recommendationDate: isoDate, recommendation: { enum: ['SE', 'NSE'] } }, ['organization', 'recommendationDate']),
  },
};

// ---------------------------------------------------------------------------------------------
// Goals. The MDUFA goals are for 510(k)s FDA reviews itself; a third-party 510(k) has FDA's
// statutory 30 days from the recommendation instead.
// ---------------------------------------------------------------------------------------------

const fdaReviewed = { thirdPartyReview: 'false' } as const;
const goals: GoalSpec[] = [
  {
    kind: 'substantiveInteraction',
    length: 60,
    unit: 'fda-days',
    description: 'MDUFA V: Substantive Interaction (or an AI request) by FDA day 60.',
    when: fdaReviewed,
    metBy: ['SUBSTANTIVE_INTERACTION', 'REQUEST_AI'],
    source: SOURCES_510K.mdufa('510(k): Substantive Interaction goal'),
  },
  {
    kind: 'decision',
    length: 90,
    unit: 'fda-days',
    description: 'MDUFA V: decision within 90 FDA days (95% goal); it applies to Traditional, Abbreviated and Special 510(k)s alike.',
    when: fdaReviewed,
    source: SOURCES_510K.mdufa('510(k): MDUFA decision goal'),
  },
  {
    kind: 'specialDecision',
    length: 30,
    unit: 'fda-days',
    description: "Special 510(k): FDA's intent to decide within 30 days of receipt; no longer applies once FDA converts it to Traditional.",
    when: { ...fdaReviewed, variant: 'special' },
    excludedBy: ['CONVERT_TO_TRADITIONAL'],
    source: SOURCES_510K.special,
  },
  {
    kind: 'missedDecisionCommunication',
    length: 100,
    unit: 'fda-days',
    description: 'No decision by FDA day 100: Missed MDUFA Decision communication.',
    when: fdaReviewed,
    missedEvent: 'MMD_DUE',
    source: SOURCES_510K.mdufa('510(k): Missed MDUFA Decision communication'),
  },
  {
    kind: 'totalTimeToDecision',
    length: TOTAL_TIME_TO_DECISION_DAYS,
    unit: 'calendar',
    description:
      'MDUFA V shared-outcome Total Time to Decision: a program average of 112 calendar days (FY2025–FY2027; 128 in FY2023, 124 in FY2024), FDA and sponsor days together. Figures UNCONFIRMED against the letter itself.',
    when: fdaReviewed,
    source: SOURCES_510K.mdufa('510(k) Shared Outcome Total Time to Decision goals'),
    unconfirmed: true,
  },
  {
    kind: 'thirdPartyDecision',
    length: THIRD_PARTY_DECISION_DAYS,
    unit: 'calendar',
    description: "Third Party Review: FDA's determination within 30 days of receiving the accredited person's recommendation (FD&C Act § 523(a)(2)).",
    when: { thirdPartyReview: 'true' },
    from: ['THIRD_PARTY_RECOMMENDATION'],
    source: SOURCES_510K.thirdParty,
  },
];

// ---------------------------------------------------------------------------------------------
// Deadlines. Each states its window and consequence from a final guidance (domain.md §7.2), so
// each fires by itself ('automatic').
// ---------------------------------------------------------------------------------------------

const deadline = (d: DeadlineSpec): DeadlineSpec => d;
const DEADLINES = {
  acceptance: deadline({
    kind: 'acceptanceReview',
    length: ACCEPTANCE_REVIEW_DAYS,
    unit: 'calendar',
    event: 'ACCEPTANCE_DEEMED',
    consequence: 'automatic',
    description: 'Acceptance review not completed in time: the 510(k) is considered under substantive review.',
    source: SOURCES_510K.acceptance,
  }),
  eStarHold: deadline({
    kind: 'eStarHoldResponse',
    length: ESTAR_HOLD_DAYS,
    unit: 'calendar',
    event: 'ESTAR_HOLD_TIMEOUT',
    consequence: 'automatic',
    description: 'Complete replacement eSTAR due, otherwise the 510(k) is considered withdrawn.',
    source: SOURCES_510K.eStar,
  }),
  eCopyHold: deadline({
    kind: 'eCopyHoldResponse',
    length: ECOPY_HOLD_DAYS,
    unit: 'calendar',
    event: 'ECOPY_HOLD_TIMEOUT',
    consequence: 'automatic',
    description: 'Valid eCopy due, otherwise the 510(k) is deleted.',
    source: SOURCES_510K.eCopy,
  }),
  rtaHold: deadline({
    kind: 'rtaResponse',
    length: RTA_RESPONSE_DAYS,
    unit: 'calendar',
    event: 'RTA_TIMEOUT',
    consequence: 'automatic',
    description: 'RTA response due, otherwise the 510(k) is considered withdrawn.',
    source: SOURCES_510K.rtaHold,
  }),
  aiHold: deadline({
    kind: 'aiResponse',
    length: AI_RESPONSE_DAYS,
    unit: 'calendar',
    event: 'AI_TIMEOUT',
    anchor: 'aiRequestedOn',
    consequence: 'automatic',
    description: 'Complete AI response due (180 days from the original AI request), otherwise the 510(k) is deleted.',
    source: SOURCES_510K.aiHold,
  }),
};

// ---------------------------------------------------------------------------------------------
// The machine (DESIGN §4 with the rows of domain.md §7.2).
// ---------------------------------------------------------------------------------------------

const withdrawable = { WITHDRAW: { target: '#fda-510k.closed.withdrawn' } } as const;
// A Special or Abbreviated 510(k) FDA finds unsuited to its program is reviewed as Traditional.
const convertible = { CONVERT_TO_TRADITIONAL: { guard: 'notTraditional', actions: 'convertToTraditional' } } as const;

export const machineV4 = setup({
  types: {
    context: {} as Fda510kV4Context,
    events: {} as Fda510kV4Event,
    input: {} as Fda510kV4Input,
  },
  guards: {
    isEstar: ({ context }) => context.format === 'eSTAR',
    isEcopy: ({ context }) => context.format === 'eCopy',
    isThirdParty: ({ context }) => context.thirdPartyReview,
    notTraditional: ({ context }) => context.variant !== 'traditional',
    aiRequestOnRecord: ({ context }) => context.aiRequestedOn !== null,
  },
  actions: {
    recordAiRequest: assign({ aiRequestedOn: ({ event }) => event.effectiveDate ?? null }),
    convertToTraditional: assign({
      convertedFrom: ({ context }) => (context.variant === 'traditional' ? context.convertedFrom : context.variant),
      variant: () => 'traditional' as const,
    }),
    recordRecommendation: assign({
      thirdPartyRecommendation: ({ event }) => {
        const d = dataOf(event, 'THIRD_PARTY_RECOMMENDATION');
        return { organization: d.organization, recommendationDate: d.recommendationDate, recommendation: d.recommendation ?? null };
      },
    }),
    recordClearance: assign({
      kNumber: ({ event }) => dataOf(event, 'DECIDE_SE').kNumber,
      decisionDate: ({ event }) => dataOf(event, 'DECIDE_SE').decisionDate,
    }),
    recordNse: assign({ decisionDate: ({ event }) => dataOf(event, 'DECIDE_NSE').decisionDate ?? null }),
  },
}).createMachine({
  id: 'fda-510k',
  initial: 'draft',
  context: ({ input }) => ({
    format: input.format,
    variant: input.variant,
    kNumber: null,
    decisionDate: null,
    thirdPartyReview: input.thirdPartyReview ?? false,
    aiRequestedOn: null,
    convertedFrom: null,
    thirdPartyRecommendation: null,
  }),
  states: {
    draft: {
      meta: meta({ description: 'Being prepared by the sponsor; FDA has not received it.' }),
      on: { SUBMIT: [{ guard: 'isThirdParty', target: 'thirdPartyReview' }, { target: 'received' }], ...withdrawable },
    },
    thirdPartyReview: {
      meta: meta({
        description:
          'Under review by an accredited third-party review organization (FD&C Act § 523); FDA has not received its recommendation. No FDA user fee.',
      }),
      on: { THIRD_PARTY_RECOMMENDATION: { target: 'review.substantive', actions: 'recordRecommendation' }, ...withdrawable },
    },
    received: {
      meta: meta({ description: 'Received by FDA; user fee and submission validity (eSTAR or eCopy) are being checked.' }),
      on: {
        FEE_VERIFIED: [
          { guard: 'isEstar', target: 'technicalScreening' },
          { guard: 'isEcopy', target: 'acceptanceReview' },
        ],
        FEE_UNPAID: 'userFeeHold',
        ECOPY_HOLD: { guard: 'isEcopy', target: 'eCopyHold' },
        ...withdrawable,
      },
    },
    userFeeHold: {
      tags: ['hold'],
      meta: meta({ description: 'User fee hold: the review clock does not start until the fee is paid.' }),
      on: { FEE_PAID: 'received', ...withdrawable },
    },
    eCopyHold: {
      tags: ['hold'],
      meta: meta({ description: 'eCopy hold: no valid eCopy was received; the 510(k) waits for one.', deadline: DEADLINES.eCopyHold }),
      on: { ECOPY_RECEIVED: 'received', ECOPY_HOLD_TIMEOUT: 'closed.deleted', ...withdrawable },
    },
    technicalScreening: {
      tags: ['fda-clock'],
      meta: meta({ description: `eSTAR technical screening (FDA intends to complete it within ${TECHNICAL_SCREENING_DAYS} calendar days).` }),
      on: { SCREEN_PASS: 'review.substantive', SCREEN_FAIL: 'eStarHold', ...convertible, ...withdrawable },
    },
    eStarHold: {
      tags: ['hold'],
      meta: meta({ description: 'eSTAR incomplete: on hold until a complete replacement is submitted.', deadline: DEADLINES.eStarHold }),
      on: { REPLACEMENT_SUBMITTED: 'technicalScreening', ESTAR_HOLD_TIMEOUT: 'closed.withdrawn', ...withdrawable },
    },
    acceptanceReview: {
      tags: ['fda-clock'],
      meta: meta({ description: 'Acceptance review against the RTA checklist (15 calendar days).', deadline: DEADLINES.acceptance }),
      on: {
        ACCEPT: 'review.substantive',
        REFUSE_TO_ACCEPT: 'rtaHold',
        ACCEPTANCE_DEEMED: 'review.substantive',
        ...convertible,
        ...withdrawable,
      },
    },
    rtaHold: {
      tags: ['hold'],
      meta: meta({ description: 'Refused to accept: the sponsor must supply the missing elements.', deadline: DEADLINES.rtaHold }),
      on: { RTA_RESPONSE: 'acceptanceReview', RTA_TIMEOUT: 'closed.withdrawn', ...withdrawable },
    },
    review: {
      tags: ['fda-clock'],
      initial: 'substantive',
      meta: meta({ description: 'Under substantive review.' }),
      on: {
        REQUEST_AI: { target: 'aiHold', actions: 'recordAiRequest' },
        DECIDE_SE: { target: 'cleared', actions: 'recordClearance' },
        DECIDE_NSE: { target: 'closed.nse', actions: 'recordNse' },
        ...convertible,
        ...withdrawable,
      },
      states: {
        substantive: {
          meta: meta({ description: 'Substantive review before the Substantive Interaction, or after an AI response.' }),
          on: {
            SUBSTANTIVE_INTERACTION: 'interactive',
            // Review-clock guidance § VI.A: an incomplete response puts the 510(k) back on hold as
            // of the original AI request; the hold's deadline is anchored on `aiRequestedOn`.
            AI_RESPONSE_INCOMPLETE: { guard: 'aiRequestOnRecord', target: '#fda-510k.aiHold' },
          },
        },
        interactive: { meta: meta({ description: 'Interactive review after the Substantive Interaction.' }) },
      },
    },
    aiHold: {
      tags: ['hold'],
      meta: meta({ description: 'On hold for Additional Information: the FDA-day clock is paused.', deadline: DEADLINES.aiHold }),
      on: { AI_RESPONSE: 'review.substantive', AI_TIMEOUT: 'closed.deleted', ...withdrawable },
    },
    cleared: {
      meta: meta({ description: 'Substantially equivalent (SE): cleared for marketing.' }),
      on: { RESCIND_SE: 'closed.rescinded' },
    },
    closed: closedState({
      nse: 'Not substantially equivalent (NSE).',
      withdrawn: 'Withdrawn: by the sponsor, or considered withdrawn (no RTA response or replacement eSTAR within 180 days).',
      deleted: 'Deleted: no complete AI response within 180 days of the AI request, or no valid eCopy within 180 days.',
      rescinded: 'SE decision rescinded by FDA.',
    }),
  },
});

/** The context a v1–v3 submission carries into v4 (see `fda510kV4.upgradeContext`). */
export function upgradeContextToV4(context: unknown, _fromVersion: number, at?: UpgradeAt): Fda510kV4Context {
  const c = context as Fda510kContext & Partial<Fda510kV4Context>;
  // Before v4 the only way into aiHold was an AI request, so on AI hold the state's entry is its date.
  const aiRequestedOn = c.aiRequestedOn ?? (at?.state === 'aiHold' ? at.stateSinceDate : null);
  return { thirdPartyReview: false, convertedFrom: null, thirdPartyRecommendation: null, ...c, aiRequestedOn };
}

export const fda510kV4: WorkflowDefinition = {
  ...fda510kV3,
  version: 4,
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['format', 'variant'],
    properties: {
      ...(fda510kV3.inputSchema.properties as Record<string, unknown>),
      thirdPartyReview: {
        type: 'boolean',
        description: 'Reviewed under the 510(k) Third Party Review Program by an accredited review organization (FD&C Act § 523); absent means false.',
      },
    },
  },
  events: signedEvents(events, ['SUBMIT', 'DECIDE_SE', 'DECIDE_NSE', 'RESCIND_SE']),
  goals,
  machine: machineV4,
  clock: {
    kind: 'fda',
    start: ['SUBMIT'],
    // FDA counts from the receipt that is accepted: the fee paid, a valid eCopy, the replacement
    // after a refusal to accept or a failed screening, or the third party's recommendation.
    restart: ['FEE_PAID', 'ECOPY_RECEIVED', 'RTA_RESPONSE', 'REPLACEMENT_SUBMITTED', 'THIRD_PARTY_RECOMMENDATION'],
    stop: ['DECIDE_SE', 'DECIDE_NSE', 'WITHDRAW', 'AI_TIMEOUT', 'RTA_TIMEOUT', 'ESTAR_HOLD_TIMEOUT', 'ECOPY_HOLD_TIMEOUT'],
    absentInput: { thirdPartyReview: 'false' },
  },
  upgradeContext: upgradeContextToV4,
  explainRefusal(context, event) {
    const c = context as Fda510kV4Context;
    if (event.type === 'AI_RESPONSE_INCOMPLETE' && c.aiRequestedOn === null) return [reason('refusal.no_ai_request')];
    if (event.type === 'CONVERT_TO_TRADITIONAL' && c.variant === 'traditional') return [reason('refusal.already_traditional')];
    if (event.type === 'ECOPY_HOLD' && c.format === 'eSTAR') return [reason('refusal.ecopy_hold_estar')];
    return undefined;
  },
  parameters: {
    acceptanceReviewDays: {
      value: ACCEPTANCE_REVIEW_DAYS,
      unit: 'calendar days',
      note: 'Acceptance review not completed in time: considered under substantive review (domain.md §7.2)',
      source: SOURCES_510K.acceptance,
    },
    technicalScreeningDays: {
      value: TECHNICAL_SCREENING_DAYS,
      unit: 'calendar days',
      note: "FDA's intent for the eSTAR technical screening; the guidance states no consequence when it takes longer, so it is not a deadline",
      source: SOURCES_510K.eStar,
    },
    eStarHoldDays: {
      value: ESTAR_HOLD_DAYS,
      unit: 'calendar days',
      note: 'No complete replacement eSTAR: considered withdrawn (domain.md §7.2)',
      source: SOURCES_510K.eStar,
    },
    eCopyHoldDays: { value: ECOPY_HOLD_DAYS, unit: 'calendar days', note: 'No valid eCopy: deleted (domain.md §7.2)', source: SOURCES_510K.eCopy },
    rtaResponseDays: { value: RTA_RESPONSE_DAYS, unit: 'calendar days', note: 'No RTA response: considered withdrawn', source: SOURCES_510K.rtaHold },
    aiResponseDays: {
      value: AI_RESPONSE_DAYS,
      unit: 'calendar days',
      note: 'From the original AI request, also after an incomplete response (domain.md §7.2); then deleted',
      source: SOURCES_510K.aiIncomplete,
    },
    thirdPartyDecisionDays: {
      value: THIRD_PARTY_DECISION_DAYS,
      unit: 'calendar days',
      note: "FDA's determination after receiving an accredited third party's recommendation",
      source: SOURCES_510K.thirdParty,
    },
    thirdPartyUserFee: {
      value: false,
      note: 'No FDA user fee under Third Party Review (the review organization charges its own fee); eligibility by product code is checked at creation: the code must be flagged Y (foiclass THIRDPARTYFLAG), else 422 at /input/thirdPartyReview',
      source: SOURCES_510K.thirdPartyProgram,
    },
    totalTimeToDecisionDays: {
      value: TOTAL_TIME_TO_DECISION_DAYS,
      unit: 'calendar days',
      note: 'MDUFA V 510(k) shared-outcome average: 128 (FY2023), 124 (FY2024), 112 (FY2025–FY2027), from summaries of the commitment letter (Emergo by UL, 2022-03-31); the letter itself was not read',
      source: SOURCES_510K.mdufa('510(k) Shared Outcome Total Time to Decision goals'),
      unconfirmed: true,
    },
  },
};
