/**
 * Q-Submission (Pre-Submission): acceptance review, then FDA's written feedback and, when the
 * sponsor asked for one, a meeting whose final minutes are FDA's formal feedback. Transition table:
 * reference/domain.md §5.5; timings and sources: §1.5.
 *
 * Input `meetingRequested` says whether the sponsor asked for a meeting (or written feedback only).
 * After the written feedback, `feedbackIssued` has one sub-state per situation, so the state path
 * alone says what can happen next:
 *  - `noMeetingRequested`: written feedback only. Table row 11 closes it with `CLOSE` by SYSTEM.
 *    A system event is only ever sent by the sweeper when a state's hard deadline passes, and no
 *    source gives a period after which a feedback-only Q-Sub closes, so a timer would need an
 *    invented length. Instead `CLOSE` is recorded by the sponsor (it has what it asked for) or by
 *    FDA (closing the Q-Sub in its own tracking). The record stays open until one of them says the
 *    exchange is over, rather than being closed behind their backs by the feedback letter itself.
 *  - `meetingUnscheduled`: feedback sent before a meeting date was set (2025: some CDRH offices
 *    schedule only after the written feedback, §1.5).
 *  - `meetingScheduled`: the meeting can be held (row 8's guard "meeting scheduled").
 */
import { assign, setup } from 'xstate';
import { FDA, clockedGoals, closedState, dataOf, isoDate, meta, numberOf, signedEvents, text, textList } from './common.js';
import type { FdaPresubEvent } from './event-data.js';
import type { EventSpec, GoalSpec, WorkflowDefinition } from './types.js';
import { payload, reason } from './types.js';

/** Acceptance review within 15 calendar days; restarts after an RTA response (domain.md §1.5). */
export const ACCEPTANCE_REVIEW_DAYS = 15;
/** Written feedback usually by day 70 after receipt (domain.md §1.5, thefdalawblog 2025). */
export const WRITTEN_FEEDBACK_DAY = 70;
/** ... or 5 days before a scheduled meeting, whichever is sooner (domain.md §1.5). */
export const FEEDBACK_BEFORE_MEETING_DAYS = 5;
/** Meetings are usually held 70–75 days after receipt (domain.md §1.5). */
export const MEETING_TARGET_DAY = 75;
/**
 * Days after the meeting for the sponsor's draft minutes. UNCONFIRMED (domain.md §1.5 "Minutes
 * timing", §6 item 3: "often quoted as 15 days").
 */
export const MINUTES_DRAFT_DAYS = 15;
/** Days for FDA to edit and finalize the minutes. UNCONFIRMED (domain.md §1.5, §6 item 3). */
export const MINUTES_REVIEW_DAYS = 15;

export interface FdaPresubContext {
  meetingRequested: boolean;
  /** Q-number given on acceptance (`Q` + 6 digits). */
  qNumber: string | null;
  /** Receipt date of the latest complete submission: day 0 of the feedback clock. */
  receivedOn: string | null;
  meetingDate: string | null;
}

/** Adds calendar days to a `YYYY-MM-DD` date. */
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * The written-feedback target date: day 70 after receipt, or 5 days before the scheduled meeting,
 * whichever is sooner (domain.md §5.5 row 6); null before receipt. Pure, for the engine and UI.
 */
export function writtenFeedbackTarget(context: FdaPresubContext): string | null {
  if (!context.receivedOn) return null;
  const byDay = addDays(context.receivedOn, WRITTEN_FEEDBACK_DAY);
  if (!context.meetingDate) return byDay;
  const beforeMeeting = addDays(context.meetingDate, -FEEDBACK_BEFORE_MEETING_DAYS);
  return beforeMeeting < byDay ? beforeMeeting : byDay;
}

const meetingFormat = { type: 'string', enum: ['in-person', 'video', 'teleconference'] };

const events: Record<string, EventSpec> = {
  SUBMIT: { roles: ['manufacturer'], description: 'Send the Pre-Sub to FDA: acceptance review starts (15 calendar days).', schema: payload({ summary: text }) },
  ACCEPT: {
    roles: ['fda'],
    description: 'Pre-Sub accepted (acceptance checklist passed); the Q-number is confirmed.',
    schema: payload({ qNumber: numberOf('qNumber') }, ['qNumber']),
  },
  REFUSE_TO_ACCEPT: { roles: ['fda'], description: 'Incomplete: on hold until the sponsor responds.', schema: payload({ reasons: textList }) },
  RESPONSE: {
    roles: ['manufacturer'],
    description: 'The sponsor completes the Pre-Sub: the 15-day acceptance review restarts.',
    schema: payload({ summary: text }),
  },
  SCHEDULE_MEETING: {
    roles: ['fda'],
    description: 'FDA sets (or moves) the meeting date; only when the sponsor requested a meeting.',
    schema: payload({ meetingDate: isoDate, format: meetingFormat }, ['meetingDate']),
  },
  SEND_WRITTEN_FEEDBACK: {
    roles: ['fda'],
    description: `Written feedback: by day ${WRITTEN_FEEDBACK_DAY}, or ${FEEDBACK_BEFORE_MEETING_DAYS} days before the meeting, whichever is sooner.`,
    schema: payload({ summary: text }),
  },
  CANCEL_MEETING: {
    roles: ['manufacturer'],
    description: 'The sponsor is satisfied with the written feedback and cancels the meeting.',
    schema: payload({ reason: text }),
  },
  CLOSE: {
    roles: ['manufacturer', 'fda'],
    description: 'Written feedback only (no meeting requested): the sponsor or FDA closes the Q-Sub.',
    schema: payload({ reason: text }),
  },
  HOLD_MEETING: {
    roles: ['fda', 'manufacturer'],
    description: 'The meeting took place (recorded by FDA or the sponsor); the sponsor drafts the minutes.',
    schema: payload({ summary: text, format: meetingFormat }),
  },
  SUBMIT_MINUTES: {
    roles: ['manufacturer'],
    description: `The sponsor sends its draft minutes (within ${MINUTES_DRAFT_DAYS} days, UNCONFIRMED).`,
    schema: payload({ summary: text }),
  },
  FINALIZE_MINUTES: {
    roles: ['fda'],
    description: 'FDA edits and finalizes the minutes: they are the formal written feedback.',
    schema: payload({ summary: text }),
  },
  WITHDRAW: { roles: ['manufacturer'], description: 'The sponsor withdraws the Q-Sub.', schema: payload({ reason: text }) },
};

const goals: GoalSpec[] = [
  {
    kind: 'acceptance',
    length: ACCEPTANCE_REVIEW_DAYS,
    unit: 'calendar',
    description: `Acceptance review within ${ACCEPTANCE_REVIEW_DAYS} calendar days of receipt (restarts after an RTA response).`,
  },
  {
    kind: 'writtenFeedback',
    length: WRITTEN_FEEDBACK_DAY,
    unit: 'fda-days',
    description: `Written feedback by day ${WRITTEN_FEEDBACK_DAY}, or ${FEEDBACK_BEFORE_MEETING_DAYS} days before a scheduled meeting, whichever is sooner (see writtenFeedbackTarget).`,
  },
  {
    kind: 'meeting',
    length: MEETING_TARGET_DAY,
    unit: 'fda-days',
    description: `Meeting, when requested, usually held 70–${MEETING_TARGET_DAY} days after receipt.`,
  },
  {
    kind: 'draftMinutes',
    length: MINUTES_DRAFT_DAYS,
    unit: 'calendar',
    description: `Sponsor's draft minutes within ${MINUTES_DRAFT_DAYS} days of the meeting (UNCONFIRMED).`,
  },
  {
    kind: 'finalMinutes',
    length: MINUTES_REVIEW_DAYS,
    unit: 'calendar',
    description: `FDA edits and finalizes the minutes within ${MINUTES_REVIEW_DAYS} days (UNCONFIRMED).`,
  },
];

const withdrawable = { WITHDRAW: { target: '#fda-presub.closed.withdrawn' } } as const;
const NO_MEETING = [reason('refusal.no_meeting_requested')];

export const machine = setup({
  types: {
    context: {} as FdaPresubContext,
    events: {} as FdaPresubEvent,
    input: {} as { meetingRequested: boolean },
  },
  guards: {
    meetingRequested: ({ context }) => context.meetingRequested,
  },
  actions: {
    recordReceipt: assign({ receivedOn: ({ event }) => event.effectiveDate ?? null }),
    recordQNumber: assign({ qNumber: ({ event }) => dataOf(event, 'ACCEPT').qNumber }),
    recordMeeting: assign({ meetingDate: ({ event }) => dataOf(event, 'SCHEDULE_MEETING').meetingDate }),
  },
}).createMachine({
  id: 'fda-presub',
  initial: 'draft',
  context: ({ input }) => ({ meetingRequested: input.meetingRequested, qNumber: null, receivedOn: null, meetingDate: null }),
  states: {
    draft: {
      meta: meta({ description: 'Being prepared by the sponsor.' }),
      on: { SUBMIT: { target: 'acceptanceReview', actions: 'recordReceipt' }, ...withdrawable },
    },
    acceptanceReview: {
      tags: ['fda-clock'],
      meta: meta({ description: 'Acceptance review against the Pre-Sub checklist (15 calendar days).' }),
      on: { ACCEPT: { target: 'accepted', actions: 'recordQNumber' }, REFUSE_TO_ACCEPT: 'hold', ...withdrawable },
    },
    hold: {
      tags: ['hold'],
      meta: meta({ description: 'Refused to accept: on hold until the sponsor completes the Pre-Sub.' }),
      on: { RESPONSE: { target: 'acceptanceReview', actions: 'recordReceipt' }, ...withdrawable },
    },
    accepted: {
      tags: ['fda-clock'],
      meta: meta({ description: 'Accepted: FDA prepares its written feedback (and schedules the meeting, if requested).' }),
      on: {
        SCHEDULE_MEETING: { guard: 'meetingRequested', target: 'meetingScheduled', actions: 'recordMeeting' },
        SEND_WRITTEN_FEEDBACK: [{ guard: 'meetingRequested', target: 'feedbackIssued.meetingUnscheduled' }, { target: 'feedbackIssued.noMeetingRequested' }],
        ...withdrawable,
      },
    },
    meetingScheduled: {
      tags: ['fda-clock'],
      meta: meta({ description: 'Meeting scheduled: FDA sends written feedback at the latest 5 days before it.' }),
      on: {
        SEND_WRITTEN_FEEDBACK: 'feedbackIssued.meetingScheduled',
        SCHEDULE_MEETING: { target: 'meetingScheduled', actions: 'recordMeeting' },
        ...withdrawable,
      },
    },
    feedbackIssued: {
      initial: 'noMeetingRequested',
      meta: meta({ description: 'FDA has sent its written feedback.' }),
      on: { ...withdrawable },
      states: {
        noMeetingRequested: {
          meta: meta({ description: 'Written feedback only: the sponsor or FDA closes the Q-Sub.' }),
          on: { CLOSE: '#fda-presub.closed.feedbackOnly' },
        },
        meetingUnscheduled: {
          meta: meta({ description: 'Feedback sent; the requested meeting has no date yet (the sponsor may cancel it).' }),
          on: {
            SCHEDULE_MEETING: { target: 'meetingScheduled', actions: 'recordMeeting' },
            CANCEL_MEETING: '#fda-presub.closed.feedbackOnly',
          },
        },
        meetingScheduled: {
          meta: meta({ description: 'Feedback sent and meeting scheduled (the sponsor may cancel it).' }),
          on: {
            HOLD_MEETING: '#fda-presub.meetingHeld',
            SCHEDULE_MEETING: { target: 'meetingScheduled', actions: 'recordMeeting' },
            CANCEL_MEETING: '#fda-presub.closed.feedbackOnly',
          },
        },
      },
    },
    meetingHeld: {
      meta: meta({ description: `Meeting held: the sponsor drafts the minutes (${MINUTES_DRAFT_DAYS} days, UNCONFIRMED).` }),
      on: { SUBMIT_MINUTES: 'minutesUnderReview', ...withdrawable },
    },
    minutesUnderReview: {
      tags: ['fda-clock'],
      meta: meta({ description: 'FDA edits the draft minutes; the final minutes are its formal feedback.' }),
      on: { FINALIZE_MINUTES: 'closed.minutesFinal', ...withdrawable },
    },
    closed: closedState({
      feedbackOnly: 'Closed on the written feedback (no meeting, or the meeting was cancelled).',
      minutesFinal: "Meeting held; the final minutes are FDA's formal feedback.",
      withdrawn: 'Withdrawn by the sponsor.',
    }),
  },
});

export const fdaPresub: WorkflowDefinition = {
  id: 'fda-presub',
  version: 1,
  title: 'Q-Submission (Pre-Sub)',
  ...FDA,
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['meetingRequested'],
    properties: {
      meetingRequested: { type: 'boolean', description: 'True when the sponsor asks for a meeting; false for written feedback only.' },
    },
  },
  events,
  goals,
  machine,
  dossier: () => [],
  explainRefusal(context, event) {
    const c = context as FdaPresubContext;
    return event.type === 'SCHEDULE_MEETING' && !c.meetingRequested ? NO_MEETING : undefined;
  },
  parameters: {
    acceptanceReviewDays: { value: ACCEPTANCE_REVIEW_DAYS, unit: 'calendar days', note: 'reference/domain.md §1.5 (adbccro)' },
    writtenFeedbackDay: { value: WRITTEN_FEEDBACK_DAY, unit: 'days after receipt', note: 'reference/domain.md §1.5 (thefdalawblog 2025)' },
    feedbackBeforeMeetingDays: { value: FEEDBACK_BEFORE_MEETING_DAYS, unit: 'days before the meeting', note: 'reference/domain.md §1.5 (thefdalawblog 2025)' },
    meetingTargetDay: { value: MEETING_TARGET_DAY, unit: 'days after receipt', note: 'reference/domain.md §1.5: meetings usually 70–75 days after receipt' },
    minutesDraftDays: {
      value: MINUTES_DRAFT_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §1.5 and §6 item 3: sponsor drafts the minutes; "often quoted as 15 days"',
      unconfirmed: true,
    },
    minutesReviewDays: {
      value: MINUTES_REVIEW_DAYS,
      unit: 'calendar days',
      note: 'reference/domain.md §1.5 and §6 item 3: FDA edits the minutes; day count not found',
      unconfirmed: true,
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Version 2: the same machine, with its regulatory clock declared (receipt, restarts, the end
// of the review, and what meets each goal). Version 1 stays as released for its submissions.
// ---------------------------------------------------------------------------------------------

export const fdaPresubV2: WorkflowDefinition = {
  ...fdaPresub,
  version: 2,
  clock: {
    kind: 'fda',
    start: ['SUBMIT'],
    // The sponsor's response to a refusal to accept is a new receipt (recordReceipt).
    restart: ['RESPONSE'],
    stop: ['WITHDRAW', 'CLOSE', 'CANCEL_MEETING', 'FINALIZE_MINUTES'],
  },
  goals: clockedGoals(goals, {
    acceptance: { metBy: ['ACCEPT', 'REFUSE_TO_ACCEPT'] },
    writtenFeedback: { metBy: ['SEND_WRITTEN_FEEDBACK'] },
    meeting: { metBy: ['HOLD_MEETING'], requires: ['SCHEDULE_MEETING'], excludedBy: ['CANCEL_MEETING'] },
    draftMinutes: { from: ['HOLD_MEETING'], metBy: ['SUBMIT_MINUTES'] },
    finalMinutes: { from: ['SUBMIT_MINUTES'], metBy: ['FINALIZE_MINUTES'] },
  }),
};

// ---------------------------------------------------------------------------------------------
// Version 3: Part 11 electronic signatures (issue 6). The sponsor signs its Q-Submission; FDA's
// feedback and minutes are advice, not decisions, and are not signed. Otherwise version 2.
// ---------------------------------------------------------------------------------------------

export const fdaPresubV3: WorkflowDefinition = {
  ...fdaPresubV2,
  version: 3,
  events: signedEvents(fdaPresubV2.events, ['SUBMIT']),
};
