/**
 * Q-Submission, version 4 (issue 9; reference/domain.md §7.2), after FDA's final guidance
 * "Requests for Feedback and Meetings for Medical Device Submissions: the Q-Submission Program"
 * (May 2025):
 *  - Q-Sub types with their own clocks (input `qsubType`, absent = `presub`): Pre-Submission
 *    (written feedback by day 70, meeting 70–75), Submission Issue Request (21 or 70 days, see
 *    below), Study Risk Determination (90), Informational Meeting (90), PMA Day-100 meeting (held
 *    by day 100 of the PMA's review: counted on the PMA, not here). Goals per type by `when`.
 *  - The meeting date is agreed by day 30 of the Q-Sub (goal `meetingDate`).
 *  - Minutes: FDA edits the sponsor's draft within 30 days (`EDIT_MINUTES`, goal `finalMinutes`);
 *    the edited minutes become final 15 days later (`MINUTES_FINAL_TIMEOUT`, a deadline the
 *    final guidance states with its consequence, so `automatic`) unless the sponsor files a
 *    disagreement (`MINUTES_DISAGREEMENT`), which FDA resolves (`RESOLVE_MINUTES`). FDA may still
 *    accept the draft as is (`FINALIZE_MINUTES`).
 * Every state of version 3 keeps its name; the context gains `qsubType` (`upgradeContext`).
 */
import { meta, text, textList } from './common.js';
import {
  ACCEPTANCE_REVIEW_DAYS,
  FEEDBACK_BEFORE_MEETING_DAYS,
  MEETING_TARGET_DAY,
  MINUTES_DRAFT_DAYS,
  WRITTEN_FEEDBACK_DAY,
  fdaPresubV3,
  type FdaPresubContext,
} from './fda-presub.js';
import { SOURCES } from './fda-sources.js';
import { patchNode, reviseMachine } from './revise-machine.js';
import type { DeadlineSpec, GoalSpec, WorkflowDefinition } from './types.js';
import { payload } from './types.js';

/** The kinds of Q-Submission the 2025 guidance names, each with its own clock. */
export const QSUB_TYPES = ['presub', 'submissionIssueRequest', 'studyRiskDetermination', 'informational', 'pmaDay100'] as const;
export type QsubType = (typeof QSUB_TYPES)[number];

/** Meeting date agreed by day 30 of the Q-Sub. */
export const MEETING_DATE_AGREED_DAY = 30;
/** FDA edits the sponsor's draft minutes within 30 days of receiving them. */
export const MINUTES_EDIT_DAYS = 30;
/** Edited minutes become final 15 days after FDA sends them unless the sponsor disagrees. */
export const MINUTES_FINAL_AFTER_DAYS = 15;
/** Submission Issue Request on a hold letter of a pending marketing submission. */
export const SIR_HOLD_LETTER_DAYS = 21;
/** Any other Submission Issue Request. */
export const SIR_OTHER_DAYS = 70;
/** Study Risk Determination: FDA's written determination. */
export const STUDY_RISK_DETERMINATION_DAYS = 90;
/** Informational meeting held. */
export const INFORMATIONAL_MEETING_DAYS = 90;

export interface FdaPresubV4Context extends FdaPresubContext {
  qsubType: QsubType;
}

const src = SOURCES.qsub;
const SIR_NOTE =
  'the guidance gives a Submission Issue Request 21 or 70 days; we apply 21 when it addresses a hold letter (AI request, major deficiency, not approvable) of a pending marketing submission and 70 otherwise: that split is our reading, to be checked against the guidance';

export const MINUTES_FINAL_DEADLINE: DeadlineSpec = {
  kind: 'minutesFinal',
  length: MINUTES_FINAL_AFTER_DAYS,
  unit: 'calendar',
  event: 'MINUTES_FINAL_TIMEOUT',
  consequence: 'automatic',
  description: 'The edited minutes become final 15 days after FDA sent them, unless the sponsor files a disagreement.',
  source: src('§ meeting minutes'),
};

const withdrawable = { WITHDRAW: { target: '#fda-presub.closed.withdrawn' } } as const;

const machine = reviseMachine(
  fdaPresubV3.machine,
  {
    minutesUnderReview: patchNode({ on: { EDIT_MINUTES: 'minutesEdited' } }),
    minutesEdited: () => ({
      meta: meta({
        description: 'FDA sent its edits to the minutes: they become final in 15 days unless the sponsor disagrees.',
        deadline: MINUTES_FINAL_DEADLINE,
      }),
      on: { MINUTES_FINAL_TIMEOUT: 'closed.minutesFinal', MINUTES_DISAGREEMENT: 'minutesDisagreement', ...withdrawable },
    }),
    minutesDisagreement: () => ({
      tags: ['fda-clock'],
      meta: meta({ description: 'The sponsor disagrees with the edited minutes: FDA resolves the disagreement.' }),
      on: { RESOLVE_MINUTES: 'closed.minutesFinal', ...withdrawable },
    }),
  },
  {
    context: ({ input }: { input: { meetingRequested: boolean; qsubType?: QsubType } }): FdaPresubV4Context => ({
      meetingRequested: input.meetingRequested,
      qsubType: input.qsubType ?? 'presub',
      qNumber: null,
      receivedOn: null,
      meetingDate: null,
    }),
  },
);

const type = (qsubType: QsubType, extra: Record<string, string> = {}) => ({ when: { qsubType, ...extra } });

const goals: GoalSpec[] = [
  {
    kind: 'acceptance',
    length: ACCEPTANCE_REVIEW_DAYS,
    unit: 'calendar',
    description: `Acceptance review within ${ACCEPTANCE_REVIEW_DAYS} calendar days of receipt (restarts after an RTA response).`,
    metBy: ['ACCEPT', 'REFUSE_TO_ACCEPT'],
    source: src('§ acceptance review'),
  },
  {
    kind: 'meetingDate',
    length: MEETING_DATE_AGREED_DAY,
    unit: 'fda-days',
    description: `A requested meeting's date is agreed by day ${MEETING_DATE_AGREED_DAY}.`,
    when: { meetingRequested: 'true' },
    metBy: ['SCHEDULE_MEETING'],
    excludedBy: ['CANCEL_MEETING'],
    source: src('§ scheduling the meeting'),
  },
  {
    kind: 'writtenFeedback',
    length: WRITTEN_FEEDBACK_DAY,
    unit: 'fda-days',
    description: `Pre-Sub written feedback by day ${WRITTEN_FEEDBACK_DAY}, or ${FEEDBACK_BEFORE_MEETING_DAYS} days before a scheduled meeting, whichever is sooner (see writtenFeedbackTarget).`,
    ...type('presub'),
    metBy: ['SEND_WRITTEN_FEEDBACK'],
    source: src('§ Pre-Submission: written feedback'),
  },
  {
    kind: 'meeting',
    length: MEETING_TARGET_DAY,
    unit: 'fda-days',
    description: `Pre-Sub meeting, when requested, usually held 70–${MEETING_TARGET_DAY} days after receipt.`,
    ...type('presub'),
    metBy: ['HOLD_MEETING'],
    requires: ['SCHEDULE_MEETING'],
    excludedBy: ['CANCEL_MEETING'],
    source: src('§ Pre-Submission: meeting'),
  },
  ...(
    [
      ['holdLetter', SIR_HOLD_LETTER_DAYS],
      ['other', SIR_OTHER_DAYS],
    ] as const
  ).map(([sirSubject, length]): GoalSpec => ({
    kind: 'sirFeedback',
    length,
    unit: 'fda-days',
    description: `Submission Issue Request (${sirSubject === 'holdLetter' ? 'on a hold letter of a pending submission' : 'other'}): feedback or meeting within ${length} days (which applies when: UNCONFIRMED).`,
    ...type('submissionIssueRequest', { sirSubject }),
    metBy: ['SEND_WRITTEN_FEEDBACK', 'HOLD_MEETING'],
    source: src('§ Submission Issue Requests'),
    unconfirmed: true,
  })),
  {
    kind: 'studyRiskDetermination',
    length: STUDY_RISK_DETERMINATION_DAYS,
    unit: 'fda-days',
    description: `Study Risk Determination: FDA's written determination within ${STUDY_RISK_DETERMINATION_DAYS} days.`,
    ...type('studyRiskDetermination'),
    metBy: ['SEND_WRITTEN_FEEDBACK'],
    source: src('§ Study Risk Determinations'),
  },
  {
    kind: 'informationalMeeting',
    length: INFORMATIONAL_MEETING_DAYS,
    unit: 'fda-days',
    description: `Informational meeting held within ${INFORMATIONAL_MEETING_DAYS} days.`,
    ...type('informational'),
    metBy: ['HOLD_MEETING'],
    excludedBy: ['CANCEL_MEETING'],
    source: src('§ Informational Meetings'),
  },
  {
    kind: 'draftMinutes',
    length: MINUTES_DRAFT_DAYS,
    unit: 'calendar',
    description: `Sponsor's draft minutes within ${MINUTES_DRAFT_DAYS} days of the meeting (UNCONFIRMED).`,
    from: ['HOLD_MEETING'],
    metBy: ['SUBMIT_MINUTES'],
    source: src('§ meeting minutes'),
    unconfirmed: true,
  },
  {
    kind: 'finalMinutes',
    length: MINUTES_EDIT_DAYS,
    unit: 'calendar',
    description: `FDA edits the draft minutes (or accepts them as final) within ${MINUTES_EDIT_DAYS} days of receiving them.`,
    from: ['SUBMIT_MINUTES'],
    metBy: ['EDIT_MINUTES', 'FINALIZE_MINUTES'],
    source: src('§ meeting minutes'),
  },
];

const v3 = fdaPresubV3;

export const fdaPresubV4: WorkflowDefinition = {
  ...v3,
  version: 4,
  machine,
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['meetingRequested'],
    properties: {
      meetingRequested: { type: 'boolean', description: 'True when the sponsor asks for a meeting; false for written feedback only.' },
      qsubType: { enum: [...QSUB_TYPES], description: 'The kind of Q-Submission, which sets its clock (absent: a Pre-Submission).' },
      sirSubject: {
        enum: ['holdLetter', 'other'],
        description:
          'Submission Issue Requests only: `holdLetter` when it addresses a hold letter of a pending marketing submission (21 days), `other` otherwise (70 days).',
      },
    },
  },
  events: {
    ...v3.events,
    SEND_WRITTEN_FEEDBACK: {
      ...v3.events.SEND_WRITTEN_FEEDBACK!,
      description: `Written feedback (a Pre-Sub: by day ${WRITTEN_FEEDBACK_DAY}, or ${FEEDBACK_BEFORE_MEETING_DAYS} days before the meeting, whichever is sooner; other Q-Sub types by their own clock).`,
    },
    FINALIZE_MINUTES: {
      ...v3.events.FINALIZE_MINUTES!,
      description: 'FDA accepts the draft minutes as they are: they are final, the formal written feedback.',
    },
    EDIT_MINUTES: {
      roles: ['fda'],
      description: `FDA sends its edits to the draft minutes (within ${MINUTES_EDIT_DAYS} days); they become final ${MINUTES_FINAL_AFTER_DAYS} days later unless the sponsor disagrees.`,
      schema: payload({ summary: text }),
    },
    MINUTES_DISAGREEMENT: {
      roles: ['manufacturer'],
      description: `The sponsor disagrees with FDA's edits to the minutes (within ${MINUTES_FINAL_AFTER_DAYS} days): FDA resolves it.`,
      schema: payload({ points: textList }, ['points']),
    },
    RESOLVE_MINUTES: {
      roles: ['fda'],
      description: 'FDA resolves the disagreement: the minutes as resolved are final.',
      schema: payload({ summary: text }),
    },
    MINUTES_FINAL_TIMEOUT: {
      roles: ['system'],
      description: `No disagreement within ${MINUTES_FINAL_AFTER_DAYS} days of FDA's edits: the edited minutes are final.`,
      schema: payload(),
    },
  },
  clock: {
    ...v3.clock!,
    stop: [...v3.clock!.stop, 'MINUTES_FINAL_TIMEOUT', 'RESOLVE_MINUTES'],
    absentInput: { qsubType: 'presub', sirSubject: 'holdLetter' },
  },
  goals,
  upgradeContext(context, fromVersion) {
    const c = context as FdaPresubContext & { qsubType?: QsubType };
    return fromVersion < 4 ? { ...c, qsubType: c.qsubType ?? 'presub' } : c;
  },
  parameters: {
    acceptanceReviewDays: {
      value: ACCEPTANCE_REVIEW_DAYS,
      unit: 'calendar days',
      note: 'acceptance review of every Q-Sub type',
      source: src('§ acceptance review'),
    },
    meetingDateAgreedDay: {
      value: MEETING_DATE_AGREED_DAY,
      unit: 'days after receipt',
      note: 'a requested meeting date is agreed by then',
      source: src('§ scheduling the meeting'),
    },
    writtenFeedbackDay: {
      value: WRITTEN_FEEDBACK_DAY,
      unit: 'days after receipt',
      note: 'Pre-Sub written feedback',
      source: src('§ Pre-Submission: written feedback'),
    },
    feedbackBeforeMeetingDays: {
      value: FEEDBACK_BEFORE_MEETING_DAYS,
      unit: 'days before the meeting',
      note: 'Pre-Sub written feedback, if sooner',
      source: src('§ Pre-Submission: written feedback'),
    },
    meetingTargetDay: {
      value: MEETING_TARGET_DAY,
      unit: 'days after receipt',
      note: 'Pre-Sub meetings are usually held 70–75 days after receipt',
      source: src('§ Pre-Submission: meeting'),
    },
    sirHoldLetterDays: {
      value: SIR_HOLD_LETTER_DAYS,
      unit: 'days after receipt',
      note: SIR_NOTE,
      source: src('§ Submission Issue Requests'),
      unconfirmed: true,
    },
    sirOtherDays: { value: SIR_OTHER_DAYS, unit: 'days after receipt', note: SIR_NOTE, source: src('§ Submission Issue Requests'), unconfirmed: true },
    studyRiskDeterminationDays: {
      value: STUDY_RISK_DETERMINATION_DAYS,
      unit: 'days after receipt',
      note: 'written study risk determination',
      source: src('§ Study Risk Determinations'),
    },
    informationalMeetingDays: {
      value: INFORMATIONAL_MEETING_DAYS,
      unit: 'days after receipt',
      note: 'informational meeting held',
      source: src('§ Informational Meetings'),
    },
    minutesDraftDays: {
      value: MINUTES_DRAFT_DAYS,
      unit: 'calendar days',
      note: 'the sponsor drafts the minutes after the meeting; "often quoted as 15 days" (domain.md §1.5, §6 item 3), not in domain.md §7.2',
      source: src('§ meeting minutes'),
      unconfirmed: true,
    },
    minutesEditDays: {
      value: MINUTES_EDIT_DAYS,
      unit: 'calendar days',
      note: 'FDA edits the draft minutes (domain.md §7.2: 30, not 15)',
      source: src('§ meeting minutes'),
    },
    minutesFinalAfterDays: {
      value: MINUTES_FINAL_AFTER_DAYS,
      unit: 'calendar days',
      note: 'edited minutes become final unless the sponsor files a disagreement',
      source: src('§ meeting minutes'),
    },
  },
};
