/**
 * fda-presub@4 (reference/domain.md §7.2, Q-Sub row; final Q-Submission guidance, May 2025):
 * version 3 plus the minutes path (FDA edits within 30 days; the edited minutes become final 15
 * days later unless the sponsor files a disagreement, which FDA resolves), the Q-Sub type as an
 * input with a clock of its own, and the meeting date agreed by day 30.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition } from 'xstate';
import { fdaPresubV3 } from '../../workflows/fda-presub.js';
import { fdaPresubV4 } from '../../workflows/fda-presub-v4.js';
import { latestWorkflow } from '../../workflows/index.js';
import type { WorkflowEvent } from '../../workflows/types.js';
import { createMachineHarness, lenientAjv, pathOf } from '../support/machine-harness.js';
import { expectDeadlines, versionDiff } from '../support/version-diff.js';

const w = fdaPresubV4;
const DATA: Record<string, Record<string, unknown>> = {
  ACCEPT: { qNumber: 'Q261234' },
  SCHEDULE_MEETING: { meetingDate: '2026-03-20' },
  MINUTES_DISAGREEMENT: { points: ['Agreement 2 was conditional'] },
};
type Input = { meetingRequested: boolean; qsubType?: string };
const h = createMachineHarness<Input>({
  workflow: w,
  table: [],
  isFinal: (s) => s.startsWith('closed.'),
  event: (type): WorkflowEvent => ({ type, data: DATA[type] ?? {} }),
  eventTypes: Object.keys(w.events),
});
const MEETING = ['SUBMIT', 'ACCEPT', 'SCHEDULE_MEETING', 'SEND_WRITTEN_FEEDBACK', 'HOLD_MEETING', 'SUBMIT_MINUTES'];

describe('fda-presub@4 (domain.md §7.2, Q-Sub row)', () => {
  it('adds only the minutes path; every version 3 state and transition stays', () => {
    // Issue 13 §2's version keeps this machine (responses with content, a signed withdrawal).
    expect(latestWorkflow('fda-presub')!.machine).toBe(w.machine);
    expect(versionDiff(fdaPresubV3, w)).toEqual({
      added: [
        'minutesDisagreement / RESOLVE_MINUTES -> closed.minutesFinal',
        'minutesDisagreement / WITHDRAW -> closed.withdrawn',
        'minutesEdited / MINUTES_DISAGREEMENT -> minutesDisagreement',
        'minutesEdited / MINUTES_FINAL_TIMEOUT -> closed.minutesFinal',
        'minutesEdited / WITHDRAW -> closed.withdrawn',
        'minutesUnderReview / EDIT_MINUTES -> minutesEdited',
      ],
      removed: [],
      lostStates: [],
    });
    expect(
      Object.fromEntries(['EDIT_MINUTES', 'MINUTES_DISAGREEMENT', 'RESOLVE_MINUTES', 'MINUTES_FINAL_TIMEOUT'].map((t) => [t, w.events[t]?.roles])),
    ).toEqual({
      EDIT_MINUTES: ['fda'],
      MINUTES_DISAGREEMENT: ['manufacturer'],
      RESOLVE_MINUTES: ['fda'],
      MINUTES_FINAL_TIMEOUT: ['system'],
    });
  });

  it.each([
    [[...MEETING, 'EDIT_MINUTES', 'MINUTES_FINAL_TIMEOUT'], 'closed.minutesFinal'],
    [[...MEETING, 'EDIT_MINUTES', 'MINUTES_DISAGREEMENT'], 'minutesDisagreement'],
    [[...MEETING, 'EDIT_MINUTES', 'MINUTES_DISAGREEMENT', 'RESOLVE_MINUTES'], 'closed.minutesFinal'],
    [[...MEETING, 'FINALIZE_MINUTES'], 'closed.minutesFinal'],
  ])('%j ends in %s', (events, state) => {
    expect(pathOf(h.run({ meetingRequested: true }, events))).toBe(state);
  });

  it('the edited minutes become final by themselves after 15 days (a final guidance states window and consequence)', () => {
    expectDeadlines(w, [['minutesEdited', 'MINUTES_FINAL_TIMEOUT', 15, 'automatic', 'Q-Submission Program']]);
  });

  it('the context carries the Q-Sub type (absent: presub), and migrated contexts gain it', () => {
    const ctx = (input: Input) => initialTransition(w.machine, input)[0].context as Record<string, unknown>;
    expect(ctx({ meetingRequested: false })).toMatchObject({ qsubType: 'presub' });
    expect(ctx({ meetingRequested: true, qsubType: 'informational' })).toMatchObject({ qsubType: 'informational' });
    const old = initialTransition(fdaPresubV3.machine, { meetingRequested: true })[0].context as Record<string, unknown>;
    expect(w.upgradeContext?.(old, 3)).toEqual({ ...old, qsubType: 'presub' });
    const ajv = lenientAjv();
    expect(ajv.validate(w.inputSchema, { meetingRequested: true, qsubType: 'pmaDay100' })).toBe(true);
    expect(ajv.validate(w.inputSchema, { meetingRequested: true, qsubType: 'other' })).toBe(false);
  });

  it.each([
    ['presub', undefined, ['writtenFeedback', 70], ['meeting', 75]],
    ['submissionIssueRequest', 'holdLetter', ['sirFeedback', 21]],
    ['submissionIssueRequest', 'other', ['sirFeedback', 70]],
    ['studyRiskDetermination', undefined, ['studyRiskDetermination', 90]],
    ['informational', undefined, ['informationalMeeting', 90]],
    ['pmaDay100', undefined],
  ] as const)('type %s (%s) declares its own goals %j %j', (qsubType, sirSubject, ...want) => {
    const own = w.goals.filter((g) => g.when?.qsubType === qsubType && (sirSubject === undefined || g.when?.sirSubject === sirSubject));
    expect(own.map((g) => [g.kind, g.length])).toEqual(want);
    for (const g of own) expect(g.source?.title, g.kind).toMatch(/Q-Submission Program/);
  });

  it('the meeting date is agreed by day 30 when a meeting is requested; FDA edits the minutes within 30 days', () => {
    expect(w.goals.find((g) => g.kind === 'meetingDate')).toMatchObject({ length: 30, when: { meetingRequested: 'true' }, metBy: ['SCHEDULE_MEETING'] });
    expect(w.goals.find((g) => g.kind === 'finalMinutes')).toMatchObject({ length: 30, from: ['SUBMIT_MINUTES'] });
    expect(w.clock?.absentInput).toEqual({ qsubType: 'presub', sirSubject: 'holdLetter' });
  });
});
