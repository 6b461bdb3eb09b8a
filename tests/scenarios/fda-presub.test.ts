/**
 * reference/domain.md §7.2, Q-Sub row (fda-presub@4; final Q-Submission guidance, May 2025):
 * the meeting date agreed by day 30; FDA edits the minutes within 30 days and the edited minutes
 * become final 15 days later unless the sponsor files a disagreement, which FDA then resolves;
 * each Q-Sub type runs its own clock.
 */
import { describe, expect, it } from 'vitest';
import type { Json } from '../http/helpers.js';
import { useScenario } from '../support/scenario.js';

const s = useScenario();

/** A Pre-Sub with a meeting, submitted 2026-01-05, driven to FDA's review of the draft minutes (2026-04-01). */
async function toDraftMinutes(): Promise<string> {
  const { manufacturer: m, fda } = s.users;
  s.on('2026-01-05');
  const id = await s.create(m, 'fda-presub', { meetingRequested: true });
  await s.send(m, id, 'SUBMIT');
  const steps: Array<[string, typeof m, string, Json?]> = [
    ['2026-01-15', fda, 'ACCEPT', { qNumber: 'Q260001' }],
    ['2026-01-28', fda, 'SCHEDULE_MEETING', { meetingDate: '2026-03-20' }],
    ['2026-03-13', fda, 'SEND_WRITTEN_FEEDBACK'],
    ['2026-03-20', m, 'HOLD_MEETING'],
    ['2026-04-01', m, 'SUBMIT_MINUTES'],
  ];
  for (const [date, user, type, data] of steps) {
    s.on(date);
    await s.send(user, id, type, data);
  }
  return id;
}

describe('domain.md §7.2 Q-Sub: minutes, meeting date by day 30, clocks per Q-Sub type', () => {
  it('edited on 2026-04-20, no disagreement: the minutes are final on their own after 15 days; the goals were met', async () => {
    const id = await toDraftMinutes();
    expect(await s.goal(id, 'meetingDate')).toMatchObject({ dueDate: '2026-02-04', metOn: '2026-01-28', status: 'met' });
    expect(await s.goal(id, 'finalMinutes')).toMatchObject({ startedOn: '2026-04-01', dueDate: '2026-05-01' });
    s.on('2026-04-20');
    const edited = await s.send(s.users.fda, id, 'EDIT_MINUTES', { summary: 'Two agreements reworded' });
    expect(edited.deadlines).toEqual([
      expect.objectContaining({ kind: 'minutesFinal', dueDate: '2026-05-05', event: 'MINUTES_FINAL_TIMEOUT', consequence: 'automatic' }),
    ]);
    expect(await s.goal(id, 'finalMinutes')).toMatchObject({ metOn: '2026-04-20', status: 'met' });
    s.on('2026-05-06');
    expect((await s.sweep(id)).fired).toEqual([
      expect.objectContaining({ event: 'MINUTES_FINAL_TIMEOUT', dueDate: '2026-05-05', state: 'closed.minutesFinal' }),
    ]);
  });

  it('a disagreement within the 15 days stops the minutes becoming final; FDA resolves it', async () => {
    const id = await toDraftMinutes();
    const { manufacturer: m, fda } = s.users;
    s.on('2026-04-20');
    await s.send(fda, id, 'EDIT_MINUTES');
    s.on('2026-04-28');
    const disagreed = await s.send(m, id, 'MINUTES_DISAGREEMENT', { points: ['The agreement on the sample size was conditional'] });
    expect(disagreed).toMatchObject({ state: 'minutesDisagreement', deadlines: [] });
    s.on('2026-05-20');
    expect((await s.sweep(id)).fired).toEqual([]);
    expect((await s.send(fda, id, 'RESOLVE_MINUTES', { summary: 'Condition recorded' })).state).toBe('closed.minutesFinal');
    await s.verified();
  });

  it.each([
    [{ qsubType: 'submissionIssueRequest', sirSubject: 'holdLetter' }, 'sirFeedback', '2026-01-26'],
    [{ qsubType: 'submissionIssueRequest', sirSubject: 'other' }, 'sirFeedback', '2026-03-16'],
    [{ qsubType: 'studyRiskDetermination' }, 'studyRiskDetermination', '2026-04-05'],
    [{ qsubType: 'informational', meetingRequested: true }, 'informationalMeeting', '2026-04-05'],
    [{}, 'writtenFeedback', '2026-03-16'],
  ])('%j submitted 2026-01-05: goal %s due %s, and no Pre-Sub feedback goal unless a Pre-Sub', async (input, kind, dueDate) => {
    s.on('2026-01-05');
    const id = await s.create(s.users.manufacturer, 'fda-presub', { meetingRequested: false, ...input });
    await s.send(s.users.manufacturer, id, 'SUBMIT');
    const goals = ((await s.view(id)).clocks.goals as Json[]).map((g) => g.kind as string);
    expect(goals).toContain(kind);
    expect(await s.goal(id, kind)).toMatchObject({ dueDate });
    expect(goals.includes('writtenFeedback')).toBe(kind === 'writtenFeedback');
  });
});
