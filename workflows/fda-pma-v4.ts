/**
 * Premarket approval, version 4 (issue 9; reference/domain.md §7.1–§7.2): the response windows,
 * the acceptance review and the refusal to file as 21 CFR 814 and FDA's guidances state them, and
 * every deadline, goal and parameter with its primary source. Versions 1–3 (`./fda-pma.ts`) stay
 * as released; `upgradeContext` moves their running submissions here (every v3 state name exists).
 *
 * What changed from version 3:
 * - Response windows. A major deficiency letter (a request to amend, 814.37(c)(3)), an approvable
 *   and a not approvable letter (814.44(g)) each give 180 days from the letter; the regulation
 *   states both the window and the consequence ("considered withdrawn voluntarily"), so each fires
 *   `*_TIMEOUT` by itself (`consequence: 'automatic'`). The PMA review-clock guidance (Oct 2022,
 *   §III.F) describes an extension of up to 180 more days (360 in all), also for not-filing
 *   letters: modelled as the applicant's request (`REQUEST_RESPONSE_EXTENSION`) and FDA's grant
 *   or refusal. Whether FDA grants it on request or at its discretion could not be read in the
 *   primary text, so a grant is FDA's event. While a request is pending, and once an extended
 *   window ends, the passing is recorded and FDA decides (`CONSIDER_WITHDRAWN`): the regulation
 *   states neither case.
 * - Acceptance review not completed within 15 days: considered accepted (*Acceptance and Filing
 *   Reviews for PMAs*, Dec 2019): `ACCEPTANCE_REVIEW_TIMEOUT` moves it on to the filing review.
 * - Refuse to file is a hold (`refusedToFile`), not an end (814.42(d)): the applicant may amend
 *   under the same P-number (`FILING_AMENDMENT`, filing review again, 45 days) or ask for an
 *   informal conference (within 10 working days of the notice), after which FDA files it or
 *   upholds the refusal. `closed.notFiled` stays reachable: when the not-filing letter's response
 *   window (180 days, guidance only) passes, its passing is recorded and FDA closes the file
 *   (`CLOSE_NOT_FILED`).
 * - The filing date is 814.42(b)'s: the receipt date of the PMA accepted for filing
 *   (`filingDate`, from `receivedOn`), or the date FDA files it after an informal conference
 *   (814.42(d)(2)). `filedOn` keeps v3's meaning: the date of FDA's filing notice.
 * - A refusal to accept keeps its 180-day window, UNCONFIRMED: its passing is FDA's decision.
 * - MDUFA V shared-outcome Total Time to Decision (calendar days): 285 for receipts in FY2025–27,
 *   290 in FY2023–24. A goal's `when` matches creation inputs only, not the receipt's fiscal year,
 *   so both are parameters and the goal applies the current one (285).
 */
import { assign, setup } from 'xstate';
import { APPROVAL_DECISIONS, closedState, dataOf, isoDate, meta, signedEvents, text } from './common.js';
import type { FdaPmaV4Event } from './event-data.js';
import {
  MISSED_DECISION_GRACE_DAYS,
  ORIGINAL,
  POST_SI_AMENDMENT_EXTENSION_SHARE,
  THIRTY_DAY_NOTICE_DAYS,
  approvalNumberProblem,
  fdaPmaV3,
  type FdaPmaContext,
  type FdaPmaInput,
  type UnsolicitedMajorAmendment,
} from './fda-pma.js';
import type { DeadlineSpec, EventSpec, GoalSpec, RuleSource, WorkflowDefinition } from './types.js';
import { payload, reason } from './types.js';

// ---------------------------------------------------------------------------------------------
// Sources (domain.md §7.2; checked with the search tool where a copy of the text was found)
// ---------------------------------------------------------------------------------------------

const ecfr = (section: string) => `https://www.ecfr.gov/current/title-21/chapter-I/subchapter-H/part-814/section-${section}`;
const cfr = (section: string, paragraph: string): RuleSource => ({
  title: `21 CFR ${section}`,
  section: `§ ${section}${paragraph}`,
  citation: `21 CFR ${section}${paragraph}`,
  date: '2024-04-01',
  url: ecfr(section),
});

export const SOURCES = {
  /** Amendment requested and no written response within 180 days: considered withdrawn voluntarily. */
  amendmentRequest: cfr('814.37', '(c)(3)'),
  /** No written response to an approvable or not approvable letter within 180 days: considered withdrawn. */
  letters: cfr('814.44', '(g)'),
  filingWindow: cfr('814.42', '(a)'),
  filingDate: cfr('814.42', '(b)'),
  refuseToFile: cfr('814.42', '(d)'),
  panel: cfr('814.44', '(a)'),
  thirtyDayNotice: cfr('814.39', '(f)'),
  reviewClock: {
    title: 'FDA and Industry Actions on Premarket Approval Applications (PMAs): Effect on FDA Review Clock and Goals',
    section: '§ III.F',
    date: '2022-10-03',
    url: 'https://www.fda.gov/regulatory-information/search-fda-guidance-documents/fda-and-industry-actions-premarket-approval-applications-pmas-effect-fda-review-clock-and-goals',
  },
  acceptance: {
    title: 'Acceptance and Filing Reviews for Premarket Approval Applications (PMAs)',
    section: 'acceptance review',
    date: '2019-12-20',
    url: 'https://www.fda.gov/regulatory-information/search-fda-guidance-documents/acceptance-and-filing-reviews-premarket-approval-applications-pmas',
  },
  mdufa: {
    title: 'MDUFA Performance Goals and Procedures, Fiscal Years 2023 Through 2027 (MDUFA V commitment letter)',
    section: 'PMA review goals; shared outcome Total Time to Decision',
    date: '2022',
    url: 'https://www.fda.gov/media/158308/download',
  },
} as const satisfies Record<string, RuleSource>;

// ---------------------------------------------------------------------------------------------
// Timings
// ---------------------------------------------------------------------------------------------

/** 21 CFR 814.37(c)(3) and 814.44(g): 180 days after an amendment request, approvable or not approvable letter. */
export const RESPONSE_DAYS = 180;
/** Review-clock guidance §III.F: an extension of up to 180 more days, 360 from the letter in all. */
export const MAX_RESPONSE_DAYS = 360;
/** Refuse to accept: 180 days, UNCONFIRMED (domain.md §5.3 row 4, "assumed"). */
export const RTA_RESPONSE_DAYS = 180;
/** Acceptance review: not completed within 15 days, the PMA is considered accepted (Acceptance and Filing guidance). */
export const ACCEPTANCE_REVIEW_DAYS = 15;
/** Filing review: 45 days after receipt (814.42(a)), again after an amendment to a refused PMA. */
export const FILING_REVIEW_DAYS = 45;
/** 814.42(d)(2): the informal conference is asked for within 10 working days of the not-filing notice. */
export const INFORMAL_CONFERENCE_WORKING_DAYS = 10;
/** MDUFA V shared-outcome Total Time to Decision, original PMAs and panel-track supplements, by receipt fiscal year. */
export const TTD_DAYS_FY2023_2024 = 290;
export const TTD_DAYS_FY2025_2027 = 285;

// ---------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------

export interface FdaPmaV4Context extends FdaPmaContext {
  /** `YYYY-MM-DD` FDA received the latest complete version (submission, fee, RTA or filing amendment). */
  receivedOn: string | null;
  /**
   * 814.42(b): the receipt date of the PMA accepted for filing; after an informal conference, the
   * date FDA decided to file it (814.42(d)(2)). Null before filing, and for submissions filed
   * under versions 1–3, whose context never kept the receipt date (their history has it).
   */
  filingDate: string | null;
  /** `YYYY-MM-DD` of the letter the applicant must answer (RTA, not filing, MDL, approvable, not approvable). */
  letterIssuedOn: string | null;
  /** `YYYY-MM-DD` of the applicant's request for more time to answer that letter. */
  extensionRequestedOn: string | null;
  /** Last day of an extended response window FDA granted (at most 360 days after the letter). */
  responseDueOn: string | null;
}

/** Adds calendar days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null || a > b ? a : b);

/**
 * A version 1–3 context with the fields version 4 adds. The letter to answer is the latest one
 * on record (an MDL or an approvable / not approvable letter, whose date v3 kept as `decisionDate`);
 * a v3 extended MDL window ran 360 days from the MDL. Receipt and filing dates are unknown.
 */
export function upgradeContext(context: unknown, fromVersion: number): FdaPmaV4Context {
  const c = context as FdaPmaContext & Partial<FdaPmaV4Context>;
  if (fromVersion >= 4) return c as FdaPmaV4Context;
  return {
    ...c,
    receivedOn: null,
    filingDate: null,
    letterIssuedOn: later(c.mdlIssuedOn, c.decisionDate),
    extensionRequestedOn: null,
    responseDueOn: c.mdlIssuedOn ? addDays(c.mdlIssuedOn, MAX_RESPONSE_DAYS) : null,
  };
}

/** The due date an extension may set, counted from the letter: after day 180, at most day 360; null when it may not. */
export function extensionProblem(c: Pick<FdaPmaV4Context, 'letterIssuedOn'>, dueDate: string | undefined): 'no-letter' | 'too-early' | 'too-late' | null {
  if (c.letterIssuedOn === null) return 'no-letter';
  if (dueDate === undefined) return null;
  if (dueDate <= addDays(c.letterIssuedOn, RESPONSE_DAYS)) return 'too-early';
  if (dueDate > addDays(c.letterIssuedOn, MAX_RESPONSE_DAYS)) return 'too-late';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

const { RTA_TIMEOUT: _rta, EXTEND_MDL_RESPONSE: _extend, ...keptEvents } = fdaPmaV3.events;

const withDescription = (type: string, description: string): EventSpec => ({ ...fdaPmaV3.events[type]!, description });

const events: Record<string, EventSpec> = {
  ...keptEvents,
  ACCEPTANCE_REVIEW_TIMEOUT: {
    roles: ['system'],
    description: `Acceptance review not completed within ${ACCEPTANCE_REVIEW_DAYS} days: the PMA is considered accepted and the filing review starts.`,
    schema: payload(),
  },
  REFUSE_TO_FILE: withDescription(
    'REFUSE_TO_FILE',
    'Not filed (21 CFR 814.42(c)): the applicant may amend under the same PMA number or ask for an informal conference (814.42(d)).',
  ),
  FILING_AMENDMENT: {
    roles: ['manufacturer'],
    description: 'The applicant resubmits the refused PMA with what it lacked, under the same PMA number (21 CFR 814.42(d)(1)): filing review again (45 days).',
    schema: payload({ summary: text }),
  },
  REQUEST_INFORMAL_CONFERENCE: {
    roles: ['manufacturer'],
    description: `The applicant asks for an informal conference to review the refusal to file, within ${INFORMAL_CONFERENCE_WORKING_DAYS} working days of the notice (21 CFR 814.42(d)(2)).`,
    schema: payload({ reason: text }),
  },
  FILE_AFTER_CONFERENCE: {
    roles: ['fda'],
    description: 'After the informal conference FDA files the PMA; the filing date is the date of this decision (21 CFR 814.42(d)(2)).',
    schema: payload({ summary: text }),
  },
  UPHOLD_REFUSAL_TO_FILE: {
    roles: ['fda'],
    description: 'After the informal conference FDA keeps its refusal to file; the applicant may still amend (21 CFR 814.42(d)).',
    schema: payload({ reasons: { type: 'array', minItems: 1, maxItems: 200, items: text } }),
  },
  CLOSE_NOT_FILED: {
    roles: ['fda'],
    description: 'FDA closes a PMA it refused to file: the applicant did not amend within the response window (its passing is recorded first).',
    schema: payload({ reason: text }),
  },
  ISSUE_MDL: withDescription(
    'ISSUE_MDL',
    `Major Deficiency Letter (a request to amend, 21 CFR 814.37(c)): the FDA-day clock stops; a written response is due within ${RESPONSE_DAYS} days. Not for real-time supplements.`,
  ),
  MDL_TIMEOUT: withDescription(
    'MDL_TIMEOUT',
    `No written response within ${RESPONSE_DAYS} days of the Major Deficiency Letter: considered withdrawn voluntarily (21 CFR 814.37(c)(3)).`,
  ),
  ISSUE_APPROVABLE: withDescription(
    'ISSUE_APPROVABLE',
    `Approvable letter (21 CFR 814.44(e)): approvable once the applicant meets its conditions; a written response is due within ${RESPONSE_DAYS} days (814.44(g)).`,
  ),
  APPROVABLE_TIMEOUT: {
    roles: ['system'],
    description: `No written response within ${RESPONSE_DAYS} days of the approvable letter: considered withdrawn voluntarily (21 CFR 814.44(g)).`,
    schema: payload(),
  },
  ISSUE_NOT_APPROVABLE: withDescription(
    'ISSUE_NOT_APPROVABLE',
    `Not approvable letter (21 CFR 814.44(f)): a written response is due within ${RESPONSE_DAYS} days (814.44(g)).`,
  ),
  NOT_APPROVABLE_TIMEOUT: withDescription(
    'NOT_APPROVABLE_TIMEOUT',
    `No written response within ${RESPONSE_DAYS} days of the not approvable letter: considered withdrawn voluntarily (21 CFR 814.44(g)).`,
  ),
  REQUEST_RESPONSE_EXTENSION: {
    roles: ['manufacturer'],
    description: `The applicant asks for more time to answer the letter: up to ${MAX_RESPONSE_DAYS - RESPONSE_DAYS} more days, ${MAX_RESPONSE_DAYS} from the letter in all (PMA review-clock guidance §III.F).`,
    schema: payload({ reason: text, requestedDueDate: isoDate }),
  },
  GRANT_RESPONSE_EXTENSION: {
    roles: ['fda'],
    description: `FDA extends the response window to dueDate (after day ${RESPONSE_DAYS}, at most day ${MAX_RESPONSE_DAYS} after the letter; day ${MAX_RESPONSE_DAYS} when absent).`,
    schema: payload({ dueDate: isoDate, reason: text }),
  },
  DENY_RESPONSE_EXTENSION: {
    roles: ['fda'],
    description: `FDA refuses the extension: the ${RESPONSE_DAYS}-day window from the letter stands.`,
    schema: payload({ reason: text }),
  },
  CONSIDER_WITHDRAWN: {
    roles: ['fda'],
    description:
      'FDA considers the PMA withdrawn after a response window whose end the regulation does not settle by itself: a refusal to accept, a pending extension request or an extended window (its passing is recorded first).',
    schema: payload({ reason: text }),
  },
};

const SIGNED = [
  'SUBMIT',
  'REFUSE_TO_FILE',
  'ISSUE_APPROVAL_ORDER',
  'ISSUE_APPROVABLE',
  'ISSUE_NOT_APPROVABLE',
  'ISSUE_DENIAL',
  'FDA_OBJECTS',
  'WITHDRAW_APPROVAL',
  // Version 4: the applicant's resubmission, and FDA's decisions that close or keep a file closed.
  'FILING_AMENDMENT',
  'UPHOLD_REFUSAL_TO_FILE',
  'CLOSE_NOT_FILED',
  'CONSIDER_WITHDRAWN',
];

// ---------------------------------------------------------------------------------------------
// Goals: v3's, each with its source, plus the refiling review and the Total Time to Decision
// ---------------------------------------------------------------------------------------------

const GOAL_SOURCES: Record<string, RuleSource> = {
  acceptanceReview: SOURCES.acceptance,
  filingReview: SOURCES.filingWindow,
  substantiveInteraction: SOURCES.mdufa,
  decision: SOURCES.mdufa,
  decisionWithPanel: SOURCES.mdufa,
  missedDecisionCommunication: SOURCES.mdufa,
  missedDecisionCommunicationWithPanel: SOURCES.mdufa,
};

const ORIGINAL_LIKE = [ORIGINAL, 'panel-track'] as const;
const MDUFA_LETTERS = ['ISSUE_APPROVABLE', 'ISSUE_NOT_APPROVABLE'];

const goals: GoalSpec[] = [
  ...fdaPmaV3.goals.map((g) => ({ ...g, source: GOAL_SOURCES[g.kind]! })),
  ...ORIGINAL_LIKE.flatMap((supplementType): GoalSpec[] => [
    {
      kind: 'refilingReview',
      length: FILING_REVIEW_DAYS,
      unit: 'calendar',
      description: `Filing decision on a PMA amended after a refusal to file, within ${FILING_REVIEW_DAYS} days of the amendment (21 CFR 814.42(a), (d)(1)).`,
      when: { supplementType },
      from: ['FILING_AMENDMENT'],
      requires: ['FILING_AMENDMENT'],
      metBy: ['FILE', 'REFUSE_TO_FILE', 'FILE_AFTER_CONFERENCE'],
      source: SOURCES.refuseToFile,
    },
    {
      kind: 'totalTimeToDecision',
      length: TTD_DAYS_FY2025_2027,
      unit: 'calendar',
      description: `MDUFA V shared outcome: Total Time to Decision within ${TTD_DAYS_FY2025_2027} calendar days of receipt (FY2025–2027 receipts; ${TTD_DAYS_FY2023_2024} for FY2023–2024), FDA and applicant time together; an average over the receipt cohort, shown per PMA.`,
      when: { supplementType },
      metBy: MDUFA_LETTERS,
      source: SOURCES.mdufa,
    },
  ]),
];

// ---------------------------------------------------------------------------------------------
// Machine
// ---------------------------------------------------------------------------------------------

const withdrawable = { WITHDRAW: { target: '#fda-pma.closed.withdrawn' } } as const;

/** A response window counted from the letter (`letterIssuedOn`). */
function letterDeadline(kind: string, event: string, consequence: 'automatic' | 'decision', source: RuleSource, description: string): DeadlineSpec {
  return { kind, length: RESPONSE_DAYS, unit: 'calendar', event, anchor: 'letterIssuedOn', consequence, source, description };
}

interface ResponseHold {
  readonly kind: string;
  readonly description: string;
  /** The event that ends the 180-day window and where it leads. */
  readonly timeout: { readonly event: string; readonly consequence: 'automatic' | 'decision'; readonly source: RuleSource; readonly unconfirmed?: true };
  /** FDA's event that closes the file once a window left to its decision passed, and the outcome. */
  readonly close: { readonly event: 'CONSIDER_WITHDRAWN' | 'CLOSE_NOT_FILED'; readonly target: string };
  readonly on: Record<string, unknown>;
  readonly windowOn?: Record<string, unknown>;
  readonly extraStates?: Record<string, unknown>;
}

/**
 * A hold on a letter the applicant must answer (domain.md §7.2): the 180-day window, then the
 * applicant's request for more time, FDA's grant (extended window) or refusal (back to the window,
 * still counted from the letter). Only the 180-day window of a regulation that states its
 * consequence closes the file by itself; the other passings are recorded and FDA decides.
 */
function responseHold(h: ResponseHold) {
  const { event, consequence, source } = h.timeout;
  const decided = (what: string) => `${what}: the passing is recorded and FDA decides (${h.close.event}).`;
  const automatic = consequence === 'automatic';
  const closes = `Written response due ${RESPONSE_DAYS} days after the letter, otherwise the PMA is considered withdrawn voluntarily.`;
  // An automatic window counts from the letter, the state's entry: the sweeper fires it once its
  // last day is over. Re-entered after a refused extension it would count again, so a refusal
  // leads to `extensionDenied`, anchored on the letter date instead.
  const window = letterDeadline(h.kind, event, consequence, source, automatic ? closes : decided(`Response due ${RESPONSE_DAYS} days after the letter`));
  const { anchor: _fromLetter, ...fromEntry } = window;
  // Built from data, so xstate cannot check its event names; the table test in
  // tests/unit/fda-pma-v4.machine.test.ts does, state by state.
  return {
    tags: ['hold'],
    initial: 'responseWindow',
    meta: meta({ description: h.description }),
    on: { ...h.on, ...withdrawable },
    states: {
      responseWindow: {
        meta: meta({
          description: `${h.description} Response window: ${RESPONSE_DAYS} days from the letter.`,
          deadline: { ...(automatic ? fromEntry : window), ...(h.timeout.unconfirmed ? { unconfirmed: true } : {}) },
        }),
        on: {
          [event]: automatic ? h.close.target : { guard: 'responseWindowOver', target: h.close.target },
          REQUEST_RESPONSE_EXTENSION: { target: 'extensionRequested', actions: 'recordExtensionRequest' },
          ...h.windowOn,
        },
      },
      extensionRequested: {
        meta: meta({
          description: `${h.description} The applicant asked for more time; FDA grants or refuses it.`,
          deadline: letterDeadline(
            h.kind,
            h.close.event,
            'decision',
            SOURCES.reviewClock,
            decided(`The ${RESPONSE_DAYS}-day window passed while an extension request waits`),
          ),
        }),
        on: {
          GRANT_RESPONSE_EXTENSION: { guard: 'extensionFits', target: 'extendedWindow', actions: 'recordExtension' },
          DENY_RESPONSE_EXTENSION: automatic ? 'extensionDenied' : 'responseWindow',
          [h.close.event]: { guard: 'responseWindowOver', target: h.close.target },
        },
      },
      extendedWindow: {
        meta: meta({
          description: `${h.description} Extended response window (at most ${MAX_RESPONSE_DAYS} days from the letter).`,
          deadline: {
            kind: h.kind,
            length: 0,
            unit: 'calendar',
            event: h.close.event,
            anchor: 'responseDueOn',
            consequence: 'decision',
            source: SOURCES.reviewClock,
            unconfirmed: true,
            description: decided('The extended response window ends'),
          } satisfies DeadlineSpec,
        }),
        on: { [h.close.event]: { guard: 'extendedWindowOver', target: h.close.target } },
      },
      ...(automatic
        ? {
            extensionDenied: {
              meta: meta({
                description: `${h.description} FDA refused the extension: the ${RESPONSE_DAYS}-day window from the letter stands.`,
                deadline: window,
              }),
              on: { [event]: h.close.target },
            },
          }
        : {}),
      ...h.extraStates,
    },
  } as never;
}

const effectiveOn = (event: { effectiveDate?: string }) => event.effectiveDate ?? null;

export const machineV4 = setup({
  types: {
    context: {} as FdaPmaV4Context,
    events: {} as FdaPmaV4Event,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    input: {} as FdaPmaInput,
  },
  guards: {
    isOriginalOrPanelTrack: ({ context }) => context.supplementType === null || context.supplementType === 'panel-track',
    isReviewedSupplement: ({ context }) => context.supplementType === '180-day' || context.supplementType === 'real-time',
    isThirtyDayNotice: ({ context }) => context.supplementType === '30-day-notice',
    mdlAllowed: ({ context }) => context.supplementType !== 'real-time',
    approvalNumberFits: ({ context, event }) => approvalNumberProblem(context, dataOf(event, 'ISSUE_APPROVAL_ORDER').pmaNumber) === null,
    extensionFits: ({ context, event }) => extensionProblem(context, dataOf(event, 'GRANT_RESPONSE_EXTENSION').dueDate) === null,
    // FDA closes a file only once its window is over (an unknown letter date, from v1–v3, leaves it to FDA).
    responseWindowOver: ({ context, event }) =>
      context.letterIssuedOn === null || (event.effectiveDate !== undefined && event.effectiveDate > addDays(context.letterIssuedOn, RESPONSE_DAYS)),
    extendedWindowOver: ({ context, event }) =>
      context.responseDueOn === null || (event.effectiveDate !== undefined && event.effectiveDate > context.responseDueOn),
  },
  actions: {
    recordReceipt: assign({ receivedOn: ({ context, event }) => effectiveOn(event) ?? context.receivedOn }),
    // 814.42(b): the filing date is the receipt date of the PMA accepted for filing.
    recordFiling: assign({ filedOn: ({ event }) => effectiveOn(event), filingDate: ({ context }) => context.receivedOn }),
    // 814.42(d)(2): filed after the informal conference, on the date of that decision.
    recordConferenceFiling: assign({ filedOn: ({ event }) => effectiveOn(event), filingDate: ({ event }) => effectiveOn(event) }),
    recordLetter: assign({ letterIssuedOn: ({ event }) => effectiveOn(event), extensionRequestedOn: null, responseDueOn: null }),
    recordDecisionLetter: assign({ decisionDate: ({ event }) => effectiveOn(event) }),
    recordSubstantiveInteraction: assign({
      substantiveInteractionOn: ({ context, event }) => context.substantiveInteractionOn ?? effectiveOn(event),
    }),
    // An MDL is itself a Substantive Interaction when none came before it.
    recordMdl: assign({
      mdlIssuedOn: ({ event }) => effectiveOn(event),
      substantiveInteractionOn: ({ context, event }) => context.substantiveInteractionOn ?? effectiveOn(event),
    }),
    recordExtensionRequest: assign({ extensionRequestedOn: ({ event }) => effectiveOn(event) }),
    recordExtension: assign({
      responseDueOn: ({ context, event }) => dataOf(event, 'GRANT_RESPONSE_EXTENSION').dueDate ?? addDays(context.letterIssuedOn!, MAX_RESPONSE_DAYS),
    }),
    recordUnsolicitedAmendment: assign({
      unsolicitedMajorAmendments: ({ context, event }) => [
        ...context.unsolicitedMajorAmendments,
        {
          on: effectiveOn(event),
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
    recordDenial: assign({ decisionDate: ({ event }) => dataOf(event, 'ISSUE_DENIAL').decisionDate ?? effectiveOn(event) }),
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
    receivedOn: null,
    filingDate: null,
    letterIssuedOn: null,
    extensionRequestedOn: null,
    responseDueOn: null,
  }),
  states: {
    draft: {
      meta: meta({ description: 'Being prepared by the applicant; FDA has not received it.' }),
      on: { SUBMIT: { target: 'received', actions: 'recordReceipt' }, ...withdrawable },
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
      on: { FEE_PAID: { target: 'received', actions: 'recordReceipt' }, ...withdrawable },
    },
    acceptanceReview: {
      meta: meta({
        description: 'Acceptance review (15 days) of an original PMA or panel-track supplement.',
        deadline: {
          kind: 'acceptanceReview',
          length: ACCEPTANCE_REVIEW_DAYS,
          unit: 'calendar',
          event: 'ACCEPTANCE_REVIEW_TIMEOUT',
          consequence: 'automatic',
          source: SOURCES.acceptance,
          description: `Acceptance review not completed within ${ACCEPTANCE_REVIEW_DAYS} days: the PMA is considered accepted (filing review).`,
        },
      }),
      on: {
        ACCEPT: 'filingReview',
        ACCEPTANCE_REVIEW_TIMEOUT: 'filingReview',
        REFUSE_TO_ACCEPT: { target: 'rtaHold', actions: 'recordLetter' },
        ...withdrawable,
      },
    },
    rtaHold: {
      tags: ['hold'],
      meta: meta({
        description: 'Refused to accept: the applicant must supply the missing elements (an amendment under the same PMA number).',
        deadline: {
          kind: 'rtaResponse',
          length: RTA_RESPONSE_DAYS,
          unit: 'calendar',
          event: 'CONSIDER_WITHDRAWN',
          consequence: 'decision',
          unconfirmed: true,
          source: SOURCES.acceptance,
          description: 'RTA response due (length assumed): the passing is recorded and FDA decides (CONSIDER_WITHDRAWN).',
        },
      }),
      on: {
        RTA_RESPONSE: { target: 'acceptanceReview', actions: 'recordReceipt' },
        CONSIDER_WITHDRAWN: { guard: 'responseWindowOver', target: 'closed.withdrawn' },
        ...withdrawable,
      },
    },
    filingReview: {
      meta: meta({ description: 'Filing review (21 CFR 814.42; 45 days): filed or not filed.' }),
      on: {
        FILE: { target: 'review.substantive', actions: 'recordFiling' },
        REFUSE_TO_FILE: { target: 'refusedToFile', actions: 'recordLetter' },
        ...withdrawable,
      },
    },
    refusedToFile: responseHold({
      kind: 'notFiledResponse',
      description: 'Not filed (21 CFR 814.42(c)): the applicant may amend under the same PMA number or ask for an informal conference.',
      timeout: { event: 'CLOSE_NOT_FILED', consequence: 'decision', source: SOURCES.reviewClock, unconfirmed: true },
      close: { event: 'CLOSE_NOT_FILED', target: '#fda-pma.closed.notFiled' },
      on: { FILING_AMENDMENT: { target: 'filingReview', actions: 'recordReceipt' } },
      windowOn: { REQUEST_INFORMAL_CONFERENCE: 'informalConference' },
      extraStates: {
        informalConference: {
          meta: meta({
            description:
              'Informal conference on the refusal to file (21 CFR 814.42(d)(2)): FDA holds it within 10 working days and decides on filing within 5 working days after it.',
          }),
          on: {
            FILE_AFTER_CONFERENCE: { target: '#fda-pma.review.substantive', actions: 'recordConferenceFiling' },
            UPHOLD_REFUSAL_TO_FILE: 'responseWindow',
          },
        },
      },
    }),
    review: {
      tags: ['fda-clock'],
      initial: 'substantive',
      meta: meta({ description: 'Under substantive review.' }),
      on: {
        ISSUE_MDL: { guard: 'mdlAllowed', target: 'mdlHold', actions: ['recordMdl', 'recordLetter'] },
        // 21 CFR 814.37(c): a major amendment extends the review period; the state is unchanged.
        UNSOLICITED_MAJOR_AMENDMENT: { actions: 'recordUnsolicitedAmendment' },
        REFER_TO_PANEL: { target: 'advisoryPanel', actions: 'recordPanelReferral' },
        ISSUE_APPROVAL_ORDER: { guard: 'approvalNumberFits', target: 'approved', actions: 'recordApproval' },
        ISSUE_APPROVABLE: { target: 'approvable', actions: ['recordDecisionLetter', 'recordLetter'] },
        ISSUE_NOT_APPROVABLE: { target: 'notApprovable', actions: ['recordDecisionLetter', 'recordLetter'] },
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
    mdlHold: responseHold({
      kind: 'mdlResponse',
      description: 'On hold for a Major Deficiency Letter (a request to amend): the FDA-day clock is stopped.',
      timeout: { event: 'MDL_TIMEOUT', consequence: 'automatic', source: SOURCES.amendmentRequest },
      close: { event: 'CONSIDER_WITHDRAWN', target: '#fda-pma.closed.withdrawn' },
      on: { MAJOR_AMENDMENT: '#fda-pma.review.substantive' },
    }),
    advisoryPanel: {
      tags: ['fda-clock'],
      meta: meta({ description: 'Referred to an advisory panel: public meeting, then report and recommendation (21 CFR 814.44(a)–(b)).' }),
      on: { PANEL_RECOMMENDATION: { target: 'review.postPanel', actions: 'recordPanelRecommendation' }, ...withdrawable },
    },
    approvable: responseHold({
      kind: 'approvableResponse',
      description: 'Approvable letter issued: waiting for the applicant to meet its conditions.',
      timeout: { event: 'APPROVABLE_TIMEOUT', consequence: 'automatic', source: SOURCES.letters },
      close: { event: 'CONSIDER_WITHDRAWN', target: '#fda-pma.closed.withdrawn' },
      on: { APPROVABLE_RESPONSE: '#fda-pma.review.final' },
    }),
    notApprovable: responseHold({
      kind: 'notApprovableResponse',
      description: 'Not approvable letter issued: waiting for an amendment.',
      timeout: { event: 'NOT_APPROVABLE_TIMEOUT', consequence: 'automatic', source: SOURCES.letters },
      close: { event: 'CONSIDER_WITHDRAWN', target: '#fda-pma.closed.withdrawn' },
      on: { AMENDMENT: '#fda-pma.review.substantive', ISSUE_DENIAL: { target: '#fda-pma.closed.denied', actions: 'recordDenial' } },
    }),
    noticePeriod: {
      tags: ['fda-clock'],
      meta: meta({
        description: "30-day notice under FDA review; the period counts from FDA receipt (FEE_VERIFIED's effective date).",
        deadline: {
          kind: 'noticePeriod',
          length: THIRTY_DAY_NOTICE_DAYS,
          unit: 'calendar',
          event: 'NOTICE_PERIOD_TIMEOUT',
          consequence: 'automatic',
          source: SOURCES.thirtyDayNotice,
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
      notFiled: 'Not filed: FDA closed the file after its refusal to file was not answered in time.',
      denied: 'Approval denied (21 CFR 814.45).',
      withdrawn: 'Withdrawn by the applicant, or considered withdrawn for lack of a timely response.',
      noticeInadequate: '30-day notice found inadequate: a 135-day PMA supplement is required.',
      approvalWithdrawn: 'Approval withdrawn by FDA (21 CFR 814.46).',
    }),
  },
});

// ---------------------------------------------------------------------------------------------
// Definition
// ---------------------------------------------------------------------------------------------

const EXTENSION_NOTE =
  'Review-clock guidance §III.F (domain.md §7.2): up to 180 more days, 360 from the letter in all, for MDL, approvable, not approvable and not-filing letters. UNCONFIRMED: whether FDA grants it on request or at its discretion (the text was not retrieved); modelled as the applicant’s request and FDA’s grant.';

export const fdaPmaV4: WorkflowDefinition = {
  ...fdaPmaV3,
  version: 4,
  events: signedEvents(events, SIGNED),
  goals,
  machine: machineV4,
  clock: {
    kind: 'fda',
    start: ['SUBMIT'],
    // FDA counts from the receipt of the version that made the PMA complete (814.42(b)): the fee,
    // the RTA answer, the amendment after a refusal to file, or the filing after the conference.
    restart: ['FEE_PAID', 'RTA_RESPONSE', 'FILING_AMENDMENT', 'FILE_AFTER_CONFERENCE'],
    stop: [
      'ISSUE_APPROVAL_ORDER',
      'ISSUE_DENIAL',
      'WITHDRAW',
      'CONSIDER_WITHDRAWN',
      'CLOSE_NOT_FILED',
      'MDL_TIMEOUT',
      'APPROVABLE_TIMEOUT',
      'NOT_APPROVABLE_TIMEOUT',
      'FDA_OBJECTS',
      'NOTICE_PERIOD_TIMEOUT',
    ],
    absentInput: { supplementType: ORIGINAL },
  },
  decisionOf(state, context) {
    const c = context as FdaPmaV4Context;
    // A hold on a letter keeps the letter's decision (approvable.responseWindow shows `approvable`).
    const decision = APPROVAL_DECISIONS[state] ?? APPROVAL_DECISIONS[state.split('.')[0]!] ?? null;
    return { number: c.approvalNumber, decision, decisionDate: decision ? c.decisionDate : null, favourable: state === 'approved' };
  },
  explainRefusal(context, event) {
    const c = context as FdaPmaV4Context;
    if (event.type === 'ISSUE_MDL' && c.supplementType === 'real-time') return [reason('refusal.real_time_mdl')];
    const problem = event.type === 'ISSUE_APPROVAL_ORDER' ? approvalNumberProblem(c, event.data?.pmaNumber) : null;
    if (problem) return [problem];
    return undefined;
  },
  upgradeContext,
  parameters: {
    mdlResponseDays: {
      value: RESPONSE_DAYS,
      unit: 'calendar days from the letter',
      note: 'Major deficiency letter (a request to amend): no written response within 180 days → considered withdrawn voluntarily (domain.md §7.2).',
      source: SOURCES.amendmentRequest,
    },
    letterResponseDays: {
      value: RESPONSE_DAYS,
      unit: 'calendar days from the letter',
      note: 'Approvable and not approvable letters: no written response within 180 days → considered withdrawn voluntarily (domain.md §7.2).',
      source: SOURCES.letters,
    },
    maxResponseDays: { value: MAX_RESPONSE_DAYS, unit: 'calendar days from the letter', note: EXTENSION_NOTE, unconfirmed: true, source: SOURCES.reviewClock },
    notFiledResponseDays: {
      value: RESPONSE_DAYS,
      unit: 'calendar days from the not-filing letter',
      note: 'The review-clock guidance treats not-filing letters like the others (domain.md §7.2); 814.42 states no window and no consequence, so its passing is left to FDA. UNCONFIRMED: the window for not-filing letters was not read in the guidance text.',
      unconfirmed: true,
      source: SOURCES.reviewClock,
    },
    rtaResponseDays: {
      value: RTA_RESPONSE_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §5.3 row 4 ("180 days (assumed)"). UNCONFIRMED: no primary text found for a PMA refused to accept; its passing is left to FDA.',
      unconfirmed: true,
      source: SOURCES.acceptance,
    },
    acceptanceReviewDays: {
      value: ACCEPTANCE_REVIEW_DAYS,
      unit: 'calendar days',
      note: 'Acceptance review not completed within 15 days: considered accepted (domain.md §7.2).',
      source: SOURCES.acceptance,
    },
    filingReviewDays: {
      value: FILING_REVIEW_DAYS,
      unit: 'calendar days',
      note: 'Filing decision within 45 days of receipt, again after an amendment.',
      source: SOURCES.filingWindow,
    },
    informalConferenceWorkingDays: {
      value: INFORMAL_CONFERENCE_WORKING_DAYS,
      unit: 'US federal working days from the not-filing notice',
      note: 'Shown, not enforced: the engine counts no US working days, so FDA judges whether a request came in time (it may uphold its refusal).',
      source: SOURCES.refuseToFile,
    },
    thirtyDayNoticeDays: {
      value: THIRTY_DAY_NOTICE_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §1.3; 21 CFR 814.39(f)',
      source: SOURCES.thirtyDayNotice,
    },
    postSiAmendmentExtensionShare: {
      value: POST_SI_AMENDMENT_EXTENSION_SHARE,
      unit: 'share of FDA days since filing',
      note: 'reference/domain.md §1.3 (unsolicited major amendment after the SI)',
      source: SOURCES.reviewClock,
    },
    missedDecisionGraceDays: {
      value: MISSED_DECISION_GRACE_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §1.3 (missed MDUFA decision)',
      source: SOURCES.mdufa,
    },
    ttdDaysFy2023to2024: {
      value: TTD_DAYS_FY2023_2024,
      unit: 'calendar days (average, receipt cohort)',
      note: 'MDUFA V Total Time to Decision for PMAs received in FY2023–2024. Not applied: a goal cannot select by receipt fiscal year.',
      source: SOURCES.mdufa,
    },
    ttdDaysFy2025to2027: {
      value: TTD_DAYS_FY2025_2027,
      unit: 'calendar days (average, receipt cohort)',
      note: 'MDUFA V Total Time to Decision for PMAs received in FY2025–2027: the one the totalTimeToDecision goal applies.',
      source: SOURCES.mdufa,
    },
  },
};
