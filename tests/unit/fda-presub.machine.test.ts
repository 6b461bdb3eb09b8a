/**
 * The Q-Submission (Pre-Sub) machine against reference/domain.md §5.5, exhaustively, for both
 * creation inputs (meeting requested or written feedback only): every state reachable from
 * `draft` (found by `xstate/graph`) is visited, and in each one every declared event type is sent
 * with the pure `transition()`. The expected outcome comes from `TABLE` below, transcribed by hand
 * from domain.md §5.5 (plus the rows named in its comments), never from the machine.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition } from 'xstate';
import { describeWorkflow } from '../../src/engine/catalog.js';
import { createValidator, eventSchemaId, inputSchemaId } from '../../src/validation.js';
import {
  FEEDBACK_BEFORE_MEETING_DAYS,
  MINUTES_DRAFT_DAYS,
  MINUTES_REVIEW_DAYS,
  WRITTEN_FEEDBACK_DAY,
  fdaPresub,
  writtenFeedbackTarget,
  type FdaPresubContext,
} from '../../workflows/fda-presub.js';
import type { WorkflowEvent } from '../../workflows/types.js';
import { reasonsText } from '../../src/messages/format.js';
import { createMachineHarness, lenientAjv, pathOf, type TableRow, rolesByEvent, eventLookup } from '../support/machine-harness.js';

interface Input {
  meetingRequested: boolean;
}
const INPUTS: readonly Input[] = [{ meetingRequested: true }, { meetingRequested: false }];

// ---------------------------------------------------------------------------------------------
// reference/domain.md §5.5, transcribed. `from` is a state path or `*` (any state that is not
// closed). `when` limits a row to a creation input. `feedbackIssued` is split by what the sponsor
// asked for and whether the meeting has a date: `.noMeetingRequested` (row 11), `.meetingUnscheduled`
// and `.meetingScheduled` (row 8's guard "meeting scheduled").
// ---------------------------------------------------------------------------------------------

/** DESIGN §4 catalog: `fda-presub` final outcomes. */
const DESIGN_OUTCOMES = ['closed.feedbackOnly', 'closed.minutesFinal'];

interface Row extends TableRow {
  readonly when?: Input;
}

const TABLE: readonly Row[] = [
  { from: 'draft', event: 'SUBMIT', to: 'acceptanceReview' }, // #1
  { from: 'acceptanceReview', event: 'ACCEPT', to: 'accepted' }, // #2
  { from: 'acceptanceReview', event: 'REFUSE_TO_ACCEPT', to: 'hold' }, // #3
  { from: 'hold', event: 'RESPONSE', to: 'acceptanceReview' }, // #4
  { from: 'accepted', event: 'SCHEDULE_MEETING', to: 'meetingScheduled', when: { meetingRequested: true } }, // #5
  { from: 'accepted', event: 'SEND_WRITTEN_FEEDBACK', to: 'feedbackIssued.meetingUnscheduled', when: { meetingRequested: true } }, // #6
  { from: 'accepted', event: 'SEND_WRITTEN_FEEDBACK', to: 'feedbackIssued.noMeetingRequested', when: { meetingRequested: false } }, // #6
  { from: 'meetingScheduled', event: 'SEND_WRITTEN_FEEDBACK', to: 'feedbackIssued.meetingScheduled' }, // #6
  { from: 'feedbackIssued.meetingUnscheduled', event: 'CANCEL_MEETING', to: 'closed.feedbackOnly' }, // #7
  { from: 'feedbackIssued.meetingScheduled', event: 'CANCEL_MEETING', to: 'closed.feedbackOnly' }, // #7
  { from: 'feedbackIssued.meetingScheduled', event: 'HOLD_MEETING', to: 'meetingHeld' }, // #8
  { from: 'meetingHeld', event: 'SUBMIT_MINUTES', to: 'minutesUnderReview' }, // #9
  { from: 'minutesUnderReview', event: 'FINALIZE_MINUTES', to: 'closed.minutesFinal' }, // #10
  { from: 'feedbackIssued.noMeetingRequested', event: 'CLOSE', to: 'closed.feedbackOnly' }, // #11
  // §1.5 (2025): some offices schedule the meeting only after the written feedback; and a
  // scheduled meeting can be moved.
  { from: 'feedbackIssued.meetingUnscheduled', event: 'SCHEDULE_MEETING', to: 'feedbackIssued.meetingScheduled' },
  { from: 'feedbackIssued.meetingScheduled', event: 'SCHEDULE_MEETING', to: 'feedbackIssued.meetingScheduled' },
  { from: 'meetingScheduled', event: 'SCHEDULE_MEETING', to: 'meetingScheduled' },
  // The sponsor may withdraw a Q-Sub it no longer needs, as in every FDA pathway.
  { from: '*', event: 'WITHDRAW', to: 'closed.withdrawn' },
];

const TAGS: Readonly<Record<string, readonly string[]>> = {
  draft: [],
  acceptanceReview: ['fda-clock'],
  hold: ['hold'],
  accepted: ['fda-clock'],
  meetingScheduled: ['fda-clock'],
  'feedbackIssued.noMeetingRequested': [],
  'feedbackIssued.meetingUnscheduled': [],
  'feedbackIssued.meetingScheduled': [],
  meetingHeld: [],
  minutesUnderReview: ['fda-clock'],
  'closed.feedbackOnly': [],
  'closed.minutesFinal': [],
  'closed.withdrawn': [],
};

const EVENTS: Record<string, WorkflowEvent> = {
  SUBMIT: { type: 'SUBMIT', data: { summary: 'Pre-Sub on the pivotal study design' } },
  ACCEPT: { type: 'ACCEPT', data: { qNumber: 'Q260123' } },
  REFUSE_TO_ACCEPT: { type: 'REFUSE_TO_ACCEPT', data: { reasons: ['Questions missing'] } },
  RESPONSE: { type: 'RESPONSE', data: { summary: 'Questions added' } },
  SCHEDULE_MEETING: { type: 'SCHEDULE_MEETING', data: { meetingDate: '2026-05-20', format: 'video' } },
  SEND_WRITTEN_FEEDBACK: { type: 'SEND_WRITTEN_FEEDBACK', data: { summary: 'Agree with the endpoints' } },
  CANCEL_MEETING: { type: 'CANCEL_MEETING', data: { reason: 'Feedback is clear' } },
  CLOSE: { type: 'CLOSE', data: { reason: 'No clarification needed' } },
  HOLD_MEETING: { type: 'HOLD_MEETING', data: { summary: 'One-hour video call', format: 'video' } },
  SUBMIT_MINUTES: { type: 'SUBMIT_MINUTES', data: { summary: 'Draft minutes' } },
  FINALIZE_MINUTES: { type: 'FINALIZE_MINUTES', data: { summary: 'Minutes final with FDA edits' } },
  WITHDRAW: { type: 'WITHDRAW', data: { reason: 'Program stopped' } },
};

const ev = eventLookup(EVENTS);

const ajv = lenientAjv();
const h = createMachineHarness<Input, Row>({
  workflow: fdaPresub,
  table: TABLE,
  isFinal: (state) => state.startsWith('closed.'),
  applies: (row, input) => !row.when || row.when.meetingRequested === input.meetingRequested,
  event: ev,
  eventTypes: Object.keys(EVENTS),
});
const machine = h.machine;
const LEAF_PATHS = h.leafPaths;
const reachableSnapshots = (input: Input) => h.reachable(input).map((r) => r.snapshot);
const run = (input: Input, events: WorkflowEvent[]) => h.run(input, events);

h.describeFixtures();

for (const input of INPUTS) {
  const snapshots = reachableSnapshots(input);

  describe(`fda-presub, meetingRequested ${input.meetingRequested} (reference/domain.md §5.5)`, () => {
    it('starts in draft with the creation input in context', () => {
      const [s] = initialTransition(machine, input);
      expect(pathOf(s)).toBe('draft');
      expect(s.context).toEqual({ meetingRequested: input.meetingRequested, qNumber: null, receivedOn: null, meetingDate: null });
    });

    it('reaches every leaf state node except those of the other input', () => {
      const reached = new Set(snapshots.map(pathOf));
      const unreachable = LEAF_PATHS.filter((p) => !reached.has(p));
      expect(unreachable).toEqual(
        input.meetingRequested
          ? ['feedbackIssued.noMeetingRequested']
          : [
              'closed.minutesFinal',
              'feedbackIssued.meetingScheduled',
              'feedbackIssued.meetingUnscheduled',
              'meetingHeld',
              'meetingScheduled',
              'minutesUnderReview',
            ],
      );
    });

    it('reaches closed.feedbackOnly, and closed.minutesFinal exactly when a meeting was requested', () => {
      const reached = new Set(snapshots.map(pathOf));
      expect(reached.has('closed.feedbackOnly')).toBe(true);
      expect(reached.has('closed.minutesFinal')).toBe(input.meetingRequested);
    });

    h.tableTests(input);
  });
}

describe('fda-presub graph coverage', () => {
  it('every leaf state node is reachable for some input, and every DESIGN §4 outcome too', () => {
    const reached = new Set(INPUTS.flatMap((i) => reachableSnapshots(i).map(pathOf)));
    expect(LEAF_PATHS.filter((p) => !reached.has(p))).toEqual([]);
    for (const o of DESIGN_OUTCOMES) expect(reached.has(o), o).toBe(true);
  });

  it('the machine has exactly the leaf states of the table', () => {
    expect(LEAF_PATHS).toEqual(h.tableStates(DESIGN_OUTCOMES));
  });
});

describe('fda-presub guards, context and the feedback target', () => {
  const at = (e: WorkflowEvent, effectiveDate: string): WorkflowEvent => ({ ...e, effectiveDate });

  it('SCHEDULE_MEETING is refused when no meeting was requested, saying why', () => {
    const s = run({ meetingRequested: false }, [ev('SUBMIT'), ev('ACCEPT')]);
    expect(pathOf(s)).toBe('accepted');
    expect(s.can(ev('SCHEDULE_MEETING'))).toBe(false);
    expect(reasonsText(fdaPresub.explainRefusal?.(s.context, ev('SCHEDULE_MEETING')))).toMatch(/meetingRequested is false/);
    const ok = run({ meetingRequested: true }, [ev('SUBMIT'), ev('ACCEPT')]);
    expect(reasonsText(fdaPresub.explainRefusal?.(ok.context, ev('SCHEDULE_MEETING')))).toBeUndefined();
  });

  it('receipt is the latest complete submission (the clock restarts after an RTA response); ACCEPT records the Q-number', () => {
    const s = run({ meetingRequested: true }, [
      at(ev('SUBMIT'), '2026-01-05'),
      at(ev('REFUSE_TO_ACCEPT'), '2026-01-15'),
      at(ev('RESPONSE'), '2026-02-01'),
      at(ev('ACCEPT'), '2026-02-10'),
    ]);
    expect(s.context).toMatchObject({ qNumber: 'Q260123', receivedOn: '2026-02-01', meetingDate: null });
  });

  it(`written feedback target: day ${WRITTEN_FEEDBACK_DAY} after receipt, or ${FEEDBACK_BEFORE_MEETING_DAYS} days before the meeting, whichever is sooner`, () => {
    expect(WRITTEN_FEEDBACK_DAY).toBe(70);
    expect(FEEDBACK_BEFORE_MEETING_DAYS).toBe(5);
    const base: FdaPresubContext = { meetingRequested: true, qNumber: null, receivedOn: '2026-01-01', meetingDate: null };
    expect(writtenFeedbackTarget({ ...base, receivedOn: null })).toBeNull();
    expect(writtenFeedbackTarget(base)).toBe('2026-03-12'); // Jan 1 + 70 days
    expect(writtenFeedbackTarget({ ...base, meetingDate: '2026-03-10' })).toBe('2026-03-05');
    expect(writtenFeedbackTarget({ ...base, meetingDate: '2026-03-20' })).toBe('2026-03-12');
    expect(writtenFeedbackTarget({ ...base, receivedOn: '2025-12-31', meetingDate: '2026-03-03' })).toBe('2026-02-26');
  });

  it('SCHEDULE_MEETING records the meeting date; moving it keeps the state and updates the date', () => {
    let s = run({ meetingRequested: true }, [ev('SUBMIT'), ev('ACCEPT'), ev('SCHEDULE_MEETING')]);
    expect(s.context.meetingDate).toBe('2026-05-20');
    s = run({ meetingRequested: true }, [
      ev('SUBMIT'),
      ev('ACCEPT'),
      ev('SCHEDULE_MEETING'),
      { type: 'SCHEDULE_MEETING', data: { meetingDate: '2026-05-27' } },
    ]);
    expect(pathOf(s)).toBe('meetingScheduled');
    expect(s.context.meetingDate).toBe('2026-05-27');
  });

  it('feedback before a meeting date, then scheduling, then holding the meeting leads to final minutes', () => {
    const s = run(
      { meetingRequested: true },
      ['SUBMIT', 'ACCEPT', 'SEND_WRITTEN_FEEDBACK', 'SCHEDULE_MEETING', 'HOLD_MEETING', 'SUBMIT_MINUTES', 'FINALIZE_MINUTES'].map(ev),
    );
    expect(pathOf(s)).toBe('closed.minutesFinal');
    expect(s.context.meetingDate).toBe('2026-05-20');
  });
});

describe('fda-presub clocks, goals and parameters', () => {
  const d = describeWorkflow(fdaPresub);

  it('every leaf state runs the clocks transcribed above; no hard deadline anywhere (no source gives one)', () => {
    h.expectTags(TAGS);
    for (const s of d.states) expect(s.deadline, s.path).toBeNull();
    for (const [type, spec] of Object.entries(fdaPresub.events)) expect(spec.roles, type).not.toContain('system');
  });

  it('every state has a description', () => {
    for (const s of d.states) expect(s.description, s.path).toMatch(/\S/);
  });

  it('goals: acceptance in 15 days, written feedback by day 70 (or meeting − 5), minutes', () => {
    const byKind = new Map(fdaPresub.goals.map((g) => [g.kind, g]));
    expect(byKind.get('acceptance')).toMatchObject({ length: 15, unit: 'calendar' });
    expect(byKind.get('writtenFeedback')?.length).toBe(WRITTEN_FEEDBACK_DAY);
    expect(byKind.get('writtenFeedback')?.description).toMatch(/5 days before/);
    expect(byKind.get('draftMinutes')?.length).toBe(MINUTES_DRAFT_DAYS);
    expect(byKind.get('finalMinutes')?.length).toBe(MINUTES_REVIEW_DAYS);
  });

  it('Q-Sub minutes timing (UNCONFIRMED in domain.md §6 item 3) is a pair of parameters flagged unconfirmed', () => {
    const p = fdaPresub.parameters;
    expect(p.minutesDraftDays).toMatchObject({ value: MINUTES_DRAFT_DAYS, unconfirmed: true });
    expect(p.minutesReviewDays).toMatchObject({ value: MINUTES_REVIEW_DAYS, unconfirmed: true });
    for (const key of ['minutesDraftDays', 'minutesReviewDays']) expect(p[key]?.note, key).toMatch(/domain\.md/);
    for (const key of ['acceptanceReviewDays', 'writtenFeedbackDay', 'feedbackBeforeMeetingDays', 'meetingTargetDay']) {
      expect(p[key], key).toBeDefined();
      expect(p[key]?.unconfirmed, key).toBeFalsy();
    }
    expect(p.writtenFeedbackDay?.value).toBe(WRITTEN_FEEDBACK_DAY);
  });
});

describe('fda-presub event roles and schemas', () => {
  // HOLD_MEETING: FDA+SPONSOR (§5.5 row 8)
  // CLOSE: row 11's SYSTEM close, recorded by a person (see the machine's header)
  const EXPECTED_ROLES = rolesByEvent({
    manufacturer: 'SUBMIT RESPONSE CANCEL_MEETING SUBMIT_MINUTES WITHDRAW HOLD_MEETING CLOSE',
    fda: 'ACCEPT REFUSE_TO_ACCEPT SCHEDULE_MEETING SEND_WRITTEN_FEEDBACK FINALIZE_MINUTES HOLD_MEETING CLOSE',
  });

  h.roleTests(EXPECTED_ROLES, { described: true, anyOrder: true });

  it("every schema compiles with the server's strict validator; the input needs a boolean meetingRequested", () => {
    const validator = createValidator([fdaPresub]);
    for (const type of Object.keys(fdaPresub.events)) expect(() => validator.check(eventSchemaId(fdaPresub, type), ev(type).data ?? {}), type).not.toThrow();
    for (const input of INPUTS) expect(() => validator.check(inputSchemaId(fdaPresub), input)).not.toThrow();
    for (const bad of [{}, { meetingRequested: 'yes' }, { meetingRequested: true, extra: 1 }]) {
      expect(() => validator.check(inputSchemaId(fdaPresub), bad), JSON.stringify(bad)).toThrow();
    }
  });

  it('every event payload schema forbids unknown fields', () => {
    h.expectUnknownFieldsRefused(ajv);
  });

  it('ACCEPT requires a Q-number (Q + 6 digits)', () => {
    const validate = ajv.compile(fdaPresub.events.ACCEPT!.schema);
    expect(validate({ qNumber: 'Q260123' })).toBe(true);
    for (const bad of ['Q26012', 'Q2601234', 'q260123', 'K260123', 'Q26012X']) expect(validate({ qNumber: bad }), bad).toBe(false);
    expect(validate({})).toBe(false);
  });

  it('SCHEDULE_MEETING requires a YYYY-MM-DD meeting date and a known format', () => {
    const validate = ajv.compile(fdaPresub.events.SCHEDULE_MEETING!.schema);
    expect(validate({ meetingDate: '2026-05-20' })).toBe(true);
    expect(validate({})).toBe(false);
    expect(validate({ meetingDate: '2026-13-01' })).toBe(false);
    expect(validate({ meetingDate: '2026-05-20', format: 'carrier pigeon' })).toBe(false);
  });
});
